"""The chat page in a real Chromium: streaming, the live task panel, Stop, escaping, mobile, undo, resume."""

import os
import re
import shutil

import pytest
from playwright.sync_api import expect

from groq_emulator import Fault, Reply, ToolCall

from .conftest import REPO, log_in

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def send(page, text: str) -> None:
    """Type and press Enter; returns once the turn has started (its bubbles are on the page)."""
    before = page.locator("article.msg.user").count()
    page.fill("#message-input", text)
    page.press("#message-input", "Enter")
    expect(page.locator("article.msg.user")).to_have_count(before + 1)


def wait_reply_done(page) -> None:
    """The turn is over when the composer is back (idle) and the typing dots are gone."""
    expect(page.locator(".typing")).to_have_count(0)
    expect(page.locator("#composer-controls[data-busy='false']")).to_be_attached()


def test_a_reply_streams_in_and_every_tab_sees_the_new_task(chat_server, emulator, new_context, screenshot):
    context = new_context()
    page, other_tab = context.new_page(), context.new_page()
    log_in(page, chat_server)
    other_tab.goto(f"{chat_server.url}/")
    expect(other_tab.locator("#connection[data-state='open']")).to_be_attached()
    expect(page.locator(".banner")).to_contain_text("Offline demo assistant")

    send(page, "add a task to buy oat milk")

    # the composer is disabled with a Stop button while the turn runs, then comes back
    expect(page.locator("#stop-button")).to_be_visible()
    reply = page.locator("article.msg.assistant").last
    expect(reply.locator(".tool-card.done")).to_contain_text("✓ Added buy oat milk")
    expect(reply.locator(".md").last).to_contain_text("buy oat milk")
    wait_reply_done(page)
    expect(page.locator("#message-input")).to_be_enabled()
    expect(page.locator("#message-input")).to_be_focused()
    # the task shows up in both tabs' panels without a reload
    for tab in (page, other_tab):
        expect(tab.locator("#pending-tasks .task-title")).to_have_text(["buy oat milk"])
        expect(tab.locator("#pending-count")).to_have_text("1")
    # the new conversation is in the sidebar (of both tabs: active only where it is open) and the address bar
    expect(page.locator("#conversation-list .conv.active")).to_contain_text("add a task to buy oat milk")
    expect(other_tab.locator("#conversation-list .conv")).to_contain_text(["add a task to buy oat milk"])
    expect(other_tab.locator("#conversation-list .conv.active")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/c/\d+/$"))
    assert page.locator("#transcript").get_attribute("aria-live") == "polite"

    send(page, "show my tasks")
    expect(page.locator("article.msg.assistant")).to_have_count(2)
    wait_reply_done(page)
    expect(page.locator("article.msg.assistant").last.locator(".tool-card.done")).to_contain_text("Listed 1")

    path = screenshot(page, "desktop-chat")
    docs_copy = REPO / "docs" / "screenshot.png"
    # The README's picture: written when missing or asked for, so that a test run doesn't dirty the work tree.
    if not docs_copy.exists() or os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        docs_copy.parent.mkdir(exist_ok=True)
        shutil.copy(path, docs_copy)
    screenshot(other_tab, "desktop-second-tab")


def test_stop_keeps_the_partial_reply_marked_stopped(chat_server, emulator, new_context, screenshot):
    page = new_context().new_page()
    log_in(page, chat_server)
    emulator.push_fault(Fault(kind="slow", seconds=0.08))

    send(page, "tell me a long story")
    streaming = page.locator(".md.streaming")
    expect(streaming).to_be_visible()
    expect(streaming).to_contain_text(re.compile(r"\w+ \w+ \w+"))
    page.click("#stop-button")

    reply = page.locator("article.msg.assistant").last
    expect(reply.locator(".msg-status.stopped")).to_contain_text("Stopped")
    wait_reply_done(page)
    partial = reply.locator(".md").last.inner_text()
    assert partial.strip()
    expect(page.locator("#send-button")).to_be_enabled()
    screenshot(page, "desktop-stopped")

    page.reload()  # the partial reply was saved, marked stopped
    reply = page.locator("article.msg.assistant").last
    expect(reply.locator(".msg-status.stopped")).to_be_visible()
    assert reply.locator(".md").last.inner_text().strip()[:30] == partial.strip()[:30]


def test_a_hostile_task_title_is_only_ever_text(chat_server, emulator, new_context, screenshot):
    page = new_context().new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, chat_server)

    # from the panel
    page.fill("#new-task-title", XSS)
    page.click("#new-task-button")
    expect(page.locator("#pending-tasks .task-title")).to_have_text([XSS])
    # from the composer: the model echoes it in a tool call and in markdown
    emulator.push_reply(Reply(content="", tool_calls=[ToolCall("add_task", {"title": XSS})]))
    emulator.push_reply(Reply(content=f"Added **{XSS}** <script>alert(2)</script>"))
    send(page, f"add a task called {XSS}")
    wait_reply_done(page)

    expect(page.locator("#pending-tasks .task-title")).to_have_text([XSS, XSS])
    expect(page.locator("article.msg.user").last).to_contain_text(XSS)
    expect(page.locator("article.msg.assistant").last.locator(".md").last).to_contain_text(XSS)
    expect(page.locator("#transcript img, #task-panel img, #transcript script")).to_have_count(0)
    page.reload()
    expect(page.locator("article.msg.assistant").last.locator(".md").last).to_contain_text(XSS)
    expect(page.locator("#transcript img")).to_have_count(0)
    page.wait_for_timeout(300)
    assert dialogs == []
    screenshot(page, "desktop-escaped-title")


