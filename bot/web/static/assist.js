"use strict";

// Assist mode: after each answer, the sheet button names the conversation's procedure and opens
// its printable sheet (GET /staff/assist/procedure); the chat itself is chat.js, unchanged.
(function () {
  var log = document.getElementById("messages");
  var link = document.getElementById("sheet-link");
  var hint = document.getElementById("sheet-hint");
  if (!log || !link) return;
  var shown = null;

  function refresh() {
    fetch("/staff/assist/procedure", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data || !data.code || data.code === shown) return;
        shown = data.code;
        link.href = "/procedures/" + encodeURIComponent(data.code);
        link.textContent = "In phiếu hướng dẫn: " + data.name;
        if (hint) hint.hidden = true;
      })
      .catch(function () { /* the button keeps pointing at the search page */ });
  }

  new MutationObserver(function (changes) {
    var answered = changes.some(function (c) {
      return Array.prototype.some.call(c.addedNodes, function (n) { return n.classList && n.classList.contains("msg--bot") && !n.classList.contains("typing"); });
    });
    if (answered) refresh();
  }).observe(log, { childList: true });
})();
