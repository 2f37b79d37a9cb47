// The 适老化 (large text, high contrast) switch of the public header. Without JavaScript the link goes to
// /accessibility/mode/, which sets the cookie and comes back; with it, the same cookie is set here and the page
// changes in place. No inline script anywhere: the CSP forbids them.
(function () {
  "use strict";
  var COOKIE = "xn_a11y";
  var toggle = document.getElementById("xn-a11y-toggle");
  var root = document.getElementById("xn-public");
  if (!toggle || !root) { return; }
  toggle.addEventListener("click", function (ev) {
    ev.preventDefault();
    var on = !root.classList.contains("xn-a11y");
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    if (on) {
      document.cookie = COOKIE + "=1; path=/; max-age=31536000; SameSite=Lax" + secure;
    } else {
      document.cookie = COOKIE + "=; path=/; max-age=0; SameSite=Lax" + secure;
    }
    root.classList.toggle("xn-a11y", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    var label = toggle.querySelector("span");
    if (label) { label.textContent = toggle.getAttribute(on ? "data-label-on" : "data-label-off"); }
    var href = new URL(toggle.href, window.location.href);
    href.searchParams.set("on", on ? "0" : "1");
    toggle.href = href.pathname + href.search;
  });
})();
