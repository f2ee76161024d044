"""When the model fails: every upstream failure ends the turn with a safe message and a saved, honest transcript.

Failures are injected by the Groq-wire emulator (or a closed port), so the real groq SDK and httpx raise exactly
what they raise in production.
"""

import asyncio
import json
import logging
import socket
import time

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from chat.turn.events import ToolCallStarted, TurnDone, TurnFailed
from chat.turn.protocols import NATIVE, PROMPT
from chat.turn.start import start_turn
from groq_emulator import EmulatorServer, Fault
from tasks import selectors

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "tell me a long story"  # the emulator streams ~200 content chunks after 7 reasoning chunks
FIRST_CONTENT_CHUNK = 8  # role chunk + 7 reasoning chunks come first
LEAKS = (
    "Traceback",
    "test-key",
    "invalid-key",
    "Invalid API Key",
    "Rate limit",
    "Internal Server Error",
    "Bad Gateway",
    "Service Unavailable",
    "failed_generation",
    "functions.add_task",
    "127.0.0.1",
    "Exception",
    "Error",
)


async def collect(turn) -> list:
    async with asyncio.timeout(15):
        return [event async for event in turn.events()]


@sync_to_async
def transcript(conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id).order_by("created_at", "id"))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _bad_key(settings, emulator):
    settings.GROQ_API_KEY = "invalid-key"


def _closed_port(settings, emulator):
    settings.GROQ_BASE_URL = closed_port_url()


def _fault(**kwargs):
    return lambda settings, emulator: emulator.push_fault(Fault(**kwargs))


def _stall(settings, emulator, after_chunks=None):
    settings.AGENT_TIMEOUT = 1
    emulator.push_fault(Fault(kind="stall", seconds=3, after_chunks=after_chunks))


# (setup, text, expected code, expected http status, whether visible text arrived before the failure)
CASES = {
    "bad-api-key": (_bad_key, "add a task to buy milk", "upstream_auth", 502, False),
    "403": (_fault(kind="status", status=403), "add a task to buy milk", "upstream_auth", 502, False),
    "429": (
        _fault(kind="status", status=429, count=10),
        "add a task to buy milk",
        "upstream_rate_limited",
        503,
        False,
    ),
    "500": (_fault(kind="status", status=500), "add a task to buy milk", "upstream_unavailable", 503, False),
    "502": (_fault(kind="status", status=502), "add a task to buy milk", "upstream_unavailable", 503, False),
    "503": (_fault(kind="status", status=503), "add a task to buy milk", "upstream_unavailable", 503, False),
    "498-flex-capacity": (_fault(kind="status", status=498), "hello", "upstream_unavailable", 503, False),
    "413-too-large": (_fault(kind="status", status=413), "hello", "upstream_too_large", 502, False),
    "422": (_fault(kind="status", status=422), "hello", "upstream_error", 502, False),
    "tool-use-failed-twice": (
        _fault(kind="tool_use_failed", count=2),
        "add a task to buy milk",
        "tool_use_failed",
        502,
        False,
    ),
    "connection-refused": (_closed_port, "add a task to buy milk", "upstream_unreachable", 503, False),
    "dropped-connection": (_fault(kind="drop"), "add a task to buy milk", "upstream_unreachable", 503, False),
    "stall-before-answer": (_stall, "add a task to buy milk", "upstream_timeout", 504, False),
    "stall-midway": (
        lambda s, e: _stall(s, e, after_chunks=FIRST_CONTENT_CHUNK + 4),
        LONG,
        "upstream_timeout",
        504,
        True,
    ),
    "break-before-text": (_fault(kind="break", after_chunks=1), LONG, "upstream_error", 502, False),
    "break-midway": (
        _fault(kind="break", after_chunks=FIRST_CONTENT_CHUNK + 4),
        LONG,
        "upstream_error",
        502,
        True,
    ),
    "sse-error-before-text": (_fault(kind="sse_error", after_chunks=3), LONG, "upstream_error", 502, False),
    "sse-error-midway": (
        _fault(kind="sse_error", after_chunks=FIRST_CONTENT_CHUNK + 4),
        LONG,
        "upstream_error",
        502,
        True,
    ),
}


@pytest.mark.parametrize("mode", [NATIVE, PROMPT])
@pytest.mark.parametrize("case", list(CASES))
async def test_upstream_failure_ends_the_turn_cleanly(emulator, user, settings, caplog, case, mode):
    setup, text, code, http_status, text_arrived = CASES[case]
    caplog.set_level(logging.DEBUG)
    setup(settings, emulator)
    started = time.monotonic()

    turn = await start_turn(user=user, text=text, mode=mode)
    events = await collect(turn)
    elapsed = time.monotonic() - started

    failed = events[-1]
    assert isinstance(failed, TurnFailed), failed
    assert (failed.code, failed.http_status) == (code, http_status)
    assert failed.message and len(failed.message) < 100
    for leak in LEAKS:
        assert leak not in failed.message
    streamed = "".join(e.text for e in events if e.kind == "text").strip()
    assert bool(streamed) is text_arrived
    assert failed.partial_content == streamed

    user_msg, answer = await transcript(turn.conversation_id)
    assert (user_msg.role, user_msg.content) == ("user", text)
    assert answer.pk == failed.message_id
    assert answer.role == "assistant"
    assert answer.status == ("partial" if text_arrived else "error")
    assert (answer.error_code, answer.error_message) == (code, failed.message)
    assert answer.content == streamed
    assert await selectors.task_list(owner=user).acount() == 0

    assert "invalid-key" not in caplog.text and "test-key" not in caplog.text
    if case.startswith("stall"):
        assert elapsed < 2.5  # AGENT_TIMEOUT (1 s) ends it, not the 3 s stall


