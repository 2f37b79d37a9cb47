// 好差评 pages: the comment's character counter, and the tablet's end of a rating (no inline scripts: CSP).
(function () {
  "use strict";
  function update(el) {
    var out = document.getElementById(el.getAttribute("data-counter"));
    if (out) { out.textContent = String(el.value.length); }
  }
  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("[data-counter]")) { update(el); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counter]").forEach(update);
  });
})();
