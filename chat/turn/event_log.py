"""A turn's events, for any number of listeners: each reads the whole turn from its first event, however late it
starts reading. A turn started from the REST API has two (its answer, and the stream to the pages showing the
conversation); one from the chat page has one. Events are small and a turn is bounded, so they are all kept.

    reader = log.reader()              # one listener's place in the log
    batch = await reader.batch(0.04)   # what arrived since its last read, waiting up to 40 ms for it
    async for event in reader: ...     # or one by one, ending with the terminal event
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from chat.turn.events import TurnEvent


class EventLog:
    def __init__(self) -> None:
        self._events: list[TurnEvent] = []
        self._grown = asyncio.Event()
        self._ended = False

    def append(self, event: TurnEvent) -> None:
        """Exactly one terminal event, and nothing after it."""
        if self._ended:
            return
        self._ended = event.terminal
        self._events.append(event)
        # Wake every reader waiting now; later waits use a fresh event.
        grown, self._grown = self._grown, asyncio.Event()
        grown.set()

    def reader(self) -> EventReader:
        return EventReader(self)


class EventReader:
    """One listener's place in a turn's log."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self._read = 0

    async def batch(self, timeout: float | None = None) -> list[TurnEvent]:
        """The events not read yet, waiting up to `timeout` seconds (None: as long as it takes) for the first;
        [] if none came in time. For a listener that also keeps time (coalescing): no task per event, and
        whatever arrived together is handled together."""
        log = self._log
        if self._read >= len(log._events):
            try:
                async with asyncio.timeout(timeout):
                    await log._grown.wait()
            except TimeoutError:
                return []
        batch = log._events[self._read :]
        self._read += len(batch)
        return batch

    async def __aiter__(self) -> AsyncIterator[TurnEvent]:
        while True:
            for event in await self.batch():
                yield event
                if event.terminal:
                    return
