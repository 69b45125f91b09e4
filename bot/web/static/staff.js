"use strict";

// Regions marked data-live (the hand-off list, a conversation's messages) are refetched every
// few seconds and swapped in place: new hand-offs and messages appear without a reload, and a
// reply being typed elsewhere on the page is left alone.
(function () {
  var EVERY_MS = 4000;
  var regions = document.querySelectorAll("[data-live]");
  if (!regions.length || typeof DOMParser !== "function") return;

  function refresh() {
    fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok || res.redirected) throw new Error("HTTP " + res.status);
        return res.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        Array.prototype.forEach.call(regions, function (region) {
          var fresh = doc.querySelector('[data-live="' + region.getAttribute("data-live") + '"]');
          if (fresh && fresh.innerHTML !== region.innerHTML) region.innerHTML = fresh.innerHTML;
        });
      })
      .catch(function () { /* signed out or offline: the next try may work */ })
      .then(function () { setTimeout(refresh, EVERY_MS); });
  }
  setTimeout(refresh, EVERY_MS);
})();
