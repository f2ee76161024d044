"""Streams anyone can join, in Chromium: a tab opened mid-reply sees it grow, Stop works from it (even once the
tab that started it is closed), a socket that drops mid-reply rejoins the live reply, a regenerate shows in the
other tabs with the old reply marked, and a turn started through the REST API streams to the open page."""

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import expect

from groq_emulator import Fault, Reply

from .conftest import PASSWORD, log_in
from .test_chat_page import send, wait_reply_done

pytestmark = pytest.mark.browser

WORDS = " ".join(f"word{n}" for n in range(160))


def streamed_words(page) -> int:
    text = page.locator("article.msg.assistant").last.locator(".md").last.inner_text()
    return len(re.findall(r"word\d+", text))


def test_a_tab_opened_mid_reply_sees_it_grow_and_can_stop_it(chat_server, emulator, new_context, screenshot):
    context = new_context()
    page = context.new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.06))  # 80 chunks: about 5 s

    send(page, "say many words")
    expect(page.locator(".md.streaming")).to_contain_text("word3")
    expect(page).to_have_url(re.compile(r"/c/\d+/$"))
    other = context.new_page()
    other.goto(page.url)  # the same conversation, mid-reply

    # the question and the reply so far, rendered by the page; then it keeps growing over the socket
    expect(other.locator("article.msg.user .plain")).to_have_text(["say many words"])
    streaming = other.locator(".md.streaming")
    expect(streaming).to_contain_text("word0 word1 word2 word3")
    expect(other.locator(".typing")).to_have_count(1)
    expect(other.locator("#connection[data-state='open']")).to_be_attached()
    first = streamed_words(other)
    expect(streaming).to_contain_text(f"word{first + 10}")
    screenshot(other, "desktop-joined-mid-reply")
    # Stop is there (the composer is busy, as in the tab that sent it) and works from here
    expect(other.locator("#stop-button")).to_be_visible()
    other.click("#stop-button")

    for tab in (page, other):
        reply = tab.locator("article.msg.assistant").last
        expect(reply.locator(".msg-status.stopped")).to_contain_text("Stopped")
        wait_reply_done(tab)
        expect(tab.locator("#send-button")).to_be_visible()
    assert streamed_words(page) < 160 and streamed_words(other) == streamed_words(page)


def test_a_tab_showing_the_conversation_follows_the_reply_and_keeps_its_draft(
    chat_server, emulator, new_context
):
    context = new_context()
    page, other = context.new_page(), context.new_page()
    log_in(page, chat_server)
    send(page, "hello")
    wait_reply_done(page)
    other.goto(page.url)
    expect(other.locator("#connection[data-state='open']")).to_be_attached()
    other.fill("#message-input", "a draft in the other tab")
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.03))

    send(page, "say many words")

    expect(other.locator("article.msg.user .plain")).to_have_text(["hello", "say many words"])
    expect(other.locator(".md.streaming")).to_contain_text("word20")  # live, well before the end
    expect(other.locator("#stop-button")).to_be_visible()
    wait_reply_done(other)
    expect(other.locator("article.msg.assistant").last.locator(".md").last).to_contain_text("word159")
    expect(other.locator("#message-input")).to_have_value("a draft in the other tab")
    expect(page.locator("#message-input")).to_have_value("")
    expect(page.locator("article.msg.assistant")).to_have_count(2)


def test_a_dropped_socket_rejoins_the_live_reply(chat_server, emulator, new_context, proxy):
    page = new_context().new_page()
    log_in(page, chat_server, base_url=f"http://127.0.0.1:{proxy.port}")
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.06))

    send(page, "say many words")
    expect(page.locator(".md.streaming")).to_contain_text("word1")
    proxy.accepting.clear()
    proxy.drop_all()  # the network goes away mid-reply
    expect(page.locator("#connection")).to_have_attribute("data-state", "closed")
    dropped_at = streamed_words(page)
    proxy.accepting.set()

    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=15_000)
    # back in the live reply, not waiting for its end: it is still streaming, further than before, Stop shown
    streaming = page.locator(".md.streaming")
    expect(streaming).to_contain_text(f"word{dropped_at + 5}")
    expect(page.locator("#stop-button")).to_be_visible()
    wait_reply_done(page)
    reply = page.locator("article.msg.assistant").last
    expect(reply.locator(".md").last).to_contain_text("word159")
    expect(reply.locator(".msg-status")).to_have_text("")
    assert streamed_words(page) == 160


def test_stop_works_from_a_second_tab_after_the_first_closed(chat_server, emulator, new_context):
    context = new_context()
    page = context.new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.06))
    send(page, "say many words")
    expect(page).to_have_url(re.compile(r"/c/\d+/$"))
    other = context.new_page()
    other.goto(page.url)
    expect(other.locator(".md.streaming")).to_contain_text("word3")
    page.close()  # the tab that started the turn is gone

    other.click("#stop-button")

    reply = other.locator("article.msg.assistant").last
    expect(reply.locator(".msg-status.stopped")).to_contain_text("Stopped")
    wait_reply_done(other)
    assert streamed_words(other) < 160


def test_a_regenerate_in_one_tab_shows_in_the_other_with_the_old_reply_marked(
    chat_server, emulator, new_context
):
    context = new_context()
    page, other = context.new_page(), context.new_page()
    log_in(page, chat_server)
    emulator.push_reply(Reply(content="First answer."))
    send(page, "hello there")
    wait_reply_done(page)
    other.goto(page.url)
    expect(other.locator("#connection[data-state='open']")).to_be_attached()
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.04))

    page.locator("article.msg.assistant").last.get_by_role("button", name="Regenerate").click()

    expect(other.locator("article.msg.assistant.replaced .md")).to_have_text(["First answer."])
    expect(other.locator(".md.streaming")).to_contain_text("word10")  # the new reply, live
    late = context.new_page()
    late.goto(page.url)  # opened while the regenerate streams
    expect(late.locator("article.msg.assistant.replaced .md")).to_have_text(["First answer."])
    expect(late.locator("article.msg.user .plain")).to_have_text(["hello there"])
    for tab in (other, late):
        wait_reply_done(tab)
        expect(tab.locator("article.msg.assistant:not(.replaced) .md").last).to_contain_text("word159")
        expect(tab.locator("article.msg.assistant.replaced")).to_have_count(1)


def test_a_turn_started_through_the_api_streams_to_the_open_page(chat_server, emulator, new_context):
    page = new_context().new_page()
    username = log_in(page, chat_server)
    send(page, "hello")
    wait_reply_done(page)
    conversation_id = int(re.search(r"/c/(\d+)/$", page.url).group(1))
    token = httpx.post(
        f"{chat_server.url}/api/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10
    ).json()["token"]
    emulator.push_reply(Reply(content=WORDS))
    emulator.push_fault(Fault(kind="slow", seconds=0.04))

    def api_turn():
        body = {"message": "a question from a script", "conversation_id": conversation_id}
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.post(f"{chat_server.url}/api/chat/", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(api_turn)
        expect(page.locator("article.msg.user .plain")).to_have_text(["hello", "a question from a script"])
        expect(page.locator(".md.streaming")).to_contain_text("word10")  # growing, before the API answers
        assert not answer.done()
        wait_reply_done(page)
        assert answer.result().json()["response"] == WORDS
    expect(page.locator("article.msg.assistant").last.locator(".md").last).to_contain_text("word159")