async def test_bad_api_key_is_never_logged(emulator, user, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.GROQ_API_KEY = "invalid-key-sk-0123456789abcdef"
    turn = await start_turn(user=user, text="add a task to buy milk")
    failed = (await collect(turn))[-1]
    assert failed.code == "upstream_auth"
    assert "upstream_auth" in caplog.text  # the failure is logged, for the admin …
    assert "invalid-key" not in caplog.text  # … without the key
    for record in caplog.records:
        assert "invalid-key" not in record.getMessage()
    assert len(emulator.requests_snapshot()) == 1  # a 401 is not retried


async def test_rate_limits_are_retried_then_given_up(emulator, user, settings):
    settings.GROQ_MAX_RETRIES = 1
    emulator.push_fault(Fault(kind="status", status=429, retry_after=0, count=10))
    failed = (await collect(await start_turn(user=user, text="add a task to buy milk")))[-1]
    assert (failed.code, failed.http_status) == ("upstream_rate_limited", 503)
    assert len(emulator.requests_snapshot()) == 2  # the first try and one retry


async def test_a_retry_can_save_the_turn(emulator, user, settings):
    settings.GROQ_MAX_RETRIES = 1
    emulator.push_fault(Fault(kind="status", status=503, retry_after=0, count=1))
    done = (await collect(await start_turn(user=user, text="add a task to buy milk")))[-1]
    assert isinstance(done, TurnDone) and done.status == "complete"
    assert len(emulator.requests_snapshot()) == 3  # failed, retried, then the answer after the tool
    assert [t.title async for t in selectors.task_list(owner=user)] == ["buy milk"]


async def test_a_failure_after_a_tool_ran_keeps_its_effect_and_the_transcript(emulator, user):
    turn = await start_turn(user=user, text="add a task to buy milk", mode=NATIVE)
    events = []
    async with asyncio.timeout(15):
        async for event in turn.events():
            events.append(event)
            if isinstance(event, ToolCallStarted):  # the next model call (after the tool) fails
                emulator.push_fault(Fault(kind="status", status=500))
    failed = events[-1]
    assert isinstance(failed, TurnFailed) and failed.code == "upstream_unavailable"
    assert [e.kind for e in events if e.kind in ("tool_call", "tool_result")] == ["tool_call", "tool_result"]
    assert [t.title async for t in selectors.task_list(owner=user)] == ["buy milk"]
    roles = [(m.role, m.status) for m in await transcript(turn.conversation_id)]
    assert roles == [
        ("user", "complete"),
        ("assistant", "complete"),
        ("tool", "complete"),
        ("assistant", "error"),
    ]


async def test_the_conversation_goes_on_after_a_failure(emulator, user):
    emulator.push_fault(Fault(kind="break", after_chunks=FIRST_CONTENT_CHUNK + 4))
    first = await start_turn(user=user, text=LONG)
    assert isinstance((await collect(first))[-1], TurnFailed)
    emulator.reset()
    second = await start_turn(user=user, text="add a task to buy milk", conversation_id=first.conversation_id)
    done = (await collect(second))[-1]
    assert isinstance(done, TurnDone) and done.status == "complete"
    replayed = emulator.requests_snapshot()[0]["messages"]
    assert [m["role"] for m in replayed] == ["system", "user", "assistant", "user"]
    assert replayed[2]["content"].startswith("Once upon a time")  # the partial answer is history too


# --- Stop --------------------------------------------------------------------------------------------------
@pytest.fixture
def own_emulator(settings):
    """A private emulator, so its disconnect counter can't be touched by another test's leftover stall."""
    server = EmulatorServer(host="127.0.0.1", port=0).start()
    settings.GROQ_BASE_URL = server.base_url
    settings.GROQ_API_KEY = "test-key"
    settings.GROQ_MAX_RETRIES = 0
    yield server
    server.stop()


@pytest.mark.parametrize("mode", [NATIVE, PROMPT])
async def test_stop_keeps_the_partial_reply_and_closes_the_upstream_stream(own_emulator, user, mode):
    own_emulator.push_fault(Fault(kind="slow", seconds=0.05))  # ~200 chunks: a ten-second reply
    started = time.monotonic()
    turn = await start_turn(user=user, text=LONG, mode=mode)
    events, stopped_at = [], None
    async with asyncio.timeout(10):
        async for event in turn.events():
            events.append(event)
            if stopped_at is None and sum(e.kind == "text" for e in events) == 3:
                stopped_at = time.monotonic()
                turn.stop()
    done = events[-1]
    assert time.monotonic() - stopped_at < 1
    assert time.monotonic() - started < 5

    assert isinstance(done, TurnDone) and done.status == "stopped"
    streamed = "".join(e.text for e in events if e.kind == "text")
    assert streamed.startswith("Once upon a time")
    assert done.content == streamed.strip()
    assert not turn.running

    user_msg, answer = await transcript(turn.conversation_id)
    assert user_msg.content == LONG
    assert (answer.pk, answer.role, answer.status) == (done.message_id, "assistant", "stopped")
    assert answer.content == streamed.strip()
    assert answer.error_code == ""
    assert answer.reasoning.startswith("The user wants a long piece of writing")

    for _ in range(40):  # the emulator notices the closed connection on its next write
        if own_emulator.disconnects:
            break
        await asyncio.sleep(0.05)
    assert own_emulator.disconnects == 1
    assert len(own_emulator.requests_snapshot()) == 1


async def test_pressing_stop_again_and_again_still_ends_the_turn_once(emulator, user):
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    turn = await start_turn(user=user, text=LONG)

    async def keep_clicking():
        while True:
            turn.stop()
            await asyncio.sleep(0.001)

    clicking = None
    events = []
    try:
        async with asyncio.timeout(5):
            async for event in turn.events():
                events.append(event)
                if event.kind == "text" and clicking is None:
                    clicking = asyncio.create_task(keep_clicking())
    finally:
        clicking.cancel()
    assert [e.kind for e in events if e.terminal] == ["done"]
    assert events[-1].status == "stopped"
    assert [m.status for m in await transcript(turn.conversation_id)] == ["complete", "stopped"]
    # The conversation is free again: the next message starts a turn.
    nxt = await start_turn(user=user, text="hello", conversation_id=turn.conversation_id)
    assert (await nxt.result()).status == "complete"


async def test_a_turn_cancelled_before_it_ran_still_ends_its_listener(emulator, user):
    """A server shutting down cancels every task, maybe before a turn's body has run: no terminal event would come
    from the body, so the listener gets the turn's unsaved failure instead of waiting forever."""
    turn = await start_turn(user=user, text="hello")
    turn._task.cancel()  # what asyncio's shutdown does; Stop is a different path (it saves the partial)
    async with asyncio.timeout(5):
        events = [event async for event in turn.events()]
    assert [e.kind for e in events] == ["error"]
    assert events[0].message_id is None


async def test_a_turn_cancelled_again_while_it_saves_still_ends_once(emulator, user):
    """Stop, then cancels (a shutdown) at every step while the stopped reply and the lock release are saved."""
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    turn = await start_turn(user=user, text=LONG)

    async def keep_cancelling():
        while turn.running:
            turn._task.cancel()
            await asyncio.sleep(0.001)

    events, cancelling = [], None
    async with asyncio.timeout(5):
        async for event in turn.events():
            events.append(event)
            if event.kind == "text" and cancelling is None:
                turn.stop()
                cancelling = asyncio.create_task(keep_cancelling())
    await cancelling
    assert [e.terminal for e in events].count(True) == 1
    assert events[-1].terminal


async def test_stop_while_a_tool_runs(emulator, user):
    """The tools of the round finish and are saved; the stopped reply follows them; nothing is left hanging."""
    for n in range(5):  # the hazard (a thread inside the on-commit announcement) is a matter of timing
        turn = await start_turn(user=user, text=f"add a task to buy milk {n}")
        events = []
        async with asyncio.timeout(5):
            async for event in turn.events():
                events.append(event)
                if isinstance(event, ToolCallStarted):
                    turn.stop()
        assert isinstance(events[-1], TurnDone) and events[-1].status == "stopped"
        # The listener hears how the tool ended, so its card doesn't stay pending.
        assert [e.kind for e in events if e.kind.startswith("tool")] == ["tool_call", "tool_result"]
        messages = await transcript(turn.conversation_id)
        assert [(m.role, m.status) for m in messages] == [
            ("user", "complete"),
            ("assistant", "complete"),
            ("tool", "complete"),
            ("assistant", "stopped"),
        ]
        assert json.loads(messages[2].content)["status"] == "created"
        nxt = await start_turn(user=user, text="hello", conversation_id=turn.conversation_id)
        assert (await nxt.result()).status == "complete"
    assert await selectors.task_list(owner=user).acount() == 5


async def test_stop_after_the_turn_ended_changes_nothing(emulator, user):
    turn = await start_turn(user=user, text="hello")
    done = (await collect(turn))[-1]
    turn.stop()
    await asyncio.sleep(0.05)
    [_, answer] = await transcript(turn.conversation_id)
    assert (answer.pk, answer.status) == (done.message_id, "complete")


async def test_one_tool_use_failed_is_retried_and_the_turn_succeeds(emulator, user):
    emulator.push_fault(Fault(kind="tool_use_failed"))
    turn = await start_turn(user=user, text="add a task to buy milk")
    result = await turn.result()
    assert result.status == "complete" and result.tool_calls[0]["result"]["status"] == "created"
    assert len(emulator.requests_snapshot()) == 3  # the failed call, its retry, the answer after the tool
