/* Dreamland PRO — behaviour shared by every page (no inline scripts: the CSP forbids them).
 *
 * - data-confirm="…" on a form or button asks before submitting.
 * - data-autosubmit on a <select>/<input> submits its form on change (filters).
 * - htmx error answers (4xx/5xx) show their text instead of failing silently.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var text = (button && button.dataset.confirm) || form.dataset.confirm;
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var target = event.detail.target;
    var box = target && target.closest("[data-error-box]") ? target.closest("[data-error-box]") : null;
    var message = xhr.status >= 500 ? (document.documentElement.lang === "ru" ? "Ошибка сервера. Попробуйте ещё раз." : "Server error. Please try again.") : (xhr.responseText || String(xhr.status));
    if (box) {
      box.textContent = message;
      box.hidden = false;
    } else if (xhr.status >= 500) {
      window.alert(message);
    }
  });
})();
