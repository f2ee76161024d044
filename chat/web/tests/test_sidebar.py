"""The sidebar is rendered once for all of a user's sockets asking at the same moment, and always after they ask."""

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async
from django.template.loader import render_to_string
from django.test import AsyncClient

from chat import services
from chat.selectors import conversation_list
from chat.web import fragments, sidebar
from groq_emulator import Fault, Reply

from .test_consumers import is_broadcast
from .test_stop_anywhere import _read_all, token_headers
from .test_streams import WORDS, a_conversation, has_word, tab

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


@pytest.fixture
def counted_renders(monkeypatch):
    calls = []
    real = fragments.conversation_list_html

    def render(owner):
        calls.append(time.monotonic())
        return real(owner)

    monkeypatch.setattr(fragments, "conversation_list_html", render)
    return calls


async def test_tabs_asking_at_once_share_renders_and_see_every_change(user, counted_renders):
    await database_sync_to_async(services.conversation_create)(owner=user, title="first")
    first = [asyncio.ensure_future(sidebar.sidebar_html(user)) for _ in range(10)]
    await asyncio.sleep(0)  # the first render has started: a change now must reach the tabs asking after it
    await database_sync_to_async(services.conversation_create)(owner=user, title="second")
    later = [asyncio.ensure_future(sidebar.sidebar_html(user)) for _ in range(10)]

    before, after = await asyncio.gather(*first), await asyncio.gather(*later)

    assert len(counted_renders) == 2  # 20 sockets, one render running and one started after it
    assert all("first" in html for html in before + after)
    assert all("second" in html for html in after)


async def test_a_change_after_a_quiet_gap_renders_at_once(user, counted_renders, monkeypatch):
    monkeypatch.setattr(sidebar, "MIN_GAP", 0.2)
    await sidebar.sidebar_html(user)
    await asyncio.sleep(0.25)
    await database_sync_to_async(services.conversation_create)(owner=user, title="later chat")

    asked = time.monotonic()
    assert "later chat" in await sidebar.sidebar_html(user)
    assert len(counted_renders) == 2
    assert counted_renders[1] - asked < 0.1  # not held back


async def test_a_burst_of_changes_renders_once_a_gap_and_each_tab_sees_its_change(
    user, counted_renders, monkeypatch
):
    monkeypatch.setattr(sidebar, "MIN_GAP", 0.3)
    asks = []
    for i in range(8):  # a change every ~40 ms, each followed by a tab asking (as the consumer does)
        await database_sync_to_async(services.conversation_create)(owner=user, title=f"chat {i}")
        asks.append(asyncio.ensure_future(sidebar.sidebar_html(user)))
        await asyncio.sleep(0.04)

    pages = await asyncio.gather(*asks)

    assert all(f"chat {i}" in page for i, page in enumerate(pages))  # rendered after its change
    assert all(f"chat {i}" in pages[-1] for i in range(8))
    assert 2 <= len(counted_renders) <= 3  # one per ~40 ms without the gap: 8
    gaps = [b - a for a, b in zip(counted_renders, counted_renders[1:], strict=False)]
    assert min(gaps) >= 0.3 - 0.02


async def test_a_tab_that_closes_while_waiting_does_not_cancel_the_others(user, counted_renders):
    await database_sync_to_async(services.conversation_create)(owner=user, title="kept")
    leaving = asyncio.ensure_future(sidebar.sidebar_html(user))
    staying = asyncio.ensure_future(sidebar.sidebar_html(user))
    await asyncio.sleep(0)
    leaving.cancel()

    assert "kept" in await staying


def test_the_remembered_items_render_the_list_as_the_template_does(user):
    first = services.conversation_create(owner=user, title="groceries")
    for title in ("", "<b>plans</b> & more"):
        services.conversation_create(owner=user, title=title)
    fragments.conversation_list_html(user)  # remembered now
    services.conversation_rename(owner=user, conversation_id=first.pk, title="renamed")

    expected = render_to_string(
        "chat/_conversation_list.html", {"conversations": conversation_list(owner=user), "oob": True}
    )
    assert fragments.conversation_list_html(user) == expected
    assert "renamed" in expected and "groceries" not in expected
    assert "&lt;b&gt;plans&lt;/b&gt; &amp; more" in expected


async def test_a_sockets_feed_sends_in_the_background_and_ends_with_the_latest_list(user, counted_renders):
    sent = []

    async def send(html):
        sent.append(html)

    feed = sidebar.SidebarFeed(user, send)
    await database_sync_to_async(services.conversation_create)(owner=user, title="one")
    feed.changed()  # returns at once: the socket goes on with its other messages
    assert sent == []
    await asyncio.sleep(0)  # its render has begun: a change now needs one more
    await database_sync_to_async(services.conversation_create)(owner=user, title="two")
    feed.changed()
    feed.changed()
    await feed.task  # one task: it renders again while a change came during its render

    assert len(sent) == len(counted_renders) == 2 and "two" in sent[-1] and "one" in sent[-1]
    await database_sync_to_async(services.conversation_create)(owner=user, title="three")
    feed.changed()
    feed.task.cancel()  # the socket closed
    with pytest.raises(asyncio.CancelledError):
        await feed.task
    assert not any("three" in html for html in sent)


async def test_a_slow_sidebar_does_not_hold_back_a_tabs_live_frames(alice, emulator, monkeypatch):
    """An API turn continues the conversation a tab shows: the tab is told its sidebar is stale (a render that
    takes a second here) and gets the turn's frames through the channel layer. The frames come while it renders."""
    real = fragments.conversation_list_html

    def slow_render(owner):
        time.sleep(1.0)
        return real(owner)

    sender = await tab(alice)
    conversation = await a_conversation(alice, sender)
    await sender.disconnect()
    watcher = await tab(alice, conversation.pk)
    monkeypatch.setattr(fragments, "conversation_list_html", slow_render)
    emulator.push_fault(Fault(kind="slow", seconds=0.005))
    emulator.push_reply(Reply(content=WORDS))
    headers = await token_headers(alice, Accept="text/event-stream")
    client = AsyncClient()
    response = await client.post(
        "/api/chat/",
        {"message": "from a script", "conversation_id": conversation.pk},
        content_type="application/json",
        headers=headers,
    )
    started = time.monotonic()
    reading = asyncio.ensure_future(_read_all(response.streaming_content))

    first_word, sidebar_at = None, None
    while sidebar_at is None:
        frame = await watcher.receive_from(timeout=10)
        if first_word is None and has_word(frame, "word1"):
            first_word = time.monotonic() - started
        if is_broadcast(frame) and 'id="conversation-list"' in frame:
            sidebar_at = time.monotonic() - started

    assert first_word is not None and first_word < 0.8 < sidebar_at  # not queued behind the render
    events = [json.loads(line[6:]) for line in (await reading).decode().splitlines() if line[:6] == "data: "]
    assert events[-1]["type"] == "done" and "word119" in events[-1]["content"]
    await watcher.disconnect()
