/* The chat page's message actions and shortcuts: Copy (replies and code blocks), Edit (the last question),
   Regenerate (a ws-send button, nothing to do here), keyboard (Esc stops, ↑ edits, Ctrl+Shift+O new chat),
   the microphone (Web Speech API, where the browser has it), timestamps in the reader's zone, the tab title,
   the dismissable demo banner and the sidebar search kept across sidebar re-renders. */
(function () {
  "use strict";

  var composer = document.getElementById("composer");
  if (!composer) return;
  function textarea() { return document.getElementById("message-input"); }
  function isBusy() { var c = document.getElementById("composer-controls"); return !!c && c.dataset.busy === "true"; }

  // --- Copy ---------------------------------------------------------------------------------------------
  function flash(button, label) {
    var title = button.getAttribute("title");
    button.classList.add("done");
    button.setAttribute("title", label);
    setTimeout(function () { button.classList.remove("done"); button.setAttribute("title", title); }, 1500);
  }
  function copy(text, button) {
    if (!navigator.clipboard) return;
    navigator.clipboard.writeText(text).then(function () { flash(button, "Copied"); }, function () { flash(button, "Could not copy"); });
  }
  function addCodeButtons(root) {
    root.querySelectorAll(".md pre").forEach(function (pre) {
      if (pre.querySelector(".copy-code")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-code";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy code");
      button.setAttribute("title", "Copy code");
      pre.appendChild(button);
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (button) { copy(button.dataset.markdown || "", button); return; }
    var code = event.target.closest(".copy-code");
    if (code) { var source = code.parentElement.querySelector("code"); copy(source ? source.textContent : "", code); }
  });

  // --- Edit the last question ------------------------------------------------------------------------------
  var editOf = document.getElementById("edit-of");
  var editingBar = document.getElementById("editing-bar");
  function stopEditing(clear) {
    editOf.value = "";
    editingBar.hidden = true;
    composer.classList.remove("editing");
    if (clear && textarea()) textarea().value = "";
  }
  function startEditing(button) {
    var box = textarea();
    if (!box || isBusy()) return;
    editOf.value = button.dataset.edit;
    box.value = button.dataset.text;
    editingBar.hidden = false;
    composer.classList.add("editing");
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-edit]");
    if (button) startEditing(button);
    if (event.target.closest("[data-edit-cancel-composer]")) { stopEditing(true); textarea().focus(); }
  });
  document.body.addEventListener("htmx:wsAfterSend", function (event) {
    if (event.target === composer) stopEditing(false);
  });

  // Only the last question can be edited, only the last reply regenerated: mark them after every change.
  function markLast() {
    ["user", "assistant"].forEach(function (role) {
      var all = document.querySelectorAll("#transcript article.msg." + role + ":not(.replaced)");
      all.forEach(function (el, i) { el.toggleAttribute("data-last", i === all.length - 1); });
    });
  }

  // --- Keyboard ---------------------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.shiftKey && (event.key === "O" || event.key === "o")) {
      event.preventDefault();
      location.href = "/";
      return;
    }
    if (event.key === "Escape" && isBusy() && !document.querySelector(".drawer.open")) {
      var stop = document.getElementById("stop-button");
      if (stop && !stop.hidden) { event.preventDefault(); stop.click(); }
      return;
    }
    if (event.key === "Escape" && editOf.value && event.target.id === "message-input") {
      event.preventDefault();
      stopEditing(true);
      return;
    }
    if (event.key === "ArrowUp" && event.target.id === "message-input" && !event.target.value && !isBusy()) {
      var last = document.querySelector("#transcript article.msg.user[data-last] [data-edit]");
      if (last) { event.preventDefault(); startEditing(last); }
    }
  });

  // --- Microphone: only where the browser has speech recognition ---------------------------------------------
  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  var listening = null;
  function showMic() {
    var mic = document.getElementById("mic-button");
    if (mic && Recognition) mic.hidden = false;
  }
  document.addEventListener("click", function (event) {
    var mic = event.target.closest("#mic-button");
    if (!mic || !Recognition) return;
    if (listening) { listening.stop(); return; }
    var box = textarea();
    var start = box.value ? box.value.replace(/\s*$/, " ") : "";
    listening = new Recognition();
    listening.interimResults = true;
    listening.lang = document.documentElement.lang || "en";
    listening.onresult = function (e) {
      var said = "";
      for (var i = 0; i < e.results.length; i++) said += e.results[i][0].transcript;
      box.value = start + said;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    };
    listening.onend = function () { listening = null; mic.setAttribute("aria-pressed", "false"); box.focus(); };
    mic.setAttribute("aria-pressed", "true");
    listening.start();
  });

  // --- Timestamps, tab title --------------------------------------------------------------------------------
  function localTimes(root) {
    root.querySelectorAll("time.msg-time[datetime]").forEach(function (time) {
      var when = new Date(time.getAttribute("datetime"));
      if (isNaN(when)) return;
      time.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      time.title = when.toLocaleString([], { dateStyle: "full", timeStyle: "short" });
    });
  }
  function syncTitle() {
    var active = document.querySelector("#conversation-list .conv.active .conv-link");
    var title = active ? active.textContent.trim() : (document.getElementById("conversation-id").value ? "" : "New chat");
    if (!title) return;
    document.title = title + " · Todo Assistant";
    var heading = document.getElementById("chat-title");
    if (heading) heading.textContent = title;
  }

  // --- The demo banner: dismissed for good (a cookie the page reads) --------------------------------------------
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-dismiss-banner]")) return;
    document.cookie = "demo_banner=dismissed; path=/; max-age=31536000; SameSite=Lax";
    var banner = document.getElementById("demo-banner");
    if (banner) banner.remove();
    textarea().focus();
  });

  // --- Search: a sidebar re-rendered by news from another tab keeps showing the results -------------------------
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var search = document.getElementById("conversation-search");
    if (event.detail.target && event.detail.target.id === "conversation-list" && search && search.value.trim()) {
      htmx.trigger(search, "search");
    }
  });

  function refresh(root) {
    addCodeButtons(root);
    localTimes(root);
    markLast();
    showMic();
    syncTitle();
  }
  document.body.addEventListener("htmx:wsAfterMessage", function () { refresh(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) { refresh(event.detail.elt || document); });
  refresh(document);

  // The composer has the focus on load, except on touch screens (the keyboard would cover the page).
  if (window.matchMedia && window.matchMedia("(pointer: fine)").matches && textarea() && !location.hash) textarea().focus();
})();
