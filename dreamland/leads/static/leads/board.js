/* The pipeline board: drag a card to another column (SortableJS) or use its "Move" menu.
 *
 * A move is a POST to the address of the card's move form (as htmx would send it): 200 brings the
 * re-rendered card, 422 the rule's message, and the card goes back where it was. A drop on
 * "won" opens the booking form (a lead is won only by booking it); "lost" asks for a reason.
 */
(function () {
  "use strict";

  var board = document.querySelector("[data-board]");
  if (!board) { return; }
  var errorBox = document.querySelector("[data-board-error]");
  var dialog = document.querySelector("[data-lost-dialog]");
  var csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { csrf = ""; }

  function showError(text) {
    if (!errorBox) { return; }
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function column(status) { return board.querySelector('[data-cards="' + status + '"]'); }

  function bump(status, delta) {
    var section = board.querySelector('[data-column="' + status + '"] [data-count]');
    if (section) { section.textContent = String(Math.max(0, parseInt(section.textContent, 10) + delta)); }
  }

  // Put a card back in the list it came from, at the place it had.
  function restore(card, from, index) {
    var ref = from.children[index] || null;
    if (ref === card) { return; }
    from.insertBefore(card, ref);
  }

  function askReason() {
    return new Promise(function (resolve) {
      if (!dialog || !dialog.showModal) { resolve(null); return; }
      var select = dialog.querySelector("select");
      select.value = "";
      dialog.returnValue = "";
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        resolve(dialog.returnValue === "ok" && select.value ? select.value : null);
      });
      dialog.showModal();
      select.focus();
    });
  }

  function post(card, status, reason) {
    var body = new FormData();
    body.append("status", status);
    if (reason) { body.append("lost_reason", reason); }
    body.append("next", window.location.pathname + window.location.search);
    return fetch(card.querySelector("[data-move-form]").getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" }
    });
  }

  // Move `card` from list `from` (position `index`) to `status`; it is already shown there.
  function move(card, from, index, status) {
    var previous = card.dataset.status;
    showError("");
    if (status === "won") {
      restore(card, from, index);
      window.location.assign(board.dataset.bookUrl + card.dataset.lead);
      return;
    }
    var reasonFor = status === "lost" ? askReason() : Promise.resolve(null);
    reasonFor.then(function (reason) {
      if (status === "lost" && !reason) { restore(card, from, index); return; }
      card.classList.add("lc-busy");
      return post(card, status, reason).then(function (response) {
        return response.text().then(function (text) {
          card.classList.remove("lc-busy");
          if (!response.ok) {
            restore(card, from, index);
            showError(text || String(response.status));
            return;
          }
          var holder = document.createElement("ol");
          holder.innerHTML = text.trim();
          var fresh = holder.firstElementChild;
          if (fresh) {
            card.replaceWith(fresh);
            if (window.htmx) { window.htmx.process(fresh); }
          }
          bump(previous, -1);
          bump(status, 1);
        });
      });
    }).catch(function () {
      card.classList.remove("lc-busy");
      restore(card, from, index);
      showError(document.documentElement.lang === "ru" ? "Нет связи с сервером." : "The server could not be reached.");
    });
  }

  if (window.Sortable) {
    board.querySelectorAll("[data-cards]").forEach(function (list) {
      window.Sortable.create(list, {
        group: "pipeline",
        animation: 150,
        forceFallback: true, // mouse and touch events, not native drag: the same on every device
        draggable: ".lead-card:not(.final)",
        filter: "a, button, input, select, summary, .lc-more",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.to === event.from) { return; }
          move(event.item, event.from, event.oldIndex, event.to.dataset.cards);
        }
      });
    });
  }

  // The status menu: the keyboard and touch way to do the same move.
  board.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-move-form]") || !event.submitter) { return; }
    event.preventDefault();
    var card = form.closest(".lead-card");
    var from = card.parentElement;
    var index = Array.prototype.indexOf.call(from.children, card);
    var status = event.submitter.value;
    var target = column(status);
    form.closest("details").open = false;
    if (target && status !== "won") { target.insertBefore(card, target.firstChild); }
    move(card, from, index, status);
  });

  // Bulk reassignment: say how many cards are ticked.
  var picked = document.querySelector("[data-picked]");
  if (picked) {
    var idle = picked.textContent;
    document.addEventListener("change", function (event) {
      if (!event.target.matches(".lc-pick")) { return; }
      var n = document.querySelectorAll(".lc-pick:checked").length;
      picked.textContent = n ? (document.documentElement.lang === "ru" ? "Выбрано: " + n : n + " selected") : idle;
    });
  }
})();
