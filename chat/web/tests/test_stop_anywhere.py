"""Stop from anywhere, and turns started through the REST API streamed to the open pages: the process running a
turn listens for Stop (chat.web.stop_listener) whatever started it — a tab that has since closed, or the API.
The real ASGI stack, channel layer (in memory, or Redis with REDIS_URL), cache, engine and the emulator."""

import asyncio
import json
import logging
import re

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.test import AsyncClient, Client

from chat.models import Message
from core import broadcast
from groq_emulator import Fault, Reply
from users.tokens import token_create

from .test_consumers import (
    answers,
    collect_quietly,
    composer_idle,
    frames_until,
    is_transcript,
    receive_turn_frame,
    send,
    turn_frames,
)
from .test_streams import WORDS, a_conversation, has_word, tab

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def stop_listeners() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("chat-stop-") and not t.done()]


async def control_members(user_id: int, conversation_id: int) -> int:
    """How many channels listen for Stop in the conversation (read from the layer's own store)."""
    layer = get_channel_layer()
    group = broadcast.conversation_control_group(user_id, conversation_id)
    if hasattr(layer, "groups"):  # the in-memory layer
        return len(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))  # channels-redis
    return await connection.zcard(layer._group_key(group))


async def conversation_of(frame: str) -> int:
    return int(re.search(r'id="conversation-id"[^>]*value="(\d+)"', frame).group(1))


async def token_headers(user, **extra) -> dict:
    _, token = await sync_to_async(token_create)(user=user)
    return {"Authorization": f"Bearer {token}", **extra}


async def a_long_reply_shown_in_two_tabs(user, emulator):
    """A slow 120-word reply started in one tab and followed live in another: (sender, other, conversation id)."""
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    emulator.push_reply(Reply(content=WORDS))
    sender = await tab(user)
    await send(sender, "say many words")
    conversation_id = await conversation_of(await receive_turn_frame(sender))
    other = await tab(user, conversation_id)
    await frames_until(other, done=lambda f: has_word(f, "word3"))
    return sender, other, conversation_id


async def test_stop_from_another_tab_works_after_the_starting_tab_closed(alice, emulator, caplog):
    sender, other, conversation_id = await a_long_reply_shown_in_two_tabs(alice, emulator)
    await sender.disconnect()  # the tab that started the turn is gone (closed, or reloading)
    assert await control_members(alice.pk, conversation_id) == 1  # the turn's own listener

    with caplog.at_level(logging.WARNING, logger="chat.web.stop_listener"):
        await other.send_json_to({"action": "stop", "conversation_id": conversation_id})
        final = (await frames_until(other))[-1]

        assert 'class="msg-status stopped"' in final and composer_idle(final)
        assert "word119" not in final
        saved = (await database_sync_to_async(answers)(alice))[-1]
        assert saved.status == Message.Status.STOPPED and saved.content.startswith("word0 word1 word2")
        # the listener left the group and its receive ended, with nothing logged
        for _ in range(50):
            if not stop_listeners() and await control_members(alice.pk, conversation_id) == 0:
                break
            await asyncio.sleep(0.05)
        assert stop_listeners() == [] and await control_members(alice.pk, conversation_id) == 0
    assert not [r for r in caplog.records if r.name == "chat.web.stop_listener"]
    await other.disconnect()


async def test_a_stop_meant_for_an_earlier_turn_leaves_the_running_one_alone(alice, emulator):
    """A Stop names the turn its tab shows: one that crossed that turn's end cannot stop the next turn."""
    sender, other, conversation_id = await a_long_reply_shown_in_two_tabs(alice, emulator)
    stale = broadcast.turn_stop(conversation_id=conversation_id, turn_id="a-turn-that-ended")
    await get_channel_layer().group_send(
        broadcast.conversation_control_group(alice.pk, conversation_id), stale
    )
    await frames_until(other, done=lambda f: 'hx-swap-oob="beforeend"' in f)  # still streaming after it

    await other.send_json_to({"action": "stop", "conversation_id": conversation_id})  # names the live turn
    final = (await frames_until(other))[-1]
    assert 'class="msg-status stopped"' in final
    saved = (await database_sync_to_async(answers)(alice))[-1]
    assert saved.status == Message.Status.STOPPED and "word12" in saved.content
    await sender.disconnect()
    await other.disconnect()


