// Complaint forms: a second click on submit does nothing while the first request runs (the server's
// idempotency token makes a repeated submit harmless anyway). No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-once]")) { return; }
    if (form.dataset.sent === "1") { ev.preventDefault(); return; }
    form.dataset.sent = "1";
    var btn = form.querySelector("button[type=submit]");
    if (btn) { btn.setAttribute("aria-busy", "true"); btn.classList.add("disabled"); }
  });
})();
