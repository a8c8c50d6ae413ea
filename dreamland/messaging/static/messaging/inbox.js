/* The inbox and conversation: live cursor poll, "N new" pill, thread merge, drafts, countdown,
 * Ctrl/Cmd+Enter, template preview, Alt+J / Alt+K. No inline scripts (CSP); everything read
 * from data-* attributes and rendered as text, never as HTML from user input.
 *
 * Poll: GET /inbox/poll/?since=<cursor> every 2.5 s while the tab is visible (15 s when hidden,
 * backing off to 30 s while failing). 204 = nothing changed. 200 = {cursor, unread}: the list
 * shows a pill (or refreshes when the pointer is away and it is scrolled to the top), the open
 * thread fetches what changed since its own cursor and merges it by id.
 */
(function () {
  "use strict";

  var root = document.getElementById("inbox");
  if (!root) { return; }

  var VISIBLE_MS = 2500, HIDDEN_MS = 15000, MAX_BACKOFF_MS = 30000;
  var cursor = root.dataset.cursor || "";
  var lastOk = Date.now();
  var failures = 0;
  var timer = null;
  var pointerOverList = false;

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }

  // --- live mark ---------------------------------------------------------------------------
  function renderLive() {
    var mark = document.querySelector("[data-live]");
    if (!mark) { return; }
    var seconds = Math.round((Date.now() - lastOk) / 1000);
    if (failures > 0) {
      mark.classList.add("offline");
      mark.textContent = fmt(root.dataset.labelOffline, { seconds: seconds });
    } else {
      mark.classList.remove("offline");
      mark.textContent = seconds < 5 ? root.dataset.labelLive : fmt(root.dataset.labelAgo, { seconds: seconds });
    }
  }
  setInterval(renderLive, 1000);

  // --- unread total in the top bar and the tab title ---------------------------------------
  function setUnread(total) {
    var title = document.title.replace(/^\(\d+\)\s*/, "");
    document.title = total > 0 ? "(" + total + ") " + title : title;
    var link = document.querySelector('.nav a[href="/inbox/"]');
    if (!link) { return; }
    var badge = link.querySelector("[data-unread-total]");
    if (total > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge";
        badge.setAttribute("data-unread-total", "");
        link.appendChild(document.createTextNode(" "));
        link.appendChild(badge);
      }
      badge.textContent = String(total);
    } else if (badge) {
      badge.remove();
    }
  }

  // --- the list ------------------------------------------------------------------------------
  function listRegion() { return document.getElementById("list"); }

  function refreshList() {
    var list = listRegion();
    if (!list || !window.htmx) { return; }
    var query = list.dataset.query ? "&" + list.dataset.query : "";
    var t = thread();
    var active = t ? "&active=" + encodeURIComponent(t.dataset.client) : "";
    window.htmx.ajax("GET", root.dataset.listUrl + "?part=list" + query + active, { target: "#list", swap: "outerHTML" });
  }

  function showPill() {
    var list = listRegion();
    if (!list) { return; }
    var scroller = document.querySelector(".inbox-list");
    var atTop = !scroller || scroller.scrollTop < 4;
    // a list still loading (beside a conversation) has no top row to count from
    if ((!pointerOverList && atTop) || !("top" in list.dataset)) { refreshList(); return; }
    var query = list.dataset.query ? "&" + list.dataset.query : "";
    fetch(root.dataset.newUrl + "?top=" + encodeURIComponent(list.dataset.top || "") + query, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var slot = document.getElementById("pill-slot");
        if (slot) { slot.innerHTML = html; }  // server-rendered, escaped partial
      })
      .catch(function () {});
  }

  document.addEventListener("mouseover", function (event) {
    pointerOverList = !!(event.target.closest && event.target.closest(".inbox-list"));
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-pill]")) { refreshList(); }
  });

  // --- the thread ------------------------------------------------------------------------------
  function thread() { return document.getElementById("thread"); }
  function messages() { return document.getElementById("messages"); }

  function nearBottom() {
    var box = messages();
    return !box || box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }
  function scrollToBottom() {
    var box = messages();
    if (box) { box.scrollTop = box.scrollHeight; }
  }

  /* Merge server-rendered items: replace the ones shown (ticks moved), append the new ones. */
  function mergeItems(html) {
    var items = document.getElementById("thread-items");
    if (!items || !html.trim()) { return; }
    var stick = nearBottom();
    var holder = document.createElement("template");
    holder.innerHTML = html;
    Array.prototype.forEach.call(holder.content.querySelectorAll("[data-item-id]"), function (node) {
      var existing = document.getElementById(node.id);
      if (existing) { existing.replaceWith(node); } else { items.appendChild(node); }
      if (window.htmx) { window.htmx.process(node); }
    });
    if (stick) { scrollToBottom(); }
  }

  function refreshComposer() {
    var t = thread();
    if (t && window.htmx) {
      window.htmx.ajax("GET", t.dataset.composerUrl, { target: "#composer", swap: "outerHTML" });
    }
  }

  function fetchThreadChanges() {
    var t = thread();
    if (!t) { return; }
    fetch(t.dataset.changesUrl + "?since=" + encodeURIComponent(t.dataset.cursor || ""), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        t.dataset.cursor = r.headers.get("X-Cursor") || t.dataset.cursor;
        var open = r.headers.get("X-Window-Open");
        var composer = document.getElementById("composer");
        if (composer && open !== null && composer.dataset.windowOpen !== open) { refreshComposer(); }
        return r.text();
      })
      .then(mergeItems)
      .catch(function () {});
  }

  // --- the poll -------------------------------------------------------------------------------
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }
  function nextDelay() {
    if (failures > 0) { return Math.min(VISIBLE_MS * Math.pow(2, failures), MAX_BACKOFF_MS); }
    return document.hidden ? HIDDEN_MS : VISIBLE_MS;
  }
  function poll() {
    fetch(root.dataset.pollUrl + "?since=" + encodeURIComponent(cursor), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 204) { return null; }
        if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("json") < 0) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (data) {
        failures = 0;
        lastOk = Date.now();
        if (data) {
          cursor = data.cursor;
          setUnread(data.unread);
          showPill();
          fetchThreadChanges();
        }
        renderLive();
        schedule(nextDelay());
      })
      .catch(function () {
        failures += 1;
        renderLive();
        schedule(nextDelay());
      });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(200); }
  });
  schedule(VISIBLE_MS);

  // --- sending: merge the answer, clear the draft, refresh the picker ----------------------
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var xhr = event.detail.xhr;
    if (!elt || !xhr || !elt.matches || !(xhr.status >= 200 && xhr.status < 300)) { return; }
    if (elt.matches("[data-reply-form], [data-template-form], [data-retry-form], [data-log-form]")) {
      mergeItems(xhr.responseText);
      scrollToBottom();
      if (elt.matches("[data-reply-form]")) {
        var body = elt.querySelector("textarea[name=body]");
        if (body) { body.value = ""; }
        sessionStorage.removeItem(draftKey(elt.dataset.client));
      } else if (elt.matches("[data-template-form]")) {
        refreshComposer();
      } else if (elt.matches("[data-log-form]")) {
        elt.reset();
        var details = elt.closest("details");
        if (details) { details.open = false; }
      }
    }
  });

  // --- drafts stay with their conversation (sessionStorage keyed by client id) ---------------
  function draftKey(clientId) { return "dreamland:draft:" + clientId; }
  function restoreDraft() {
    var form = document.querySelector("[data-reply-form]");
    if (!form) { return; }
    var body = form.querySelector("textarea[name=body]");
    var saved = sessionStorage.getItem(draftKey(form.dataset.client));
    if (body && saved && !body.value) { body.value = saved; }
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("[data-reply-form]");
    if (form && event.target.name === "body") {
      if (event.target.value) { sessionStorage.setItem(draftKey(form.dataset.client), event.target.value); }
      else { sessionStorage.removeItem(draftKey(form.dataset.client)); }
    }
    var tform = event.target.closest && event.target.closest("[data-template-form]");
    if (tform) { renderPreview(tform); }
  });

  // --- Ctrl/Cmd+Enter sends; Alt+J / Alt+K move between conversations --------------------------
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.closest && event.target.closest("[data-reply-form]");
      if (form) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.code === "KeyJ" || event.code === "KeyK")) {
      event.preventDefault();
      var links = Array.prototype.slice.call(document.querySelectorAll("#rows [data-client]"));
      var current = -1;
      links.forEach(function (a, i) { if (a.closest(".row").classList.contains("active")) { current = i; } });
      var t = thread();
      var target = null;
      if (event.code === "KeyJ") {
        target = links[current + 1] ? links[current + 1].href : null;
      } else {
        target = current > 0 ? links[current - 1].href : null;
      }
      if (!target && current < 0 && t && t.dataset.neighbours) {
        // Further down than the list beside: the server looks the neighbours up on demand.
        var key = event.code === "KeyJ" ? "next" : "prev";
        fetch(t.dataset.neighbours, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : {}; })
          .then(function (found) {
            var go = found[key] || (links.length ? links[0].href : null);
            if (go) { window.location.assign(go); }
          })
          .catch(function () {});
        return;
      }
      if (!target && current < 0 && links.length) { target = links[0].href; }
      if (target) { window.location.assign(target); }
    }
  });

  // --- the 24-hour window countdown ----------------------------------------------------------
  function renderCountdown() {
    var note = document.querySelector("[data-window-expires]");
    if (!note) { return; }
    var expires = Date.parse(note.dataset.windowExpires);
    if (isNaN(expires)) { return; }
    var minutes = Math.floor((expires - Date.now()) / 60000);
    if (minutes <= 0) { refreshComposer(); return; }
    var hours = Math.floor(minutes / 60);
    var left = hours > 0 ? fmt(note.dataset.labelHm, { hours: hours, minutes: minutes % 60 }) : fmt(note.dataset.labelM, { minutes: minutes });
    note.textContent = fmt(note.dataset.label, { left: left });
  }
  setInterval(renderCountdown, 30000);

  // --- template preview: {{n}} replaced by the typed values, as text --------------------------
  function renderPreview(form) {
    var preview = form.querySelector("[data-preview]");
    if (!preview) { return; }
    var text = form.dataset.content || "";
    text = text.replace(/\{\{\s*(\d+)\s*\}\}/g, function (whole, n) {
      var input = form.querySelector('[data-placeholder="' + n + '"]');
      return input && input.value.trim() ? input.value : "[" + (input ? input.previousElementSibling.textContent.replace(/^\d+\.\s*/, "") : n) + "]";
    });
    preview.textContent = text;
    preview.classList.toggle("incomplete", /\[[^\]]+\]/.test(text));
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) { return; }
    var forms = target.matches && target.matches("[data-template-form]") ? [target] : target.querySelectorAll ? target.querySelectorAll("[data-template-form]") : [];
    Array.prototype.forEach.call(forms, renderPreview);
    restoreDraft();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var t = event.detail.target;
    if (t && t.id === "template_form") { renderPreview(t); }
  });

  restoreDraft();
  scrollToBottom();
  renderCountdown();
  Array.prototype.forEach.call(document.querySelectorAll("[data-template-form]"), renderPreview);
  var body = document.querySelector("[data-reply-form] textarea[name=body]");
  if (body && window.matchMedia("(min-width: 761px)").matches) { body.focus(); }
})();
