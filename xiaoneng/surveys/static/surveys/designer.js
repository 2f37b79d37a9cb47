// The designer's question form: show the options box for choice questions and the department list for a matrix.
(function () {
  "use strict";
  function sync(form) {
    var kind = form.querySelector("[name=kind]");
    if (!kind) { return; }
    var v = kind.value;
    form.querySelectorAll("[data-for-kind]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for-kind").split(" ").indexOf(v) < 0;
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "kind") { sync(e.target.form); }
  });
  function all() { document.querySelectorAll("form[data-question-form]").forEach(sync); }
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSwap", all);
  all();
}());
