"""A turn's event log: exactly one terminal event, batches that lose nothing when they time out, and every
listener reads the whole turn, however late it starts."""

import asyncio

from chat.turn.event_log import EventLog
from chat.turn.events import TextDelta, TurnDone, TurnFailed


async def test_a_batch_is_everything_not_read_yet_in_order():
    log = EventLog()
    reader = log.reader()
    for text in ("a", "b", "c"):
        log.append(TextDelta(text))
    assert [e.text for e in await reader.batch()] == ["a", "b", "c"]
    log.append(TextDelta("d"))
    assert [e.text for e in await reader.batch()] == ["d"]


async def test_a_batch_that_times_out_is_empty_and_the_next_event_still_arrives():
    log = EventLog()
    reader = log.reader()
    assert await reader.batch(0.01) == []
    assert await reader.batch(0) == []
    waiting = asyncio.ensure_future(reader.batch(5))
    await asyncio.sleep(0.01)
    log.append(TextDelta("late"))
    assert [e.text for e in await asyncio.wait_for(waiting, 1)] == ["late"]


async def test_nothing_follows_the_terminal_event():
    log = EventLog()
    log.append(TextDelta("x"))
    log.append(TurnDone(1, "x", "complete"))
    log.append(TurnFailed("internal_error", "late", 500, None, ""))  # a safety net that fired too
    log.append(TextDelta("y"))
    assert [type(e).__name__ async for e in log.reader()] == ["TextDelta", "TurnDone"]


async def test_every_listener_reads_the_whole_turn_even_a_late_one():
    log = EventLog()
    early = log.reader()
    log.append(TextDelta("a"))
    assert [e.text for e in await early.batch()] == ["a"]
    waiting = asyncio.ensure_future(early.batch(5))
    await asyncio.sleep(0.01)
    log.append(TextDelta("b"))
    log.append(TurnDone(1, "ab", "complete"))
    late = log.reader()  # joins after the end: still everything, from the first event
    assert [type(e).__name__ for e in await asyncio.wait_for(waiting, 1)] == ["TextDelta", "TurnDone"]
    assert [type(e).__name__ async for e in late] == ["TextDelta", "TextDelta", "TurnDone"]
