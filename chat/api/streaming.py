"""A turn's events as server-sent events, the first visible text at once and the rest coalesced.

Like the chat page's relay (chat.web.relay): the first text event goes out the moment it arrives, so the added
time-to-first-text is the model's, not a window's; after it, adjacent text (and reasoning) deltas that arrive
within `flush_seconds` become one event, so a 500 tokens/s stream is ~25 writes a second, not 500. Every other
event flushes what is pending and goes out at once. Joining the text events still gives the answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from chat.turn.engine import Turn
from chat.turn.events import ReasoningDelta, TextDelta

FLUSH_SECONDS = 0.04


def sse_event(event: dict) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False, default=str)}\n\n".encode()


async def turn_sse(turn: Turn, *, flush_seconds: float = FLUSH_SECONDS) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    events = turn.listen()
    runs: list[list] = []  # [kind, [pieces]] in arrival order; adjacent pieces of one kind merge
    text_sent = False
    last_flush = loop.time()

    def flush() -> bytes:
        nonlocal text_sent, last_flush
        out = b"".join(sse_event({"type": kind, "text": "".join(pieces)}) for kind, pieces in runs)
        text_sent = text_sent or any(kind == TextDelta.kind for kind, _ in runs)
        runs.clear()
        last_flush = loop.time()
        return out

    while True:
        timeout = max(0.0, last_flush + flush_seconds - loop.time()) if runs else None
        batch = await events.batch(timeout)  # whatever arrived together, with no task per event
        if not batch:  # the window closed with deltas waiting
            yield flush()
            continue
        for event in batch:
            if isinstance(event, TextDelta | ReasoningDelta):
                if runs and runs[-1][0] == event.kind:
                    runs[-1][1].append(event.text)
                else:
                    runs.append([event.kind, [event.text]])
                if not text_sent and isinstance(event, TextDelta):
                    yield flush()
                continue
            yield (flush() if runs else b"") + sse_event(event.as_dict())
            if event.terminal:
                return
        if runs and loop.time() - last_flush >= flush_seconds:
            yield flush()