def test_the_page_works_at_390px(chat_server, emulator, new_context, screenshot):
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    log_in(page, chat_server)

    expect(page.locator("#message-input")).to_be_visible()
    expect(page.locator("#send-button")).to_be_in_viewport()
    expect(page.locator("#task-panel-region")).not_to_be_in_viewport()
    screenshot(page, "mobile-empty")

    send(page, "add a task to call mum")
    wait_reply_done(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.getElementById('transcript').scrollWidth") <= 390
    path = screenshot(page, "mobile-chat")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):  # the README's phone picture
        shutil.copy(path, REPO / "docs" / "screenshot-phone.png")

    page.click(".tasks-toggle")  # the task panel is a drawer on narrow screens
    expect(page.locator("#task-panel-region")).to_be_in_viewport()
    expect(page.locator(".tasks-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#pending-tasks .task-title")).to_have_text(["call mum"])
    screenshot(page, "mobile-tasks")
    page.keyboard.press("Escape")
    expect(page.locator(".tasks-toggle")).to_have_attribute("aria-expanded", "false")

    page.click("button[aria-controls='sidebar']")
    expect(page.locator("#sidebar")).to_be_in_viewport()
    expect(page.locator("#conversation-list .conv")).to_have_count(1)
    screenshot(page, "mobile-conversations")


def test_undo_a_delete_from_the_panel(chat_server, emulator, new_context, screenshot):
    page = new_context().new_page()
    log_in(page, chat_server)
    for title in ("Water the plants", "Book dentist"):
        page.fill("#new-task-title", title)
        page.press("#new-task-title", "Enter")
        expect(page.locator("#pending-tasks .task-title", has_text=title)).to_be_visible()

    page.click("button[aria-label='Complete “Book dentist”']")
    expect(page.locator("#completed-tasks .task-title")).to_have_text(["Book dentist"])
    expect(page.locator("#completed-count")).to_have_text("1")
    page.click("#completed-section summary")  # collapsed by default; stays open across re-renders
    expect(page.locator("#completed-tasks .task-title")).to_be_visible()

    page.click("button[aria-label='Delete “Water the plants”']")
    expect(page.locator(".undo-strip")).to_contain_text("Deleted “Water the plants”")
    expect(page.locator("#pending-tasks .task-title")).to_have_count(0)
    screenshot(page, "desktop-undo-strip")

    page.click(".undo-strip button")
    expect(page.locator("#pending-tasks .task-title")).to_have_text(["Water the plants"])
    expect(page.locator(".undo-strip")).to_have_count(0)

    page.click("button[aria-label='Reopen “Book dentist”']")
    expect(page.locator("#pending-count")).to_have_text("2")


def test_a_conversation_open_in_two_tabs_shows_each_reply_in_both(chat_server, emulator, new_context):
    context = new_context()
    page, other_tab = context.new_page(), context.new_page()
    log_in(page, chat_server)
    send(page, "add a task to feed the cat")
    wait_reply_done(page)
    other_tab.goto(page.url)  # the same conversation, /c/<id>/
    expect(other_tab.locator("#connection[data-state='open']")).to_be_attached()
    other_tab.fill("#message-input", "a draft in the other tab")

    send(page, "show my tasks")
    wait_reply_done(page)

    expect(other_tab.locator("article.msg.assistant")).to_have_count(2)
    expect(other_tab.locator("article.msg.assistant").last.locator(".tool-card.done")).to_contain_text(
        "Listed 1"
    )
    expect(other_tab.locator("#message-input")).to_have_value("a draft in the other tab")
    expect(page.locator("article.msg.assistant")).to_have_count(2)  # the sender did not fetch it twice


