// The unread badge in the navigation follows GET /notifications/events (server-sent
// events). Progressive enhancement: without this file the badge shows the count of
// when the page was rendered. Only a visible tab keeps a stream open, so background
// tabs do not use up the browser's few connections per server.
"use strict";
(function () {
  var badge = document.querySelector("[data-unread-badge][data-events]");
  if (!badge || !window.EventSource) {
    return;
  }
  var number = badge.querySelector("[data-unread-count]");
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
  var source = null;

  // The server counts up to 100 and the badge says "99+" from there (data-many is
  // that text in the page's language).
  function show(count) {
    number.textContent = count > 99 ? number.getAttribute("data-many") : format.format(count);
    badge.hidden = count === 0;
  }

  function open() {
    if (source) {
      return;
    }
    source = new EventSource(badge.getAttribute("data-events"));
    source.addEventListener("unread", function (event) {
      var data = JSON.parse(event.data);
      if (typeof data.unread_count === "number") {
        show(data.unread_count);
      }
    });
  }

  function close() {
    if (source) {
      source.close();
      source = null;
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      open();
    } else {
      close();
    }
  });
  window.addEventListener("pagehide", close);
  if (document.visibilityState !== "hidden") {
    open();
  }
})();
