"""Issue 11 in a real Chromium: tool chips, the thought toggle, copy, regenerate, edit, feedback, search, export,
dark mode, notices, and an axe-core audit of the login, chat (desktop and phone) and settings pages."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from groq_emulator import Fault, Reply, ToolCall

from .conftest import REPO, log_in
from .test_chat_page import send, wait_reply_done

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


def user_texts(request: dict) -> list[str]:
    return [m["content"] for m in request["messages"] if m["role"] == "user"]


def assistant_texts(request: dict) -> list[str]:
    return [m.get("content") or "" for m in request["messages"] if m["role"] == "assistant"]


def test_tool_activity_reads_as_chips_and_reasoning_hides_behind_a_toggle(
    chat_server, emulator, new_context, screenshot
):
    page = new_context().new_page()
    log_in(page, chat_server)
    emulator.push_reply(
        Reply(
            reasoning="Two tasks to add.",
            tool_calls=[
                ToolCall("add_task", {"title": "buy milk"}),
                ToolCall("complete_task", {"task_id": 999}),
            ],
        )
    )
    emulator.push_reply(Reply(content="Added **buy milk**; see https://example.com/help for more."))

    send(page, "add buy milk and finish task 999")
    wait_reply_done(page)

    reply = page.locator("article.msg.assistant").last
    chips = reply.locator("ul.tool-chips > li.tool-chip")
    expect(chips).to_have_count(2)  # two calls in one turn: one short list
    expect(chips.nth(0)).to_contain_text("✓ Added buy milk")
    expect(chips.nth(1)).to_contain_text("✗")
    expect(chips.nth(1)).to_contain_text("999")
    expect(chips.nth(0).locator(".chip-detail")).to_be_hidden()
    chips.nth(0).locator("summary").click()
    expect(chips.nth(0).locator(".chip-detail")).to_contain_text('"task_id"')
    toggle = reply.locator("details.reasoning")
    expect(toggle.locator("summary")).to_have_text(re.compile(r"^Thought( for \d+ s)?$"))
    expect(toggle).not_to_have_attribute("open", "")
    link = reply.locator(".md a[href='https://example.com/help']")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    screenshot(page, "chips")

    page.reload()  # a stored turn has the same structure
    reply = page.locator("article.msg.assistant").last
    expect(reply.locator("ul.tool-chips > li.tool-chip")).to_have_count(2)
    expect(reply.locator("details.reasoning summary")).to_have_text(re.compile(r"^Thought( for \d+ s)?$"))


def test_no_reasoning_no_toggle_and_copy_puts_the_markdown_on_the_clipboard(
    chat_server, emulator, new_context
):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content="Here:\n\n```\nprint('hi')\n```\n\n**done**"))
    send(page, "show code")
    wait_reply_done(page)
    reply = page.locator("article.msg.assistant").last
    expect(reply.locator("details.reasoning")).to_be_hidden()

    reply.get_by_role("button", name="Copy", exact=True).click()
    assert page.evaluate("navigator.clipboard.readText()") == "Here:\n\n```\nprint('hi')\n```\n\n**done**"
    reply.get_by_role("button", name="Copy code").click()
    assert page.evaluate("navigator.clipboard.readText()") == "print('hi')\n"
    expect(reply.locator("time.msg-time")).to_have_attribute("title", re.compile(r"\d"))


def test_regenerate_and_edit_send_only_the_current_branch(chat_server, emulator, new_context, screenshot):
    page = new_context().new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content="First answer."))
    send(page, "hello there")
    wait_reply_done(page)

    emulator.push_reply(Reply(content="Second answer."))
    page.locator("article.msg.assistant").last.get_by_role("button", name="Regenerate").click()
    expect(page.locator("article.msg.assistant.replaced")).to_have_count(1)
    wait_reply_done(page)
    expect(page.locator("article.msg.assistant:not(.replaced) .md")).to_have_text(["Second answer."])
    expect(page.locator("article.msg.assistant.replaced .md")).to_have_text(["First answer."])
    regenerate_request = emulator.requests_snapshot()[-1]
    assert user_texts(regenerate_request) == ["hello there"]
    assert "First answer." not in assistant_texts(regenerate_request)

    # ↑ in the empty composer edits the last question
    page.locator("#message-input").focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#message-input")).to_have_value("hello there")
    expect(page.locator("#editing-bar")).to_be_visible()
    emulator.push_reply(Reply(content="Third answer."))
    page.fill("#message-input", "hello again")
    page.press("#message-input", "Enter")
    expect(page.locator("article.msg.user.replaced")).to_have_count(1)
    wait_reply_done(page)
    expect(page.locator("article.msg.user:not(.replaced) .plain")).to_have_text(["hello again"])
    edit_request = emulator.requests_snapshot()[-1]
    assert user_texts(edit_request) == ["hello again"]
    assert assistant_texts(edit_request) == []
    screenshot(page, "regenerated-and-edited")

    page.reload()  # stored: the old versions are there, marked
    expect(page.locator("article.msg.replaced")).to_have_count(3)
    expect(page.locator("article.msg.assistant:not(.replaced) .md")).to_have_text(["Third answer."])
    expect(page.locator("article.msg.user[data-last]").get_by_role("button", name="Edit")).to_be_visible()


def test_feedback_is_stored_and_shown_in_the_admin(chat_server, emulator, new_context):
    page = new_context().new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content="An answer to rate."))
    send(page, "rate me")
    wait_reply_done(page)
    reply = page.locator("article.msg.assistant").last
    good = reply.get_by_role("button", name="Good response")
    expect(good).to_have_attribute("aria-pressed", "false")
    reply.get_by_role("button", name="Bad response").click()
    expect(reply.get_by_role("button", name="Bad response")).to_have_attribute("aria-pressed", "true")
    reply.get_by_label("Comment on this reply").fill("Missed my point")
    reply.get_by_role("button", name="Save comment").click()
    expect(reply.locator(".feedback-comment summary")).to_have_text("Your comment")
    page.reload()
    reply = page.locator("article.msg.assistant").last
    expect(reply.get_by_role("button", name="Bad response")).to_have_attribute("aria-pressed", "true")


def test_search_export_title_and_notices(chat_server, emulator, new_context, tmp_path):
    page = new_context().new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content="Noted the zebra."))
    send(page, "remember the zebra crossing")
    wait_reply_done(page)
    expect(page).to_have_title(re.compile(r"^remember the zebra crossing · Todo Assistant$"))
    emulator.push_reply(Reply(content="Other."))
    page.goto(f"{chat_server.url}/")
    send(page, "something else entirely")
    wait_reply_done(page)

    page.fill("#conversation-search", "zebra")
    results = page.locator("#conversation-list.search-results .conv")
    expect(results).to_have_count(1)
    expect(results.locator("mark").first).to_have_text(re.compile("zebra", re.I))

    conv = page.locator("#conversation-list .conv").first
    page.fill("#conversation-search", "")
    expect(page.locator("#conversation-list .conv")).to_have_count(2)
    conv = page.locator("#conversation-list .conv").nth(1)
    conv.locator("summary").click()
    with page.expect_download() as download:
        conv.get_by_role("link", name="JSON").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert [m["content"] for m in data["messages"]] == ["remember the zebra crossing", "Noted the zebra."]
    with page.expect_download() as download:
        conv.get_by_role("link", name="Markdown").click()
    assert Path(download.value.path()).read_text().startswith("# remember the zebra crossing")


def test_notices_replace_each_other(chat_server, emulator, new_context):
    page = new_context().new_page()
    log_in(page, chat_server)
    too_long = "x" * 5000
    for _ in range(3):
        page.evaluate(
            "(t) => { const b = document.getElementById('message-input'); b.removeAttribute('maxlength'); b.value = t; }",
            too_long,
        )
        page.press("#message-input", "Enter")
        expect(page.locator(".msg.notice")).to_have_count(1)


def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(
    chat_server, emulator, new_context, screenshot
):
    context = new_context(color_scheme="dark")
    page = context.new_page()
    log_in(page, chat_server)
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("button", name="Dark mode")).to_have_attribute("aria-pressed", "true")
    emulator.push_reply(Reply(content="Dark **and** tidy.", reasoning="Hmm."))
    send(page, "hello in the dark")
    wait_reply_done(page)
    path = screenshot(page, "desktop-dark")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):  # the README's dark picture
        shutil.copy(path, REPO / "docs" / "screenshot-dark.png")
    page.get_by_role("button", name="Dark mode").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")


def test_demo_banner_dismissed_for_good_and_keys(chat_server, emulator, new_context):
    page = new_context().new_page()
    log_in(page, chat_server)
    expect(page.locator("#message-input")).to_be_focused()
    page.get_by_role("button", name="Dismiss the offline demo notice").click()
    expect(page.locator("#demo-banner")).to_have_count(0)
    page.reload()
    expect(page.locator("#demo-banner")).to_have_count(0)
    with page.expect_navigation():
        page.keyboard.press("Control+Shift+O")  # a new chat
    page.wait_for_selector("#connection[data-state='open']")
    has_speech = page.evaluate("!!(window.SpeechRecognition || window.webkitSpeechRecognition)")
    expect(page.get_by_role("button", name="Dictate")).to_be_visible(visible=has_speech)
    without = new_context(storage_state=page.context.storage_state())
    without.add_init_script("delete window.SpeechRecognition; delete window.webkitSpeechRecognition;")
    other = without.new_page()
    other.goto(f"{chat_server.url}/")
    expect(other.locator("#mic-button")).to_be_hidden()  # no Web Speech API: no microphone


def test_conversation_menu_stays_inside_the_viewport_on_a_phone(chat_server, emulator, new_context):
    page = new_context(viewport=PHONE).new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content="ok"))
    send(page, "a conversation with a rather long title to push the menu around")
    wait_reply_done(page)
    page.locator(".drawer-toggle[data-drawer='sidebar']").click()
    expect(page.locator("#message-input")).not_to_be_focused()
    page.locator("#conversation-list .conv summary").first.click()
    box = page.locator("#conversation-list .conv-menu-body").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.keyboard.press("Escape")
    page.locator(".drawer-toggle[data-drawer='task-panel-region']").click()
    expect(page.locator("#task-panel-region")).to_have_class(re.compile("open"))
    assert page.evaluate("document.activeElement.tagName") not in ("INPUT", "TEXTAREA")


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({id: v.id, "
        "impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + "
        "[...n.any, ...n.all, ...n.none].map(c => c.message).join('; ')).slice(0, 8)}))"
    )
    for violation in found:  # the whole story in the log, not just pytest's cut-down diff
        print("axe:", page.url, json.dumps(violation, ensure_ascii=False))
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(chat_server, emulator, new_context, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(f"{chat_server.url}/accounts/login/")
    assert axe_violations(page) == []
    log_in(page, chat_server)
    emulator.push_reply(Reply(reasoning="Think.", tool_calls=[ToolCall("add_task", {"title": "audit me"})]))
    emulator.push_reply(Reply(content="Added **audit me**. See https://example.com."))
    send(page, "add audit me")
    wait_reply_done(page)
    assert axe_violations(page) == []
    page.goto(f"{chat_server.url}/settings/")
    assert axe_violations(page) == []
    phone = new_context(
        color_scheme=scheme, viewport=PHONE, storage_state=page.context.storage_state()
    ).new_page()
    phone.goto(page.url.replace("/settings/", "/"))
    phone.wait_for_selector("#connection[data-state='open']")
    assert axe_violations(phone) == []


def test_esc_stops_a_streaming_reply(chat_server, emulator, new_context):
    page = new_context().new_page()
    log_in(page, chat_server)
    emulator.push_fault(Fault(kind="slow", seconds=0.08))
    send(page, "tell me a long story")
    expect(page.locator(".md.streaming")).to_contain_text(re.compile(r"\w+ \w+ \w+"))
    page.keyboard.press("Escape")
    expect(page.locator("article.msg.assistant").last.locator(".msg-status.stopped")).to_contain_text(
        "Stopped"
    )
    wait_reply_done(page)