def test_a_broadcast_never_wipes_what_the_user_is_typing(chat_server, emulator, new_context):
    context = new_context()
    page, other_tab = context.new_page(), context.new_page()
    log_in(page, chat_server)
    other_tab.goto(f"{chat_server.url}/")
    expect(page.locator("#connection[data-state='open']")).to_be_attached()
    page.fill("#new-task-title", "half typ")
    page.fill("#message-input", "a draft")

    other_tab.fill("#new-task-title", "Call the bank")
    other_tab.press("#new-task-title", "Enter")

    expect(page.locator("#pending-tasks .task-title")).to_have_text(
        ["Call the bank"]
    )  # the broadcast arrived
    expect(page.locator("#new-task-title")).to_have_value("half typ")
    expect(page.locator("#message-input")).to_have_value("a draft")
    expect(other_tab.locator("#new-task-title")).to_have_value("")  # the sender's field is cleared


def test_reload_and_resume_a_conversation(chat_server, emulator, new_context, screenshot):
    page = new_context().new_page()
    log_in(page, chat_server)

    page.fill("#message-input", "add a task to renew passport")
    page.press("#message-input", "Shift+Enter")  # a new line, not a send
    page.keyboard.type("please")
    expect(page.locator("#message-input")).to_have_value("add a task to renew passport\nplease")
    expect(page.locator("article.msg")).to_have_count(0)
    page.fill("#message-input", "add a task to renew passport")
    page.press("#message-input", "Enter")
    expect(page.locator("article.msg.user")).to_have_count(1)
    wait_reply_done(page)
    expect(page).to_have_url(re.compile(r"/c/\d+/$"))
    url = page.url

    page.reload()
    expect(page.locator("article.msg.user .plain")).to_have_text(["add a task to renew passport"])
    reply = page.locator("article.msg.assistant")
    expect(reply.locator(".tool-card.done")).to_contain_text("renew passport")
    expect(reply.locator("details.reasoning")).not_to_have_attribute("open", "")
    expect(reply.locator(".md").last).to_contain_text("renew passport")
    expect(page.locator("#conversation-list .conv.active")).to_have_count(1)

    page.wait_for_selector("#connection[data-state='open']")
    send(page, "show my tasks")
    wait_reply_done(page)
    expect(page.locator("article.msg.user")).to_have_count(2)
    assert page.url == url
    expect(page.locator("#conversation-list .conv")).to_have_count(1)

    # open it afresh from the sidebar of a new chat
    page.goto(f"{chat_server.url}/")
    expect(page.locator("article.msg")).to_have_count(0)
    page.click("#conversation-list .conv-link")
    expect(page.locator("article.msg.user")).to_have_count(2)
    screenshot(page, "desktop-resumed")


def test_a_dropped_connection_reconnects_and_the_reply_is_saved(chat_server, emulator, new_context, proxy):
    page = new_context().new_page()
    log_in(page, chat_server, base_url=f"http://127.0.0.1:{proxy.port}")
    words = " ".join(f"word{n}" for n in range(80))
    emulator.push_reply(Reply(content=words))
    emulator.push_fault(Fault(kind="slow", seconds=0.03))

    send(page, "say many words")
    expect(page.locator(".md.streaming")).to_contain_text("word1")
    page.evaluate("window.__beforeDrop = 1")
    proxy.accepting.clear()
    proxy.drop_all()  # the network goes away mid-reply
    expect(page.locator("#connection")).to_have_attribute("data-state", "closed")
    proxy.accepting.set()

    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=15_000)
    # The turn went on without us (80 words at 30 ms each); once it is saved the reconnected socket brings the
    # whole reply back, without a reload (the marker set before the drop survives).
    reply = page.locator("article.msg.assistant").last
    expect(reply.locator(".md").last).to_contain_text("word79", timeout=15_000)
    expect(reply.locator(".msg-status")).to_have_text("")
    assert page.evaluate("window.__beforeDrop") == 1
    expect(page.locator("#message-input")).to_be_enabled()
    expect(page.locator("#send-button")).to_be_visible()
    expect(page.locator(".typing")).to_have_count(0)

    # and a reload shows the same saved reply
    page.reload()
    expect(page.locator("article.msg.assistant").last.locator(".md").last).to_contain_text("word79")


def test_keyboard_only_sending_and_rename(chat_server, emulator, new_context):
    page = new_context().new_page()
    log_in(page, chat_server)
    expect(page.locator("#message-input")).to_be_focused()  # the composer has the focus on load
    # the skip link comes first in the tab order
    assert page.evaluate(
        "document.querySelector('a[href], button, input:not([type=hidden]), summary')"
        " === document.querySelector('.skip-link')"
    )
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#message-input")).to_be_focused()
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    expect(page.locator("article.msg.user")).to_have_count(1)
    wait_reply_done(page)
    expect(page.locator("article.msg.assistant")).to_have_count(1)

    item = page.locator("#conversation-list .conv").first
    item.locator("summary").click()
    item.locator("input[name=title]").fill("Greetings")
    item.locator("input[name=title]").press("Enter")
    expect(page.locator("#conversation-list .conv.active .conv-link")).to_have_text("Greetings")
    expect(page).to_have_title("Greetings · Todo Assistant")  # the tab follows the conversation's title
