"""The chat websocket, end to end: the real ASGI stack (origin validation, session auth, routing), the real
engine and the groq SDK talking to the Groq-wire emulator over HTTP. Frames are HTML fragments for HTMX."""

import asyncio
import html
import json
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from chat.models import Conversation, Message
from chat.services import conversation_rename
from chat.web.consumers import CLOSE_UNAUTHENTICATED
from groq_emulator import Fault, Reply, ToolCall
from tasks import selectors, services

application = import_string(settings.ASGI_APPLICATION)  # the real stack: origin check, session auth, routing

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

XSS = "<img src=x onerror=alert(1)>"


def session_headers(user, origin=b"http://testserver"):
    client = Client()
    client.force_login(user)
    headers = [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]
    return headers + ([(b"origin", origin)] if origin else [])


async def connect(headers, path="/ws/chat/"):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def send(communicator, message, conversation_id=""):
    await communicator.send_json_to(
        {"message": message, "conversation_id": conversation_id, "HEADERS": {"HX-Request": "true"}}
    )


def composer_idle(frame: str) -> bool:
    return 'id="composer-controls"' in frame and 'data-busy="false"' in frame


async def frames_until(communicator, done=composer_idle, timeout=15.0) -> list[str]:
    """Every frame up to and including the first for which `done` is true."""
    frames = []
    while True:
        frame = await communicator.receive_from(timeout=timeout)
        frames.append(frame)
        if done(frame):
            return frames


def is_broadcast(frame: str) -> bool:
    """Task-panel and sidebar re-renders (core.broadcast), which interleave with a turn."""
    return any(f'id="{name}"' in frame for name in ("task-panel-body", "conversation-list"))


def turn_frames(frames: list[str]) -> list[str]:
    return [f for f in frames if not is_broadcast(f)]


async def receive_turn_frame(communicator, timeout=5.0) -> str:
    """The next frame that is not a broadcast."""
    while is_broadcast(frame := await communicator.receive_from(timeout=timeout)):
        pass
    return frame


def sidebars(frames: list[str]) -> list[str]:
    return [f for f in frames if 'id="conversation-list"' in f]


async def last_sidebar(communicator, frames: list[str], timeout=5.0) -> str:
    """The newest sidebar among `frames`, or the next one to arrive: it is a broadcast, so it may come after the
    turn's last frame."""
    while not sidebars(frames):
        frames.append(await communicator.receive_from(timeout=timeout))
    return sidebars(frames)[-1]


