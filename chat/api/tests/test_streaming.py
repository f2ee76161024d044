"""Server-sent events of a turn: the first text goes out at once; later deltas are coalesced, never lost."""

import asyncio
import json

from chat.api.streaming import turn_sse
from chat.turn.event_log import EventLog
from chat.turn.events import ReasoningDelta, TextDelta, TurnDone, TurnStarted


class FakeTurn:
    """A turn whose events the test releases one by one."""

    def __init__(self):
        self.log = EventLog()  # the turn's own log: the test appends events to it

    def listen(self):
        return self.log.reader()


def parse(data: bytes) -> list[dict]:
    return [json.loads(line[6:]) for line in data.decode().splitlines() if line.startswith("data: ")]


async def test_the_first_text_goes_out_before_the_model_sends_more():
    turn = FakeTurn()
    stream = turn_sse(turn, flush_seconds=3600)  # a window that never elapses during the test
    turn.log.append(TurnStarted(1, "t", 2, False))
    assert parse(await anext(stream))[0]["type"] == "started"
    turn.log.append(ReasoningDelta("hm"))
    turn.log.append(TextDelta("Hel"))
    # Nothing else is queued: the text must come out now, not when the window or the turn ends.
    first = await asyncio.wait_for(anext(stream), timeout=30)
    assert parse(first) == [{"type": "reasoning", "text": "hm"}, {"type": "text", "text": "Hel"}]
    for piece in ("lo", " wor", "ld"):
        turn.log.append(TextDelta(piece))
    turn.log.append(TurnDone(9, "Hello world", "complete"))
    rest = parse(await anext(stream))
    assert rest[0] == {"type": "text", "text": "lo world"}  # coalesced into one event
    assert rest[-1]["type"] == "done"
    await stream.aclose()


async def test_pending_text_is_flushed_when_the_window_elapses():
    turn = FakeTurn()
    stream = turn_sse(turn, flush_seconds=0)
    turn.log.append(TextDelta("a"))
    assert parse(await anext(stream)) == [{"type": "text", "text": "a"}]
    turn.log.append(TextDelta("b"))
    assert parse(await anext(stream)) == [{"type": "text", "text": "b"}]
    await stream.aclose()
