"""Streams anyone can join: the tabs of the owner showing a conversation see its live turn (started in another
tab), join it midway from its snapshot, and can stop it. The real ASGI stack, channel layer, cache, engine and
the Groq-wire emulator, as in test_consumers."""

import asyncio
import html
import re

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.test import Client

from chat.models import Conversation, Message
from chat.web.snapshots import snapshot_data
from chat.web.streams import (
    PUBLISH_SECONDS,
    RESYNC,
    SHOW,
    SKIP,
    UNWATCHED_PUBLISH_SECONDS,
    StreamFollower,
)
from core import broadcast
from groq_emulator import Fault, Reply, ToolCall
from tasks import selectors

from .test_consumers import (
    answers,
    collect_quietly,
    composer_idle,
    connect,
    frames_until,
    is_transcript,
    receive_turn_frame,
    send,
    session_headers,
    turn_frames,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

WORDS = " ".join(f"word{n}" for n in range(120))


async def tab(user, conversation_id=None):
    path = "/ws/chat/" + (f"?c={conversation_id}" if conversation_id else "")
    return await connect(await database_sync_to_async(session_headers)(user), path=path)


async def a_conversation(user, communicator) -> Conversation:
    """A conversation with one finished turn, so other tabs can show it before the next one starts."""
    await send(communicator, "hello")
    await frames_until(communicator)
    return await database_sync_to_async(lambda: Conversation.objects.get(owner=user))()


def segment_text(frames: list[str], segment: str) -> str:
    """The plain text a page shows in one streaming segment, from a snapshot and the deltas that follow it."""
    pattern = re.compile(rf'id="{re.escape(segment)}"(?: hx-swap-oob="beforeend")?>([^<]*)<')
    return html.unescape("".join(m for frame in frames for m in pattern.findall(frame)))


def continues(sent: list[str], seen: list[str]) -> bool:
    """A follower's frames after its join are the sender's last frames, in order, none lost or repeated (a
    follower gets them batched: chat.web.streams.PUBLISH_SECONDS)."""
    return bool(seen) and "".join(sent).endswith("".join(seen)) and len(seen) <= len(sent)


def has_word(frame: str, word: str) -> bool:
    return re.search(rf"\b{word}\b", frame) is not None


async def a_long_reply(user, emulator, seconds: float):
    """A tab of `user` that asked for WORDS, streamed a chunk every `seconds`: the tab, the turn's first frame, and
    the conversation the turn opened."""
    emulator.push_fault(Fault(kind="slow", seconds=seconds))
    emulator.push_reply(Reply(content=WORDS))
    sender = await tab(user)
    await send(sender, "say many words")
    started = await receive_turn_frame(sender)
    return sender, started, int(re.search(r'id="conversation-id"[^>]*value="(\d+)"', started).group(1))


def user_message_id(frame: str) -> int:
    """The question of the frame's turn: the last user bubble in it."""
    return int(re.findall(r'id="msg-(\d+)"', frame)[-1])


# --- Another tab of the owner follows the turn -----------------------------------------------------------------
async def test_a_tab_showing_the_conversation_sees_the_turn_live(alice, bob, emulator):
    sender = await tab(alice)
    conversation = await a_conversation(alice, sender)
    watcher = await tab(alice, conversation.pk)
    elsewhere = await tab(alice, 999999)
    bobs_tab = await tab(bob, conversation.pk)
    emulator.push_fault(Fault(kind="slow", seconds=0.01, count=2))
    emulator.push_reply(Reply(content="On it.", tool_calls=[ToolCall("add_task", {"title": "buy oat milk"})]))
    emulator.push_reply(Reply(content=WORDS))

    await send(sender, "add a task to buy oat milk", conversation_id=str(conversation.pk))
    sent = turn_frames(await frames_until(sender))
    seen = turn_frames(await frames_until(watcher))

    # joined with the question bubble and a busy composer (Stop works here too), then the live frames, then the end
    first = seen[0]
    assert is_transcript(first) and "add a task to buy oat milk" in first and "hello" in first
    assert 'data-busy="true"' in first and 'class="typing"' in first
    key = f"turn-{user_message_id(first)}"
    joined = "".join(seen)
    assert re.search(rf'class="tool-chip tool-card (pending|done)" id="tool-{key}-\d+"', joined)
    assert "Added <em>buy oat milk</em>" in joined
    assert "word119" in seen[-1] and composer_idle(seen[-1])
    # the same frames as the sender's from where the snapshot left off, none lost, none twice (batched)
    assert continues(sent, seen[1:])
    assert not any(is_transcript(f) for f in seen[1:] + await collect_quietly(watcher))  # no reload on top
    # the sender streamed it itself: it never gets its own frames back
    assert not any(is_transcript(f) for f in await collect_quietly(sender))
    # a tab of the owner elsewhere, and the other user's tab naming the same id, get none of it
    assert not any(f"{key}-" in f for f in await collect_quietly(elsewhere))
    assert await bobs_tab.receive_nothing(timeout=0.3)
    for communicator in (sender, watcher, elsewhere, bobs_tab):
        await communicator.disconnect()


async def test_a_socket_connecting_mid_reply_gets_what_was_said_then_the_rest(alice, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.04))
    emulator.push_reply(Reply(content=WORDS))
    sender = await tab(alice)
    await send(sender, "say many words")
    sent = [await receive_turn_frame(sender)]
    conversation_id = re.search(r'id="conversation-id"[^>]*value="(\d+)"', sent[0]).group(1)
    key = f"turn-{user_message_id(sent[0])}"
    sent += await frames_until(sender, done=lambda f: has_word(f, "word10"))  # well under way
    # the snapshot is at most this far behind (no other tab watches yet)
    await asyncio.sleep(UNWATCHED_PUBLISH_SECONDS)

    late = await tab(alice, conversation_id)
    seen = turn_frames(await frames_until(late))

    snapshot = seen[0]
    assert is_transcript(snapshot) and "say many words" in snapshot
    assert f'<div class="md streaming" id="{key}-seg-1">' in snapshot and "word10" in snapshot
    assert "word119" not in snapshot  # what was already said, not more
    assert segment_text(seen, f"{key}-seg-1") == WORDS  # then the rest, nothing lost or repeated
    assert "word119" in seen[-1] and composer_idle(seen[-1])
    await frames_until(sender)
    for communicator in (sender, late):
        await communicator.disconnect()