async def wait_for(predicate, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await database_sync_to_async(predicate)()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the database"
        await asyncio.sleep(0.05)


def answers(user):
    return list(Message.objects.filter(conversation__owner=user, role="assistant").order_by("id"))


# --- Who may connect ---------------------------------------------------------------------------------------
async def test_anonymous_socket_is_closed_with_4401():
    communicator = WebsocketCommunicator(
        application, "/ws/chat/", headers=[(b"origin", b"http://testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected  # accepted, then closed with an application code the page understands
    assert await communicator.receive_output(timeout=2) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }
    await communicator.wait()


async def test_cross_origin_socket_is_refused(alice):
    headers = await database_sync_to_async(session_headers)(alice, origin=b"http://evil.example")
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_oversized_frame_is_refused_without_running_a_turn(alice, emulator):
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await communicator.send_to(text_data=json.dumps({"message": "x" * (64 * 1024), "conversation_id": ""}))

    frame = await receive_turn_frame(communicator)

    assert "too large" in frame and 'role="alert"' in frame
    assert composer_idle(frame)
    assert emulator.requests_snapshot() == []
    assert await database_sync_to_async(Message.objects.count)() == 0
    await communicator.disconnect()


async def test_a_frame_that_is_not_json_gets_a_notice(alice, emulator):
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await communicator.send_to(text_data="not json")

    assert "could not be read" in await communicator.receive_from(timeout=5)
    await communicator.disconnect()


# --- A turn ------------------------------------------------------------------------------------------------
async def test_a_full_turn_streams_fragments_and_creates_the_task(alice, emulator):
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "add a task to buy oat milk")

    frames = await frames_until(communicator)
    turn = turn_frames(frames)
    joined = "".join(turn)

    conversation = await database_sync_to_async(Conversation.objects.get)(owner=alice)
    user_message = await database_sync_to_async(lambda: conversation.messages.get(role="user"))()
    key = f"turn-{user_message.pk}"
    started = turn[0]
    # the user's bubble and the assistant's bubble are appended to the transcript
    assert '<div id="transcript" hx-swap-oob="beforeend">' in started
    assert f'id="msg-{user_message.pk}"' in started and "add a task to buy oat milk" in started
    assert f'<article class="msg assistant" id="{key}">' in started
    # the new conversation shows up in the sidebar and the page learns its id
    assert f'value="{conversation.pk}" hx-swap-oob="true"' in started
    sidebar = await last_sidebar(communicator, frames)
    assert 'id="conversation-list" class="conv-list" hx-swap-oob="true"' in sidebar
    assert f'id="conv-{conversation.pk}"' in sidebar and "buy oat milk" in sidebar
    # the composer is disabled with a Stop button while the turn runs
    assert 'data-busy="true"' in started and "disabled>" in started
    assert """id="stop-button" ws-send hx-vals='{"action": "stop"}'>""" in started  # shown
    assert 'id="send-button" hidden>' in started
    # a tool card, pending then done
    assert re.search(r'<ul class="tool-chips" id="turn-\d+-tools-\d+"', joined)
    assert re.search(r'class="tool-chip tool-card pending" id="tool-turn-\d+-\d+"', joined)
    assert re.search(r'class="tool-chip tool-card done" id="tool-turn-\d+-\d+" hx-swap-oob="true"', joined)
    assert "Added <em>buy oat milk</em>" in joined
    # streamed text, then the same reply rendered as markdown
    assert f'id="{key}-body" hx-swap-oob="beforeend"><div class="md streaming"' in joined
    final = turn[-1]
    assert re.search(rf'<div class="md" id="{key}-seg-\d+" hx-swap-oob="true"><p>', final)
    assert f'id="{key}-typing" hx-swap-oob="delete"' in final
    assert composer_idle(final) and 'id="send-button">' in final and '\'{"action": "stop"}\' hidden>' in final

    tasks = await database_sync_to_async(lambda: list(selectors.task_list(owner=alice)))()
    assert [t.title for t in tasks] == ["buy oat milk"]
    saved = await database_sync_to_async(answers)(alice)
    assert saved[-1].status == "complete" and saved[-1].content
    await communicator.disconnect()


async def test_a_second_message_continues_the_conversation(alice, emulator):
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "add a task to water the plants")
    await frames_until(communicator)
    conversation = await database_sync_to_async(Conversation.objects.get)(owner=alice)

    await send(communicator, "show my tasks", conversation_id=str(conversation.pk))
    everything = await frames_until(communicator)
    frames = turn_frames(everything)

    assert await database_sync_to_async(Conversation.objects.count)() == 1
    # the conversation moves to the top of every tab's sidebar; still one entry
    assert (await last_sidebar(communicator, everything)).count('<li class="conv"') == 1
    assert "water the plants" in "".join(frames)
    await communicator.disconnect()


async def test_text_is_coalesced_into_few_frames(alice, emulator):
    emulator.push_reply(Reply(content=" ".join(f"word{n}" for n in range(300))))
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "say many words")

    frames = turn_frames(await frames_until(communicator))

    text_frames = [f for f in frames if "-seg-" in f and 'hx-swap-oob="beforeend"' in f]
    assert 1 <= len(text_frames) < 30  # hundreds of deltas, a handful of frames
    assert "word299" in frames[-1]
    await communicator.disconnect()


async def test_reasoning_streams_into_a_collapsed_thinking_block(alice, emulator):
    emulator.push_reply(Reply(content="Done thinking.", reasoning="Let me think about this carefully."))
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "think")

    joined = "".join(turn_frames(await frames_until(communicator)))

    assert '<details class="reasoning"' in joined and "Thinking…" in joined
    assert '<details class="reasoning" open' not in joined
    assert "carefully" in joined and re.search(r">Thought for \d+ s</span>", joined)
    await communicator.disconnect()


