// "Add a row" for the inline formsets of the item form: clone the <template> of an empty row.
// A separate file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-formset-add]");
    if (!btn) { return; }
    ev.preventDefault();
    var key = btn.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + key + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + key + "-MAX_NUM_FORMS");
    var tpl = document.getElementById(key + "-empty");
    var body = document.querySelector("table[data-formset='" + key + "'] tbody");
    if (!total || !tpl || !body) { return; }
    var n = parseInt(total.value, 10);
    if (max && n >= parseInt(max.value, 10)) { return; }
    var html = tpl.innerHTML.replace(/__prefix__/g, String(n));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(n + 1);
    var first = body.lastElementChild && body.lastElementChild.querySelector("input:not([type=hidden]), select");
    if (first) { first.focus(); }
  });
})();
