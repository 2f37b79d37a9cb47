// Small behaviours shared by every page. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";
  // Language selector submits on change (a plain form still works without JS).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches("[data-autosubmit]")) { el.form.submit(); }
  });
  // Print buttons on service guides and documents.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-print]");
    if (el) { ev.preventDefault(); window.print(); }
    var confirmEl = ev.target.closest("[data-confirm]");
    if (confirmEl && !window.confirm(confirmEl.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });
  // htmx sends the CSRF token from the cookie-less meta tag.
  document.addEventListener("htmx:configRequest", function (ev) {
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta) { ev.detail.headers["X-CSRFToken"] = meta.content; }
  });
})();