async def test_the_page_opened_mid_reply_shows_it_as_far_as_it_has_got(alice, bob, emulator):
    sender, started, conversation_id = await a_long_reply(alice, emulator, 0.06)
    key = f"turn-{user_message_id(started)}"
    await frames_until(sender, done=lambda f: has_word(f, "word5"))
    # the snapshot is at most this far behind (no other tab watches yet)
    await asyncio.sleep(UNWATCHED_PUBLISH_SECONDS)

    def page(user):
        client = Client()
        client.force_login(user)
        return client.get(f"/c/{conversation_id}/")

    response = await database_sync_to_async(page)(alice)
    body = response.content.decode()
    assert response.status_code == 200

    assert "say many words" in body and f'<div class="md streaming" id="{key}-seg-1">word0 word1' in body
    assert f'id="{key}-typing"' in body and 'data-busy="true"' in body  # typing dots; Stop, not Send
    assert "No reply yet" not in body
    assert (await database_sync_to_async(page)(bob)).status_code == 404

    await frames_until(sender)
    ended = (await database_sync_to_async(page)(alice)).content.decode()  # once saved: the transcript
    assert "md streaming" not in ended and "word119" in ended and 'data-busy="false"' in ended
    await sender.disconnect()


async def test_a_turn_no_other_tab_watches_is_published_less_often(alice, emulator):
    """Publications (snapshot + group send) every UNWATCHED_PUBLISH_SECONDS while no other tab shows the
    conversation, every PUBLISH_SECONDS once one does. The last snapshot's seq counts a turn's publications."""
    loop = asyncio.get_running_loop()
    sender = await tab(alice)
    conversation = await a_conversation(alice, sender)

    async def publications(*, watched: bool) -> tuple[int, float]:
        watcher = await tab(alice, conversation.pk) if watched else None
        emulator.push_fault(Fault(kind="slow", seconds=0.025))
        emulator.push_reply(Reply(content=WORDS))
        started = loop.time()
        await send(sender, "say many words", conversation_id=str(conversation.pk))
        await frames_until(sender)
        took = loop.time() - started
        if watcher is not None:
            await frames_until(watcher)
            await watcher.disconnect()
        await asyncio.sleep(0.2)  # the turn's bookkeeping (its last snapshot) after its last frame
        return (await sync_to_async(snapshot_data)(conversation.pk))["seq"], took

    alone, alone_took = await publications(watched=False)
    watched, watched_took = await publications(watched=True)

    assert alone_took > 1.0 and watched_took > 1.0  # long enough to tell the paces apart
    assert alone <= alone_took / UNWATCHED_PUBLISH_SECONDS + 3
    assert watched >= watched_took / PUBLISH_SECONDS / 2 and watched > alone
    await sender.disconnect()