async def test_every_frame_escapes_what_the_model_and_the_user_wrote(alice, emulator):
    emulator.push_reply(Reply(content="", tool_calls=[ToolCall("add_task", {"title": XSS})]))
    emulator.push_reply(Reply(content=f"Added **{XSS}** for you. <script>alert(2)</script>"))
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, f"add a task called {XSS}")

    frames = await frames_until(communicator)
    frames += await collect_quietly(communicator)

    assert await database_sync_to_async(lambda: selectors.task_list(owner=alice).get().title)() == XSS
    for frame in frames:
        assert "<img" not in frame and "<script" not in frame, frame
    joined = "".join(frames)
    assert html.escape(XSS) in joined or "&lt;img src=x onerror=alert(1)&gt;" in joined
    assert any('id="task-panel-body"' in f for f in frames)  # the panel showed it too, escaped
    await communicator.disconnect()


async def collect_quietly(communicator, quiet=0.3) -> list[str]:
    frames = []
    while not await communicator.receive_nothing(timeout=quiet):
        frames.append(await communicator.receive_from())
    return frames


async def test_domain_errors_from_start_turn_are_error_bubbles(alice, emulator, settings):
    settings.CHAT_MESSAGE_MAX_CHARS = 10
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "this message is too long")

    frame = await receive_turn_frame(communicator)

    assert 'class="msg notice" id="chat-notice" role="alert"' in frame and "at most 10 characters" in frame
    assert composer_idle(frame) and "this message is too long</textarea>" in frame  # the draft comes back
    assert emulator.requests_snapshot() == []
    await communicator.disconnect()


async def test_rate_limit_is_an_error_bubble(alice, emulator, settings):
    settings.CHAT_RATE_PER_MINUTE = 1
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "hello")
    await frames_until(communicator)

    await send(communicator, "hello again")
    frame = (await frames_until(communicator, done=lambda f: "Not sent" in f))[
        -1
    ]  # late frames of turn 1 may come first

    assert "too fast" in frame and composer_idle(frame)
    assert ">hello again</textarea>" in frame  # not saved, so the text comes back to resend
    await communicator.disconnect()


async def test_an_unexpected_failure_to_start_still_gives_the_composer_back(alice, monkeypatch):
    async def broken(**kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr("chat.web.consumers.start_turn", broken)
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "hello")

    frame = await receive_turn_frame(communicator)

    assert "Something went wrong" in frame and composer_idle(frame) and ">hello</textarea>" in frame
    await communicator.disconnect()


async def test_another_users_conversation_is_not_found(alice, bob, emulator):
    theirs = await database_sync_to_async(Conversation.objects.create)(owner=bob, title="Bob's")
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "hello", conversation_id=str(theirs.pk))

    frame = await receive_turn_frame(communicator)

    assert "was not found" in frame and composer_idle(frame)
    assert await database_sync_to_async(Message.objects.count)() == 0
    await communicator.disconnect()


async def test_upstream_failure_is_an_error_bubble_and_the_composer_comes_back(alice, emulator):
    emulator.push_fault(Fault(kind="status", status=503))
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "hello")

    final = turn_frames(await frames_until(communicator))[-1]

    assert 'class="msg-status error"' in final and 'role="alert"' in final
    assert "unavailable" in final
    assert composer_idle(final)
    assert [m.status for m in await database_sync_to_async(answers)(alice)] == ["error"]
    await communicator.disconnect()


# --- Stop and dropped sockets ----------------------------------------------------------------------------
async def test_stop_keeps_the_partial_reply_marked_stopped(alice, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "tell me a long story")
    await frames_until(communicator, done=lambda f: "md streaming" in f)  # some text has arrived

    await communicator.send_json_to({"action": "stop", "conversation_id": "", "HEADERS": {}})
    final = (await frames_until(communicator))[-1]

    assert 'class="msg-status stopped"' in final and "Stopped" in final
    assert composer_idle(final)
    saved = (await database_sync_to_async(answers)(alice))[-1]
    assert saved.status == "stopped" and saved.content
    assert len(saved.content) < 2000  # cut short, not the whole story
    assert saved.content[:40] in html.unescape(final)
    await communicator.disconnect()


