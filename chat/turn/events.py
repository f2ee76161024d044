"""What a chat turn tells its caller, in order: started, deltas and tool activity, then done or failed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import ClassVar


@dataclass
class TurnEvent:
    kind: ClassVar[str] = "event"
    terminal: ClassVar[bool] = False

    def as_dict(self) -> dict:
        return {"type": self.kind, **asdict(self)}


@dataclass
class TurnStarted(TurnEvent):
    kind: ClassVar[str] = "started"
    conversation_id: int
    conversation_title: str
    user_message_id: int
    offline_demo: bool


@dataclass
class TextDelta(TurnEvent):
    kind: ClassVar[str] = "text"
    text: str


@dataclass
class ReasoningDelta(TurnEvent):
    kind: ClassVar[str] = "reasoning"
    text: str


@dataclass
class ToolCallStarted(TurnEvent):
    kind: ClassVar[str] = "tool_call"
    call_id: str
    name: str
    params: dict


@dataclass
class ToolCallFinished(TurnEvent):
    kind: ClassVar[str] = "tool_result"
    call_id: str
    name: str
    params: dict
    result: dict

    @property
    def ok(self) -> bool:
        return "error" not in self.result


@dataclass
class TurnDone(TurnEvent):
    """The turn ended with an answer (status complete) or was stopped by the user (status stopped)."""

    kind: ClassVar[str] = "done"
    terminal: ClassVar[bool] = True
    message_id: int
    content: str
    status: str
    usage: dict = field(default_factory=dict)
    notice: str = ""  # what the user should know about a reply kept as partial (e.g. the length limit)
    thought_ms: int | None = None  # reasoning start → first visible text (None: no reasoning, or unknown)


@dataclass
class TurnFailed(TurnEvent):
    """The turn could not finish. `message` is safe to show; whatever text arrived is saved."""

    kind: ClassVar[str] = "error"
    terminal: ClassVar[bool] = True
    code: str
    message: str
    http_status: int
    message_id: int | None = None
    partial_content: str = ""


class EventQueue:
    """Where a turn puts its events and its one listener takes them: exactly one terminal event, nothing after."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[TurnEvent] = asyncio.Queue()
        self._terminal_put = False

    def put(self, event: TurnEvent) -> None:
        if not self._terminal_put:
            self._terminal_put = event.terminal
            self._queue.put_nowait(event)

    async def __aiter__(self) -> AsyncIterator[TurnEvent]:
        while True:
            event = await self._queue.get()
            yield event
            if event.terminal:
                return

    async def batch(self, timeout: float | None = None) -> list[TurnEvent]:
        """The events queued now, waiting up to `timeout` seconds (None: as long as it takes) for the first; [] if
        none came in time. For a listener that also keeps time (coalescing): no task per event, and whatever
        arrived together is handled together."""
        queue, batch = self._queue, []
        if queue.empty():
            try:
                async with asyncio.timeout(timeout):
                    batch.append(await queue.get())
            except TimeoutError:  # a cancelled get leaves its event in the queue: nothing is lost
                return []
        batch.extend(queue.get_nowait() for _ in range(queue.qsize()))
        return batch