async def test_a_turn_that_opens_its_conversation_waits_before_its_first_publication(alice, emulator):
    """No other tab can show a conversation its first turn is creating: a reply shorter than
    UNWATCHED_PUBLISH_SECONDS is published once, at its end. The next turn there publishes its start at once (a tab
    may show the conversation by then), then its end."""
    sender = await tab(alice)

    async def publications(conversation_id=None) -> tuple[int, int]:
        started = asyncio.get_running_loop().time()
        await send(sender, "hello", conversation_id=str(conversation_id or ""))
        await frames_until(sender)
        assert asyncio.get_running_loop().time() - started < UNWATCHED_PUBLISH_SECONDS  # a short reply
        await asyncio.sleep(0.2)  # the turn's bookkeeping after its last frame
        conversation = await database_sync_to_async(lambda: Conversation.objects.get(owner=alice))()
        return (await sync_to_async(snapshot_data)(conversation.pk))["seq"], conversation.pk

    opening, conversation_id = await publications()
    following, _ = await publications(conversation_id)

    assert (opening, following) == (1, 2)
    await sender.disconnect()


# --- Stop from any tab of the owner ----------------------------------------------------------------------------
async def test_stop_from_another_tab_stops_the_turn(alice, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    sender = await tab(alice)
    await send(sender, "tell me a long story")
    started = await receive_turn_frame(sender)
    conversation_id = re.search(r'id="conversation-id"[^>]*value="(\d+)"', started).group(1)
    other = await tab(alice, conversation_id)
    await frames_until(other, done=lambda f: "md streaming" in f)  # some text has arrived there

    await other.send_json_to({"action": "stop", "conversation_id": conversation_id})

    for communicator in (sender, other):
        final = (await frames_until(communicator))[-1]
        assert 'class="msg-status stopped"' in final and composer_idle(final)
    saved = (await database_sync_to_async(answers)(alice))[-1]
    assert saved.status == Message.Status.STOPPED and saved.content
    for communicator in (sender, other):
        await communicator.disconnect()


async def test_another_user_cannot_stop_the_turn(alice, bob, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.01))
    emulator.push_reply(Reply(content=WORDS))
    sender = await tab(alice)
    await send(sender, "say many words")
    started = await receive_turn_frame(sender)
    conversation_id = re.search(r'id="conversation-id"[^>]*value="(\d+)"', started).group(1)
    intruder = await tab(bob, conversation_id)

    await intruder.send_json_to({"action": "stop", "conversation_id": conversation_id})

    assert "word119" in (await frames_until(sender))[-1]
    assert (await database_sync_to_async(answers)(alice))[-1].status == Message.Status.COMPLETE
    assert await intruder.receive_nothing(timeout=0.2)
    for communicator in (sender, intruder):
        await communicator.disconnect()


