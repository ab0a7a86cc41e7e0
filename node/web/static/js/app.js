// Progressive enhancement only: every page works without this file.
"use strict";

// --- Case page: live updates (node/cases/live.py) ------------------------------------
// The server only says that the case changed; the page fetches itself and swaps the
// regions marked data-live-region, keeping focus, open details and what the reader
// was looking at, and says so in the aria-live region. Without this (or without
// EventSource) the page works the same and shows changes on reload. Only a visible
// tab keeps a stream open: browsers allow few connections per server.
(function () {
  var page = document.querySelector("[data-live-url]");
  if (!page || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var status = document.getElementById("live-status");
  var source = null;
  var timer = null;
  var busy = false;
  var again = false;

  function replyCount(root) {
    return root.querySelectorAll("#thread li.reply").length;
  }

  // Someone typing in a form inside a region keeps that region as it is.
  function editing(region) {
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden") {
        continue;
      }
      if (field === document.activeElement) {
        return true;
      }
      if ((field.type === "checkbox" || field.type === "radio") ? field.checked !== field.defaultChecked
          : field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  // Where focus is, as (nearest ancestor with an id, index among its focusable children).
  function focusPlace(region) {
    var active = document.activeElement;
    if (!active || active === document.body || !region.contains(active)) {
      return null;
    }
    if (active.id) {
      return { id: active.id, index: -1 };
    }
    var holder = active.parentElement.closest("[id]");
    var all = holder.querySelectorAll("a, button, input, select, textarea, summary");
    return { id: holder.id, index: Array.prototype.indexOf.call(all, active) };
  }

  function restoreFocus(place) {
    var holder = place && document.getElementById(place.id);
    if (!holder) {
      return;
    }
    var target = place.index < 0 ? holder
      : holder.querySelectorAll("a, button, input, select, textarea, summary")[place.index];
    if (target) {
      target.focus({ preventScroll: true });
    }
  }

  // The first reply (or region) in view, and how far from the top of the window it is.
  function anchor() {
    var items = document.querySelectorAll("[data-live-region], #thread li.reply");
    for (var i = 0; i < items.length; i++) {
      var top = items[i].getBoundingClientRect().top;
      if (top >= 0 && items[i].id) {
        return { id: items[i].id, top: top };
      }
    }
    return null;
  }

  function announce(text) {
    if (!status) {
      return;
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 100);
  }

  function swap(fresh) {
    var before = replyCount(document);
    var kept = anchor();
    var regions = document.querySelectorAll("[data-live-region]");
    var changed = false;
    for (var i = 0; i < regions.length; i++) {
      var current = regions[i];
      var next = fresh.getElementById(current.id);
      if (!next || editing(current) || next.innerHTML === current.innerHTML) {
        continue;
      }
      var place = focusPlace(current);
      var open = Array.prototype.map.call(current.querySelectorAll("details[open][id]"),
        function (details) { return details.id; });
      current.replaceWith(next);
      open.forEach(function (id) {
        var details = document.getElementById(id);
        if (details) {
          details.open = true;
        }
      });
      restoreFocus(place);
      changed = true;
    }
    if (kept) {
      var moved = document.getElementById(kept.id);
      if (moved) {
        window.scrollBy(0, moved.getBoundingClientRect().top - kept.top);
      }
    }
    if (changed) {
      announce(replyCount(document) > before ? page.getAttribute("data-live-new")
        : page.getAttribute("data-live-changed"));
    }
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin",
      headers: { Accept: "text/html" }
    }).then(function (response) {
      // Signed out, or the case is gone: stop following it; a reload explains why.
      if (!response.ok || response.redirected) {
        close();
        return null;
      }
      return response.text();
    }).then(function (html) {
      if (html) {
        swap(new DOMParser().parseFromString(html, "text/html"));
      }
    }).catch(function () {
      // Offline for a moment: the next event or reconnection tries again.
    }).then(function () {
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  function later() {
    // Changes come in bursts (a reply, then the origin's new totals): fetch once.
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }

  function open(catchUp) {
    if (source) {
      return;
    }
    var first = true;
    source = new EventSource(page.getAttribute("data-live-url"));
    source.addEventListener("thread", later);
    source.addEventListener("open", function () {
      // After a reconnection (or a hidden tab) events may have been missed.
      if (!first || catchUp) {
        later();
      }
      first = false;
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
      open(true);
    } else {
      close();
    }
  });
  if (document.visibilityState === "visible") {
    open(false);
  }
}());

// --- Dates: the exact moment on hover ------------------------------------------------
// Relative dates ("3 hours ago") carry the exact moment in their datetime attribute
// (i18n/jinja.py formats each date once, on the server); the browser writes it into
// the tooltip in the page's language. Regions that live updates swap in get theirs too.
(function () {
  if (!window.Intl || !Intl.DateTimeFormat || !window.MutationObserver) {
    return;
  }
  var format;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
      { dateStyle: "long", timeStyle: "short" });
  } catch (error) {
    return; // a malformed language tag (a tag the browser lacks falls back to its own)
  }

  function label(root) {
    var times = root.querySelectorAll("time[datetime]:not([title])");
    for (var i = 0; i < times.length; i++) {
      var moment = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(moment.getTime())) {
        times[i].title = format.format(moment);
      }
    }
  }

  label(document);
  new MutationObserver(function () {
    label(document);
  }).observe(document.body, { childList: true, subtree: true });
}());