async def test_a_dropped_socket_does_not_stop_the_turn(alice, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.02, count=2))
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await send(communicator, "add a task to call the plumber")
    await receive_turn_frame(communicator)  # the turn has started

    await communicator.disconnect()

    saved = await wait_for(lambda: [m for m in answers(alice) if not m.tool_calls])
    assert saved[-1].status == "complete" and saved[-1].content
    assert await database_sync_to_async(lambda: selectors.task_list(owner=alice).get().title)() == (
        "call the plumber"
    )


def is_transcript(frame: str) -> bool:
    return 'id="transcript" hx-swap-oob="innerHTML"' in frame  # the whole saved transcript, not an append


async def test_after_a_reconnect_the_live_reply_is_rejoined_then_saved(alice, bob, emulator):
    words = " ".join(f"word{n}" for n in range(40))
    emulator.push_reply(Reply(content=words))
    emulator.push_fault(Fault(kind="slow", seconds=0.1))
    first = await connect(await database_sync_to_async(session_headers)(alice))
    await send(first, "say many words")
    started = await receive_turn_frame(first)
    conversation_id = re.search(r'id="conversation-id"[^>]*value="(\d+)"', started).group(1)
    await first.disconnect()  # mid-reply  (about 5 s of reply left: still streaming under a loaded CI)

    second = await connect(await database_sync_to_async(session_headers)(alice))
    await second.send_json_to({"action": "view", "conversation_id": conversation_id})
    frames = turn_frames(await frames_until(second))
    # the reply as far as it had got (with the busy composer: Stop works here), then the rest live, then its end
    assert is_transcript(frames[0]) and "say many words" in frames[0] and 'data-busy="true"' in frames[0]
    assert 'class="typing"' in frames[0]
    assert not any(is_transcript(f) for f in frames[1:])
    assert "word39" in frames[-1] and composer_idle(frames[-1])
    assert await database_sync_to_async(lambda: answers(alice)[-1].status)() == "complete"
    assert not any(is_transcript(f) for f in await collect_quietly(second))  # no saved transcript on top

    # Once the turn is over, a view gets the saved transcript at once.
    await second.send_json_to({"action": "view", "conversation_id": conversation_id})
    assert "word39" in (await frames_until(second, done=is_transcript, timeout=2))[-1]
    await second.disconnect()

    # Nobody else's transcript can be asked for.
    intruder = await connect(await database_sync_to_async(session_headers)(bob))
    await intruder.send_json_to({"action": "view", "conversation_id": conversation_id})
    assert await intruder.receive_nothing(timeout=0.5)
    await intruder.disconnect()


async def test_a_tab_showing_the_conversation_gets_each_saved_reply(alice, bob, emulator):
    sender = await connect(await database_sync_to_async(session_headers)(alice))
    await send(sender, "hello")
    await frames_until(sender)
    conversation = await database_sync_to_async(lambda: Conversation.objects.get(owner=alice))()

    headers = database_sync_to_async(session_headers)
    same = await connect(await headers(alice), path=f"/ws/chat/?c={conversation.pk}")
    elsewhere = await connect(await headers(alice), path="/ws/chat/?c=999999")
    bobs_tab = await connect(await headers(bob), path=f"/ws/chat/?c={conversation.pk}")
    emulator.push_reply(Reply(content="A reply for every tab."))
    await send(sender, "and again", conversation_id=str(conversation.pk))
    sent = await frames_until(sender)

    # The tab showing the conversation follows the reply (live frames, or the saved transcript at the end).
    seen = "".join(await frames_until(same, done=lambda f: "A reply for every tab." in f))
    assert "and again" in seen
    assert not any(is_transcript(f) for f in sent + await collect_quietly(sender))  # it streamed the turn
    for tab in (elsewhere, bobs_tab):
        assert not any("A reply for every tab." in f for f in await collect_quietly(tab))
    for tab in (sender, same, elsewhere, bobs_tab):
        await tab.disconnect()