# --- Nothing lost on the channel layer ---------------------------------------------------------------------
async def test_a_long_reply_with_many_tool_calls_loses_no_frame(alice, emulator):
    sender = await tab(alice)
    conversation = await a_conversation(alice, sender)
    watcher = await tab(alice, conversation.pk)
    calls = [ToolCall("add_task", {"title": f"chore {n}"}) for n in range(8)]
    emulator.push_fault(Fault(kind="slow", seconds=0.002, count=2))
    emulator.push_reply(Reply(content="Adding them.", tool_calls=calls))
    emulator.push_reply(Reply(content=" ".join(f"word{n}" for n in range(600))))

    await send(sender, "add eight chores", conversation_id=str(conversation.pk))
    sent = turn_frames(await frames_until(sender))
    seen = turn_frames(await frames_until(watcher))

    assert len(sent) > 30
    assert continues(sent, seen[1:])  # every frame after the join, in order
    assert sum(is_transcript(f) for f in seen) == 1  # joined once; no gap made it resync
    assert seen[-1].count("tool-card") == 0 and "word599" in seen[-1]
    assert await database_sync_to_async(lambda: selectors.task_list(owner=alice).count())() == 8
    for communicator in (sender, watcher):
        await communicator.disconnect()


async def test_a_listener_that_lost_frames_resyncs_from_the_snapshot(alice, emulator):
    sender, started, conversation_id = await a_long_reply(alice, emulator, 0.05)
    message_id = user_message_id(started)
    watcher = await tab(alice, conversation_id)
    await frames_until(watcher, done=lambda f: has_word(f, "word5"))

    # A frame far ahead of the last one the watcher showed: the ones between were dropped (a full channel).
    turn_id = (await sync_to_async(snapshot_data)(conversation_id))["turn_id"]  # the live turn's snapshot
    lost = broadcast.turn_frame(
        conversation_id=conversation_id,
        turn_id=turn_id,
        user_message_id=message_id,
        seq=10**6,
        html="LOST",
        terminal=False,
    )
    await get_channel_layer().group_send(broadcast.conversation_group(alice.pk, conversation_id), lost)
    seen = turn_frames(await frames_until(watcher))

    resync = next(f for f in seen if is_transcript(f))
    assert "say many words" in resync and "word5" in resync
    assert not any("LOST" in f for f in seen)
    key = f"turn-{message_id}"
    assert segment_text(seen[seen.index(resync) :], f"{key}-seg-1") == WORDS
    assert "word119" in seen[-1] and composer_idle(seen[-1])
    await frames_until(sender)
    for communicator in (sender, watcher):
        await communicator.disconnect()


def test_the_follower_shows_frames_in_order_once_and_resyncs_on_a_gap():
    follower = StreamFollower()

    def frame(turn, seq, terminal=False, html="<p>"):
        return {"turn_id": turn, "seq": seq, "terminal": terminal, "html": html}

    follower.streams(1)
    assert follower.accept(frame(1, 1)) == SKIP  # this socket streams turn 1 itself
    assert follower.accept(frame(2, 1)) == RESYNC  # a turn seen first: join from its snapshot
    follower.synced(2, 3)
    assert [follower.accept(frame(2, n)) for n in (2, 3, 4, 6)] == [SKIP, SKIP, SHOW, RESYNC]
    follower.synced(2, 6)
    assert follower.showed_end(2) and follower.accept(frame(2, 7, terminal=True)) == SHOW
    assert follower.accept(frame(2, 8)) == SKIP and follower.showed_end(2)
    assert not follower.showed_end(3)
    follower.synced(3, 1)
    assert follower.accept(frame(3, 2, html=None)) == RESYNC  # published unwatched: no frames to show


def test_the_follower_names_the_live_turn_of_the_conversation_its_stop_means():
    follower = StreamFollower()
    assert follower.live_turn(10) is None
    follower.synced("a", 2, 10)
    follower.synced("b", 1, 20)  # the page moved on to another conversation with a live turn
    assert (follower.live_turn(10), follower.live_turn(20)) == ("a", "b")
    follower.accept({"turn_id": "a", "seq": 3, "terminal": True, "html": "<p>"})  # turn a ended
    assert follower.live_turn(10) is None and follower.live_turn(20) == "b"
