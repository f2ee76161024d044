"""A whole turn folded into one answer, for the non-streaming API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from chat.turn.events import ToolCallFinished, TurnDone, TurnEvent, TurnFailed, TurnStarted


@dataclass
class TurnResult:
    conversation_id: int
    response: str
    status: str
    tool_calls: list[dict] = field(default_factory=list)
    usage: dict = field(default_factory=dict)
    error: TurnFailed | None = None
    offline_demo: bool = False
    notice: str = ""  # e.g. "The reply hit the length limit." for a reply kept as partial


async def fold(conversation_id: int, events: AsyncIterator[TurnEvent]) -> TurnResult:
    calls: list[dict] = []
    offline = False
    async for event in events:
        if isinstance(event, TurnStarted):
            offline = event.offline_demo
        elif isinstance(event, ToolCallFinished):
            calls.append({"tool": event.name, "params": event.params, "result": event.result})
        elif isinstance(event, TurnDone):
            return TurnResult(
                conversation_id,
                event.content,
                event.status,
                calls,
                event.usage,
                offline_demo=offline,
                notice=event.notice,
            )
        elif isinstance(event, TurnFailed):
            return TurnResult(
                conversation_id, event.partial_content, "error", calls, error=event, offline_demo=offline
            )
    raise AssertionError("a turn always ends with done or failed")
