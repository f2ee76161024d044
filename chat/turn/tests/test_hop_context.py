"""Which threads run a turn's later hops (chat.turn.hop_context): on PostgreSQL one turn's slow answer does not hold
up another turn's end; on the one database thread (SQLite, or CHAT_TURN_HOP_THREADS=0) it does. The real engine,
database and Groq-wire emulator; only the first answer's hop is slowed."""

import asyncio
import threading
import time

import pytest
from django.db import connection

from chat.turn import recording
from chat.turn.start import start_turn

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

SLOW_SECONDS = 1.5


@pytest.fixture
def first_answer_slowed(monkeypatch) -> threading.Event:
    """The first answer hop sleeps SLOW_SECONDS in its thread before saving; the event is set when it begins."""
    began = threading.Event()
    real = recording.TurnRecorder.answer

    def answer(self, **kwargs):
        if not began.is_set():
            began.set()
            time.sleep(SLOW_SECONDS)
        return real(self, **kwargs)

    monkeypatch.setattr(recording.TurnRecorder, "answer", answer)
    return began


async def last_event(turn):
    async with asyncio.timeout(20):
        return [event async for event in turn.events()][-1]


async def two_turns(user, began: threading.Event):
    """The first turn's (slowed) answer is under way when the second turn starts: (first's end, second's end)."""
    first = asyncio.ensure_future(last_event(await start_turn(user=user, text="first question")))
    assert await asyncio.to_thread(began.wait, 15)
    second = await last_event(await start_turn(user=user, text="second question"))
    return first, second


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite keeps the one database thread (one writer)")
async def test_on_postgresql_a_slow_answer_does_not_hold_up_another_turns_end(
    user, emulator, settings, first_answer_slowed
):
    settings.CHAT_TURN_HOP_THREADS = 4

    first, second = await two_turns(user, first_answer_slowed)

    assert second.kind == "done"
    assert not first.done()  # the second turn ended while the first was still saving its answer
    assert (await first).kind == "done"


async def test_on_one_database_thread_the_next_turn_waits_for_the_answer_before_it(
    user, emulator, settings, first_answer_slowed
):
    settings.CHAT_TURN_HOP_THREADS = 0

    first, second = await two_turns(user, first_answer_slowed)

    # It ended first: the one thread ran its answer before the second turn's.
    assert first.done() and first.result().kind == "done"
    assert second.kind == "done"