async def test_a_second_tab_cannot_start_a_turn_while_one_runs_in_the_conversation(alice, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    tab1 = await connect(await database_sync_to_async(session_headers)(alice))
    tab2 = await connect(await database_sync_to_async(session_headers)(alice))
    await send(tab1, "tell me a long story")
    started = await receive_turn_frame(tab1)
    conversation_id = re.search(r'id="conversation-id" value="(\d+)"', started).group(1)

    await send(tab2, "hello", conversation_id=conversation_id)
    frame = await receive_turn_frame(tab2)

    assert "still answering" in frame and composer_idle(frame)
    await tab1.send_json_to({"action": "stop"})
    await frames_until(tab1)
    for tab in (tab1, tab2):
        await tab.disconnect()


async def test_stop_without_a_turn_is_ignored(alice, emulator):
    communicator = await connect(await database_sync_to_async(session_headers)(alice))
    await communicator.send_json_to({"action": "stop"})
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


# --- The live task panel -----------------------------------------------------------------------------------
async def test_task_changes_reach_every_tab_of_the_owner_only(alice, bob):
    tab1 = await connect(await database_sync_to_async(session_headers)(alice))
    tab2 = await connect(await database_sync_to_async(session_headers)(alice))
    stranger = await connect(await database_sync_to_async(session_headers)(bob))

    await database_sync_to_async(services.task_create)(owner=alice, title="Pay rent")

    for tab in (tab1, tab2):
        frame = await tab.receive_from(timeout=5)
        assert '<div id="task-panel-body" class="task-panel-body" hx-swap-oob="true"' in frame
        assert "Pay rent" in frame
        assert 'id="task-count-badge" hx-swap-oob="true">1<' in frame
    assert await stranger.receive_nothing(timeout=0.3)
    for communicator in (tab1, tab2, stranger):
        await communicator.disconnect()


async def test_conversation_changes_reach_every_tab_of_the_owner_only(alice, bob, emulator):
    alice_tab = await connect(await database_sync_to_async(session_headers)(alice))
    bob_tab = await connect(await database_sync_to_async(session_headers)(bob))
    sender = await connect(await database_sync_to_async(session_headers)(alice))
    await send(sender, "add a task to buy oat milk")
    sidebar = (await frames_until(alice_tab, done=lambda f: 'id="conversation-list"' in f))[-1]
    assert "add a task to buy oat milk" in sidebar and 'hx-swap-oob="true"' in sidebar
    await frames_until(sender)

    conversation = await database_sync_to_async(Conversation.objects.get)(owner=alice)
    await database_sync_to_async(conversation_rename)(
        owner=alice, conversation_id=conversation.pk, title="Shopping"
    )
    renamed = (await frames_until(alice_tab, done=lambda f: 'id="conversation-list"' in f))[-1]
    assert "Shopping" in renamed
    assert await bob_tab.receive_nothing(timeout=0.3)
    for tab in (alice_tab, bob_tab, sender):
        await tab.disconnect()


async def test_a_deleted_task_can_be_undone_from_the_broadcast_panel(alice):
    task = await database_sync_to_async(services.task_create)(owner=alice, title="Old chore")
    tab = await connect(await database_sync_to_async(session_headers)(alice))

    await database_sync_to_async(services.task_delete)(owner=alice, task_id=task.pk)
    frame = await tab.receive_from(timeout=5)

    assert "Deleted “Old chore”" in frame
    assert f'hx-post="/tasks/{task.pk}/restore/"' in frame
    await tab.disconnect()


async def test_a_disconnected_tab_leaves_the_group(alice):
    tab = await connect(await database_sync_to_async(session_headers)(alice))
    await tab.disconnect()

    await database_sync_to_async(services.task_create)(owner=alice, title="Nobody listens")  # must not fail
