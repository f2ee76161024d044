/* Light or dark: the user's remembered choice (localStorage), else the system's (prefers-color-scheme).
   Runs in <head> before the first paint; the toggle button (any page) flips and remembers it. */
(function () {
  "use strict";
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function stored() { try { return localStorage.getItem("theme"); } catch (e) { return null; } }
  function current() { return stored() || (media && media.matches ? "dark" : "light"); }
  function apply() {
    var theme = current();
    root.dataset.theme = theme;
    var button = document.getElementById("theme-toggle");
    if (button) button.setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
  }
  apply();
  if (media && media.addEventListener) media.addEventListener("change", apply);
  document.addEventListener("DOMContentLoaded", apply);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#theme-toggle");
    if (!button) return;
    try { localStorage.setItem("theme", current() === "dark" ? "light" : "dark"); } catch (e) { /* private mode */ }
    apply();
  });
})();
