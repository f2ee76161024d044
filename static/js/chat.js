/* The chat page's small behaviours. HTMX and its ws extension do the talking; the server sends HTML.
   This file only handles keys, focus, scrolling, the address bar, drawers and the connection badge. */
(function () {
  "use strict";

  var transcript = document.getElementById("transcript");
  var composer = document.getElementById("composer");
  var connection = document.getElementById("connection");
  var backdrop = document.querySelector(".drawer-backdrop");
  var stickToBottom = true;
  var lostDuringTurn = false;

  function textarea() { return document.getElementById("message-input"); }
  function controls() { return document.getElementById("composer-controls"); }
  function isBusy() { var c = controls(); return !!c && c.dataset.busy === "true"; }

  function nearBottom() {
    return transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 120;
  }
  function scrollToBottom() { transcript.scrollTop = transcript.scrollHeight; }

  function autoGrow() {
    var box = textarea();
    if (!box) return;
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight, 200) + "px";
  }

  // --- Composer: Enter sends, Shift+Enter is a new line ------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.target.id !== "message-input") return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (!isBusy() && event.target.value.trim()) composer.requestSubmit();
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "message-input") autoGrow();
  });

  // Disable at once on send; the server's first frame swaps in the busy composer (with Stop) right after.
  document.body.addEventListener("htmx:wsBeforeSend", function (event) {
    if (event.target !== composer) return;
    var box = textarea();
    var send = document.getElementById("send-button");
    if (box) box.readOnly = true;
    if (send) send.disabled = true;
    stickToBottom = true;
  });

  // --- Incoming frames ------------------------------------------------------------------------------------
  var wasBusy = false;
  document.body.addEventListener("htmx:wsBeforeMessage", function () {
    stickToBottom = nearBottom();
    wasBusy = isBusy();
  });
  // The sidebar comes from the server for every tab alike; each page marks the conversation it has open.
  function markActiveConversation(id) {
    document.querySelectorAll("#conversation-list .conv").forEach(function (item) {
      var active = item.id === "conv-" + id;
      var link = item.querySelector(".conv-link");
      item.classList.toggle("active", active);
      if (active) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
    });
  }

  document.body.addEventListener("htmx:wsAfterMessage", function (event) {
    if (stickToBottom) scrollToBottom();
    // A new conversation got its id: keep the address bar on it, so a reload reopens it.
    var id = document.getElementById("conversation-id").value;
    if (id && location.pathname !== "/c/" + id + "/") history.replaceState(null, "", "/c/" + id + "/");
    markActiveConversation(id);
    if (wasBusy && !isBusy()) {
      var active = document.activeElement;
      if (!active || active === document.body || composer.contains(active)) {
        var box = textarea();
        if (box) box.focus();
      }
    }
    autoGrow();
  });

  // A turn started in another tab swaps this composer too (busy, with Stop, then idle at its end): keep the draft.
  var ownTurn = false;
  var keptDraft = null;
  document.body.addEventListener("htmx:wsBeforeSend", function (event) {
    if (event.target === composer) ownTurn = true;
  });
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "composer-controls" || ownTurn) return;
    var box = textarea();
    keptDraft = box && box.value ? box.value : null;
  });
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "composer-controls") return;
    var box = textarea();
    if (keptDraft !== null && box && !box.value) box.value = keptDraft;
    keptDraft = null;
    if (!isBusy()) ownTurn = false;
  });

  // --- Connection badge; a reply cut off by a dropped socket is still saved server-side ------------------------
  function setConnection(state, label) {
    connection.dataset.state = state;
    connection.textContent = label;
  }
  document.body.addEventListener("htmx:wsConnecting", function () {
    if (connection.dataset.state !== "open") setConnection("connecting", "Connecting…");
  });
  var opened = false;  // a later open is a reconnect: the page may have missed a reply meanwhile
  document.body.addEventListener("htmx:wsOpen", function (event) {
    setConnection("open", "Connected");
    // (A page rendered mid-reply — typing dots — asks too: that reply may have ended before the socket opened.)
    var waiting = lostDuringTurn || document.getElementById("no-reply-yet") || document.querySelector("#transcript .typing");
    if (lostDuringTurn) {
      lostDuringTurn = false;
      showLostTurn();
    }
    // A reply this page did not see to the end: say which conversation it shows; the server sends the saved
    // transcript now, or when that turn's reply is saved.
    var id = document.getElementById("conversation-id").value;
    if ((waiting || opened) && id && event.detail && event.detail.socketWrapper) {
      event.detail.socketWrapper.send(JSON.stringify({ action: "view", conversation_id: id, busy: isBusy() }));
    }
    opened = true;
  });

  // The socket dropped mid-reply: the server finishes and saves the turn, but this socket will not see the rest.
  // Settle the half-streamed bubble and give the composer back; the view frame brings the saved reply.
  function showLostTurn() {
    document.querySelectorAll("#transcript .typing").forEach(function (dots) { dots.remove(); });
    document.querySelectorAll("#transcript .md.streaming").forEach(function (md) { md.classList.remove("streaming"); });
    var bubbles = document.querySelectorAll("#transcript article.msg.assistant");
    var status = bubbles.length ? bubbles[bubbles.length - 1].querySelector(".msg-status") : null;
    if (status) {
      status.className = "msg-status stopped";
      status.setAttribute("role", "status");
      status.innerHTML = '<span class="badge-stopped">Connection lost</span> The assistant is finishing this ' +
        'reply; it will appear here once it is saved.';
    }
    var c = controls();
    var box = textarea();
    if (c) { c.dataset.busy = "false"; c.classList.remove("busy"); }
    if (box) { box.disabled = false; box.readOnly = false; box.placeholder = box.dataset.idlePlaceholder || ""; }
    var stop = document.getElementById("stop-button");
    var send = document.getElementById("send-button");
    if (stop) stop.hidden = true;
    if (send) { send.hidden = false; send.disabled = false; }
    if (stickToBottom) scrollToBottom();
  }
  document.body.addEventListener("htmx:wsClose", function (event) {
    var code = event.detail && event.detail.event ? event.detail.event.code : 0;
    if (code === 4401) {
      setConnection("closed", "Signed out");
      connection.innerHTML = 'Signed out — <a href="/accounts/login/?next=' + encodeURIComponent(location.pathname) + '">sign in</a>';
      return;
    }
    if (isBusy()) lostDuringTurn = true;
    setConnection("closed", "Reconnecting…");
  });

  // --- Task panel: the add form sits outside the re-rendered body; clear it once the task was added ------------
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.classList || !form.classList.contains("task-add") || !event.detail.successful) return;
    if (event.detail.xhr.responseText.indexOf('class="panel-error"') === -1) form.reset();
  });

  // --- Task panel: inline edit --------------------------------------------------------------------------------
  // Esc (or Cancel) puts the row back; after Save or Cancel the focus returns to the row's Edit button.
  var focusAfterSwap = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest("form.task-edit");
    if (!form) return;
    event.preventDefault();
    form.querySelector("[data-edit-cancel]").click();
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt.closest && elt.closest("form.task-edit");
    if (form) focusAfterSwap = "task-" + form.dataset.taskId + "-edit";
  });
  // On the swap itself (afterSwap): by settle time a broadcast may already have replaced the swapped body.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // Only the answer to that request (not a websocket broadcast), and not the badge swapped out of band first.
    if (!focusAfterSwap || !event.detail.xhr || event.detail.target.id === "task-count-badge") return;
    var button = document.getElementById(focusAfterSwap);
    focusAfterSwap = null;
    if (button && !document.querySelector("form.task-edit")) button.focus();
  });

  // A broadcast re-renders the panel body: an edit form open in it stays (with what was typed; hx-preserve
  // moves the live form into the new body), an opened Completed section stays open, and the focus stays on
  // the control that had it (a broadcast follows every panel action, right after the action's own answer).
  var refocusId = null;
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var fragment = event.detail.fragment;
    if (!target || target.id !== "task-panel-body" || !fragment) return;
    var active = document.activeElement;
    refocusId = active && active.id && target.contains(active) ? active.id : null;
    target.querySelectorAll("#pending-tasks li.task.editing").forEach(function (editor) {
      // Being saved: this broadcast is most likely that save's (its answer may come second and swap into the
      // replaced body), so the saved row takes the form's place.
      if (editor.querySelector("form.htmx-request")) return;
      var row = fragment.querySelector("#pending-tasks #" + CSS.escape(editor.id.replace("task-edit-", "task-")));
      if (!row) return;  // completed or deleted elsewhere: the editor goes
      var slot = document.createElement("li");
      slot.id = editor.id;
      slot.setAttribute("hx-preserve", "true");
      row.replaceWith(slot);
    });
  });
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    if (!refocusId || !event.detail.target || event.detail.target.id !== "task-panel-body") return;
    var elt = document.getElementById(refocusId) || (focusAfterSwap && document.getElementById(focusAfterSwap));
    refocusId = null;
    if (elt && elt.id === focusAfterSwap) focusAfterSwap = null;
    if (elt && document.activeElement !== elt) elt.focus({ preventScroll: true });
  });
  // "Show more" survives a re-render: remember how many rows each section showed, and when a new body comes
  // (a broadcast, or a panel action's answer) with fewer, fetch the rest in one request (?offset=&limit=).
  var sectionRows = {};
  function shownRows(list) {
    return list.querySelectorAll(":scope > li.task").length;
  }
  // The rows a list had shown beyond the new one's, in one request from the new list's own "more" button: a
  // request from an earlier list (replaced meanwhile) must not block it.
  function fetchRest(more, want, have) {
    if (!more || want <= have) return;
    var url = more.getAttribute("hx-get") + "&limit=" + (want - have);
    htmx.ajax("GET", url, { source: more, target: more.parentElement, swap: "outerHTML" });
  }
  document.body.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (!elt.querySelectorAll) return;
    var list = elt.parentElement && elt.parentElement.closest("ul[data-section]");
    if (list && !elt.querySelector("ul[data-section]")) {  // rows added by Show more (or a restore below)
      if (list.isConnected) sectionRows[list.dataset.section] = shownRows(list);
      return;
    }
    elt.querySelectorAll("ul[data-section]").forEach(function (section) {  // a new panel body
      var key = section.dataset.section;
      var more = document.getElementById("section-" + key + "-more-button");
      fetchRest(more, sectionRows[key] || 0, shownRows(section));
    });
  });
  // The sidebar too: "Show older conversations" stays as far open when a new list comes (a chat started anywhere).
  var shownConversations = 0;
  document.body.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (!elt.querySelectorAll) return;
    var list = document.getElementById("conversation-list");
    if (!list || list.classList.contains("search-results")) return;
    var have = list.querySelectorAll(":scope > li.conv").length;
    if (elt !== list) {  // older conversations added below (Show older, or a restore)
      if (list.contains(elt) && elt.classList.contains("conv")) shownConversations = have;
      return;
    }
    fetchRest(document.getElementById("conversation-more-button"), shownConversations, have);
  });
  var completedOpen = false;
  document.addEventListener("toggle", function (event) {
    if (event.target.id === "completed-section") completedOpen = event.target.open;
  }, true);
  document.body.addEventListener("htmx:load", function (event) {
    var details = document.getElementById("completed-section");
    if (details && event.detail.elt.contains(details) && details.open !== completedOpen) details.open = completedOpen;
  });

  // --- Time zone: until the user has chosen one, propose the browser's (one click stores it) -------------------
  var tzPrompt = document.getElementById("tz-prompt");
  if (tzPrompt) {
    var browserZone = "";
    try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { browserZone = ""; }
    if (browserZone && browserZone !== tzPrompt.dataset.current) {
      tzPrompt.querySelector("[data-tz-name]").textContent = browserZone;
      tzPrompt.querySelector("[data-tz-input]").value = browserZone;
      tzPrompt.hidden = false;
    }
  }
  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-tz-dismiss]");
    if (dismiss) document.getElementById("tz-prompt").hidden = true;
  });

  // --- Suggestions in the empty state --------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-suggest]");
    if (!chip || isBusy()) return;
    var box = textarea();
    box.value = chip.dataset.suggest;
    composer.requestSubmit();
  });

  // --- Drawers (conversations, tasks) on narrow screens --------------------------------------------------------
  function closeDrawers(except) {
    document.querySelectorAll(".drawer-toggle").forEach(function (toggle) {
      if (toggle === except) return;
      toggle.setAttribute("aria-expanded", "false");
      document.getElementById(toggle.dataset.drawer).classList.remove("open");
    });
  }
  function syncBackdrop() {
    backdrop.hidden = !document.querySelector(".drawer.open");
  }
  document.querySelectorAll(".drawer-toggle").forEach(function (toggle) {
    toggle.addEventListener("click", function () {
      var drawer = document.getElementById(toggle.dataset.drawer);
      var open = !drawer.classList.contains("open");
      closeDrawers(toggle);
      drawer.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      syncBackdrop();
      if (open) {
        // Not a text field: on a phone that would pop the keyboard up over the drawer it just opened.
        var first = drawer.querySelector("a, button, summary");
        if (first) first.focus();
      }
    });
  });
  backdrop.addEventListener("click", function () { closeDrawers(null); syncBackdrop(); });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented || !document.querySelector(".drawer.open")) return;
    var open = document.querySelector(".drawer-toggle[aria-expanded='true']");
    closeDrawers(null);
    syncBackdrop();
    if (open) open.focus();
  });

  scrollToBottom();
  autoGrow();
})();
