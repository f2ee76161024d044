"""A turn's event queue: exactly one terminal event, batches that lose nothing when they time out."""

import asyncio

from chat.turn.events import EventQueue, TextDelta, TurnDone, TurnFailed


async def test_a_batch_is_everything_queued_in_order():
    queue = EventQueue()
    for text in ("a", "b", "c"):
        queue.put(TextDelta(text))
    assert [e.text for e in await queue.batch()] == ["a", "b", "c"]


async def test_a_batch_that_times_out_is_empty_and_the_next_event_still_arrives():
    queue = EventQueue()
    assert await queue.batch(0.01) == []
    assert await queue.batch(0) == []
    waiting = asyncio.ensure_future(queue.batch(5))
    await asyncio.sleep(0.01)
    queue.put(TextDelta("late"))
    assert [e.text for e in await asyncio.wait_for(waiting, 1)] == ["late"]


async def test_nothing_follows_the_terminal_event():
    queue = EventQueue()
    queue.put(TextDelta("x"))
    queue.put(TurnDone(1, "x", "complete"))
    queue.put(TurnFailed("internal_error", "late", 500, None, ""))  # a safety net that fired too
    queue.put(TextDelta("y"))
    assert [type(e).__name__ for e in await queue.batch()] == ["TextDelta", "TurnDone"]
    assert [type(e).__name__ async for e in _fresh_with(TurnDone(1, "", "complete"))] == ["TurnDone"]


async def _fresh_with(event):
    queue = EventQueue()
    queue.put(event)
    async for e in queue:
        yield e
