"""What a chat turn tells its caller, in order: started, deltas and tool activity, then done or failed."""

from __future__ import annotations

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
