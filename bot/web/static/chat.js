"use strict";

(function () {
  var ENDPOINT = "/webhooks/rest/webhook";
  var STORAGE_KEY = "motcua.senderId";
  var TIMEOUT_MS = 30000;
  var ERROR_TEXT = "Không gửi được tin nhắn, vui lòng thử lại.";

  var log = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("message-input");
  var sendBtn = document.getElementById("send-button");
  var busy = false;
  var typingEl = null;
  var senderId = getSenderId();

  function randomId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  function getSenderId() {
    try {
      var id = window.localStorage.getItem(STORAGE_KEY);
      if (id && /^[A-Za-z0-9-]{8,64}$/.test(id)) return id;
      id = randomId();
      window.localStorage.setItem(STORAGE_KEY, id);
      return id;
    } catch (e) {
      return randomId(); // storage blocked: context lasts for this page only
    }
  }

  function srOnly(text) {
    var s = document.createElement("span");
    s.className = "sr-only";
    s.textContent = text;
    return s;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // kind: "user" | "bot" | "error". Message content only via textContent.
  function addBubble(kind, text) {
    var el = document.createElement("div");
    el.className = "msg msg--" + kind;
    el.appendChild(srOnly(kind === "user" ? "Anh/chị: " : "Trợ lý: "));
    var body = document.createElement("span");
    body.textContent = text;
    el.appendChild(body);
    log.appendChild(el);
    scrollToEnd();
    return el;
  }

  function addButtons(buttons) {
    var group = document.createElement("div");
    group.className = "chips";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Lựa chọn gợi ý");
    buttons.forEach(function (b) {
      if (!b || b.title == null) return;
      var title = String(b.title);
      var payload = b.payload != null ? String(b.payload) : title;
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = title;
      chip.disabled = busy;
      chip.addEventListener("click", function () {
        send(payload, title, null);
      });
      group.appendChild(chip);
    });
    if (group.childNodes.length) {
      log.appendChild(group);
      scrollToEnd();
    }
  }

  function renderReplies(items) {
    items.forEach(function (item) {
      if (!item || typeof item !== "object") return;
      if (item.text != null && String(item.text) !== "") addBubble("bot", String(item.text));
      if (Array.isArray(item.buttons) && item.buttons.length) addButtons(item.buttons);
    });
  }

  function showTyping() {
    typingEl = document.createElement("div");
    typingEl.className = "msg msg--bot typing";
    typingEl.appendChild(srOnly("Trợ lý đang trả lời…"));
    for (var i = 0; i < 3; i++) {
      var dot = document.createElement("span");
      dot.className = "dot";
      dot.setAttribute("aria-hidden", "true");
      typingEl.appendChild(dot);
    }
    log.appendChild(typingEl);
    scrollToEnd();
  }

  function hideTyping() {
    if (typingEl && typingEl.parentNode) typingEl.parentNode.removeChild(typingEl);
    typingEl = null;
  }

  function setBusy(state) {
    busy = state;
    sendBtn.disabled = state;
    log.setAttribute("aria-busy", state ? "true" : "false");
    var chips = log.querySelectorAll(".chip");
    for (var i = 0; i < chips.length; i++) chips[i].disabled = state;
  }

  // message: what the bot receives; shown: user bubble text;
  // restore: text to put back into the input if sending fails.
  function send(message, shown, restore) {
    if (busy) return;
    addBubble("user", shown);
    setBusy(true);
    showTyping();
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS) : null;
    fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ sender: senderId, message: message }),
      signal: ctrl ? ctrl.signal : undefined
    })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (data) {
        if (!Array.isArray(data)) throw new Error("Unexpected response");
        hideTyping();
        renderReplies(data);
      })
      .catch(function () {
        hideTyping();
        addBubble("error", ERROR_TEXT);
        if (restore && !input.value) {
          input.value = restore;
          autosize();
        }
      })
      .then(function () {
        if (timer) clearTimeout(timer);
        setBusy(false);
      });
  }

  // Which way messages are understood: the server's sentence while the language model starts
  // (make run's first minutes) or is down; polled until the model answers, then rarely.
  var STATUS_ENDPOINT = "/api/chat/status";
  var notice = document.getElementById("nlu-notice");
  function pollStatus() {
    fetch(STATUS_ENDPOINT, { headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        var text = data && typeof data.notice === "string" ? data.notice : "";
        notice.textContent = text;
        notice.hidden = !text;
        setTimeout(pollStatus, data && data.mode === "rasa" ? 60000 : 5000);
      })
      .catch(function () { setTimeout(pollStatus, 15000); });
  }
  if (notice) pollStatus();

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 160) + "px";
  }

  function submitInput() {
    var raw = input.value;
    var text = raw.trim();
    if (!text || busy) return;
    input.value = "";
    autosize();
    send(text, text, raw);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    submitInput();
    input.focus();
  });

  input.addEventListener("keydown", function (e) {
    // Ignore Enter while an IME (e.g. Vietnamese Telex) is composing.
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    submitInput();
  });

  input.addEventListener("input", autosize);
})();