async def test_a_turn_started_through_the_api_streams_to_the_open_page_and_stops_from_it(
    alice, bob, emulator
):
    sender = await tab(alice)
    conversation = await a_conversation(alice, sender)
    await sender.disconnect()
    watcher = await tab(alice, conversation.pk)
    bobs_tab = await tab(bob, conversation.pk)
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    emulator.push_reply(Reply(content=WORDS))

    client = AsyncClient()
    headers = await token_headers(alice, Accept="text/event-stream")
    body = {"message": "a question from a script", "conversation_id": conversation.pk}
    response = await client.post("/api/chat/", body, content_type="application/json", headers=headers)
    assert response.status_code == 200
    reading = asyncio.ensure_future(_read_all(response.streaming_content))

    seen = await frames_until(watcher, done=lambda f: has_word(f, "word5"))
    joined = next(f for f in seen if is_transcript(f))  # joined from the snapshot: both turns, Stop shown
    assert "hello" in joined and "a question from a script" in joined and 'data-busy="true"' in joined
    await watcher.send_json_to({"action": "stop", "conversation_id": conversation.pk})
    final = (await frames_until(watcher))[-1]

    assert 'class="msg-status stopped"' in final and composer_idle(final)
    events = [json.loads(line[6:]) for line in (await reading).decode().splitlines() if line[:6] == "data: "]
    assert events[-1]["type"] == "done" and events[-1]["status"] == "stopped"
    assert "word119" not in events[-1]["content"]
    assert (await database_sync_to_async(answers)(alice))[-1].status == Message.Status.STOPPED
    assert await bobs_tab.receive_nothing(timeout=0.3)  # another user's tab naming the id hears nothing
    for communicator in (watcher, bobs_tab):
        await communicator.disconnect()


async def test_a_json_turn_from_the_api_is_shown_live_on_the_open_page(alice, emulator):
    sender = await tab(alice)
    conversation = await a_conversation(alice, sender)
    await sender.disconnect()
    watcher = await tab(alice, conversation.pk)
    emulator.push_fault(Fault(kind="slow", seconds=0.01))
    emulator.push_reply(Reply(content=WORDS))
    headers = await token_headers(alice)

    def chat():
        client = Client(headers=headers)
        body = {"message": "json please", "conversation_id": conversation.pk}
        return client.post("/api/chat/", body, content_type="application/json")

    # Not on the shared sync thread: the turn's own database hops need it while the request waits
    # (under daphne each request has a thread of its own).
    answer = asyncio.ensure_future(sync_to_async(chat, thread_sensitive=False)())
    seen = turn_frames(await frames_until(watcher))
    response = await answer

    assert response.status_code == 200 and response.json()["response"] == WORDS
    assert is_transcript(seen[0]) and "json please" in seen[0]  # the question, as soon as the turn started
    live = [f for f in seen[1:] if 'hx-swap-oob="beforeend"' in f and re.search(r"word\d+", f)]
    assert len(live) >= 3  # the reply grew frame by frame (not only the saved transcript at the end)
    assert "word119" in seen[-1] and not any(is_transcript(f) for f in seen[1:])
    await watcher.disconnect()


