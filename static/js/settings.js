/* The settings page: offer the browser's time zone, and copy the calendar URL. Everything works without it. */
(function () {
  "use strict";

  var input = document.getElementById("timezone-input");
  var hint = document.getElementById("browser-zone-hint");
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  if (input && hint && zone && zone !== input.value) {
    hint.querySelector("[data-browser-zone]").textContent = zone;
    hint.hidden = false;
    document.getElementById("use-browser-zone").addEventListener("click", function () {
      input.value = zone;
      input.focus();
    });
  }

  var copy = document.getElementById("copy-calendar-url");
  var status = document.getElementById("copy-status");
  if (copy) {
    copy.addEventListener("click", function () {
      var field = document.querySelector(copy.dataset.copy);
      field.select();
      function done(ok) { status.textContent = ok ? "Copied." : "Press Ctrl+C (⌘C) to copy the selected URL."; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(false); });
      } else {
        done(false);
      }
    });
  }
  var url = document.getElementById("calendar-url");
  if (url) url.addEventListener("focus", function () { url.select(); });
})();
