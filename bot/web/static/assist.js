"use strict";

// Assist mode. The sheet button names the conversation's procedure and opens its printable
// sheet (GET /staff/assist/procedure, on load and after each answer); the dossier code form
// shows the follow QR without leaving the page (GET /staff/assist/qr), so the conversation on
// screen stays. The chat itself is chat.js, unchanged.
(function () {
  var log = document.getElementById("messages");
  var link = document.getElementById("sheet-link");
  var hint = document.getElementById("sheet-hint");
  var qrForm = document.getElementById("qr-form");
  var qrResult = document.getElementById("qr-result");
  var shown = null;

  function getJson(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; });
  }

  function refresh() {
    getJson("/staff/assist/procedure")
      .then(function (data) {
        if (!data || !data.code || data.code === shown) return;
        shown = data.code;
        link.href = "/procedures/" + encodeURIComponent(data.code);
        link.textContent = "In phiếu hướng dẫn: " + data.name;
        if (hint) hint.hidden = true;
      })
      .catch(function () { /* the button keeps pointing at the search page */ });
  }

  function paragraph(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function showQr(data) {
    qrResult.textContent = "";
    if (!data) {
      qrResult.appendChild(paragraph("panel-error", "Không tạo được mã QR, vui lòng thử lại."));
    } else if (data.qr) {
      qrResult.appendChild(paragraph("panel-hint", "Người dân quét mã này bằng Zalo hoặc Messenger để nhận thông báo về hồ sơ " + data.code + "."));
      var img = document.createElement("img");
      img.className = "qr";
      img.src = data.qr;
      img.alt = "Mã QR theo dõi hồ sơ " + data.code;
      img.width = 260;
      img.height = 260;
      qrResult.appendChild(img);
    } else if (data.known) {
      qrResult.appendChild(paragraph("panel-error", "Chưa đặt RECEIPT_SECRET nên chưa tạo được mã QR theo dõi."));
    } else {
      qrResult.appendChild(paragraph("panel-error", "Không tìm thấy hồ sơ " + data.code + ". Hãy kiểm tra lại mã trên giấy hẹn."));
    }
  }

  if (qrForm && qrResult) {
    qrForm.addEventListener("submit", function (e) {
      var code = qrForm.elements.code.value.trim();
      if (!code) return;
      e.preventDefault();
      getJson("/staff/assist/qr?code=" + encodeURIComponent(code)).then(showQr).catch(function () { showQr(null); });
    });
  }

  if (log && link) {
    refresh();
    new MutationObserver(function (changes) {
      var answered = changes.some(function (c) {
        return Array.prototype.some.call(c.addedNodes, function (n) {
          return n.classList && n.classList.contains("msg--bot") && !n.classList.contains("typing");
        });
      });
      if (answered) refresh();
    }).observe(log, { childList: true });
  }
})();