async def test_the_stop_endpoint_stops_a_turn_whose_tab_closed(alice, bob, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    emulator.push_reply(Reply(content=WORDS))
    sender = await tab(alice)
    await send(sender, "say many words")
    conversation_id = await conversation_of(await receive_turn_frame(sender))
    await frames_until(sender, done=lambda f: has_word(f, "word2"))
    await sender.disconnect()
    alices, bobs = await token_headers(alice), await token_headers(bob)
    url = f"/api/conversations/{conversation_id}/stop/"

    def post(headers):
        return Client(headers=headers).post(url)

    refused = await database_sync_to_async(post)(bobs)  # another user's conversation: not found, not stopped
    assert refused.status_code == 404 and refused.json()["code"] == "conversation_not_found"
    assert (await database_sync_to_async(post)({})).status_code == 401

    stopping = await database_sync_to_async(post)(alices)

    assert stopping.status_code == 202
    assert stopping.json() == {"conversation_id": conversation_id, "stopping": True}
    for _ in range(100):
        saved = await database_sync_to_async(answers)(alice)
        if saved:
            break
        await asyncio.sleep(0.05)
    assert saved[-1].status == Message.Status.STOPPED and "word119" not in saved[-1].content
    for _ in range(50):  # the turn lock is released just after the reply is saved
        idle = await database_sync_to_async(post)(alices)
        if idle.status_code == 200:
            break
        await asyncio.sleep(0.05)
    assert idle.json() == {"conversation_id": conversation_id, "stopping": False}
    missing = await database_sync_to_async(post)({**alices})
    assert missing.status_code == 200
    assert (
        await database_sync_to_async(Client(headers=alices).post)("/api/conversations/999999/stop/")
    ).json()["code"] == "conversation_not_found"


async def _read_all(chunks) -> bytes:
    return b"".join([chunk async for chunk in chunks])


# --- Regenerate and edit, seen from the other tabs ----------------------------------------------------------------
def replaced_replies(frame: str) -> int:
    return frame.count('class="msg assistant replaced"')


async def a_first_answer(user, emulator):
    """One question answered "First answer." in a tab: (that tab, the conversation id, the question's id)."""
    emulator.push_reply(Reply(content="First answer."))
    sender = await tab(user)
    await send(sender, "hello there")
    conversation_id = await conversation_of(await receive_turn_frame(sender))
    await frames_until(sender)
    question = (await database_sync_to_async(answers)(user))[-1].pk - 1
    return sender, conversation_id, question


async def test_a_regenerate_is_shown_live_in_the_other_tabs_with_the_old_reply_marked(alice, emulator):
    sender, conversation_id, question = await a_first_answer(alice, emulator)
    watcher = await tab(alice, conversation_id)  # showed the first turn's end: it must still follow the next
    emulator.push_fault(Fault(kind="slow", seconds=0.04))
    emulator.push_reply(Reply(content=WORDS))

    await sender.send_json_to(
        {"action": "regenerate", "message_id": question, "conversation_id": conversation_id}
    )
    seen = turn_frames(await frames_until(watcher, done=lambda f: has_word(f, "word5")))
    late = await tab(alice, conversation_id)  # opened while the regenerate streams
    joined = turn_frames(await frames_until(late, done=is_transcript))[-1]

    for frame in (next(f for f in seen if is_transcript(f)), joined):
        # the question once, the old reply marked replaced, then the new one live (Stop shown)
        assert frame.count('class="msg user"') == 1 and "hello there" in frame
        assert replaced_replies(frame) == 1 and "First answer." in frame
        live = (
            f'id="turn-{question}-typing"'  # the live bubble (its typing dots), answering the same question
        )
        assert live in frame and 'data-busy="true"' in frame
        assert frame.index("First answer.") < frame.index(live)
    for communicator in (watcher, late):
        final = (await frames_until(communicator))[-1]
        assert "word119" in final and composer_idle(final)
    await frames_until(sender)
    for communicator in (sender, watcher, late):
        assert not any(is_transcript(f) for f in await collect_quietly(communicator))  # no reload on top
        await communicator.disconnect()


async def test_an_edit_is_shown_live_in_the_other_tabs_with_the_old_branch_marked(alice, emulator):
    sender, conversation_id, question = await a_first_answer(alice, emulator)
    watcher = await tab(alice, conversation_id)
    emulator.push_fault(Fault(kind="slow", seconds=0.04))
    emulator.push_reply(Reply(content=WORDS))

    body = {"message": "hello again", "conversation_id": str(conversation_id), "edit_of": question}
    await sender.send_json_to(body)
    seen = turn_frames(await frames_until(watcher, done=lambda f: has_word(f, "word5")))

    joined = next(f for f in seen if is_transcript(f))
    assert 'class="msg user replaced"' in joined and "Edited" in joined  # the earlier version, marked
    assert replaced_replies(joined) == 1 and "First answer." in joined
    live = re.search(r'id="turn-(\d+)-typing"', joined)
    assert live and int(live.group(1)) != question  # the new question's live reply
    assert joined.index("hello there") < joined.index("hello again") < live.start()
    final = (await frames_until(watcher))[-1]
    assert "word119" in final and composer_idle(final)
    await frames_until(sender)
    for communicator in (sender, watcher):
        await communicator.disconnect()
