"""Fault injection and scripted replies: the JSON-serialisable dataclasses and a thread-safe queue."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any

FAULT_KINDS = ("status", "tool_use_failed", "drop", "stall", "break", "sse_error", "slow", "cut")

DEFAULT_FAILED_GENERATION = '<|channel|>commentary to=functions.add_task <|message|>{"title": "buy milk"'


def _from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Build dataclass `cls` from a dict, rejecting unknown keys."""
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unknown {cls.__name__} field(s): {', '.join(sorted(unknown))}")
    return cls(**data)


@dataclass
class Fault:
    """A failure to inject into the next `count` chat requests.

    kind: status | tool_use_failed | drop | stall | break | sse_error | slow | cut.
    `seconds` is the stall length (stall) or the per-chunk delay (slow); `after_chunks` is how many
    stream chunks go out before the fault strikes (break, sse_error, stall, cut). `cut` ends the response
    cleanly (as a proxy closing midway would) without the finishing chunk or `data: [DONE]`; without
    `after_chunks` it drops just the last chunk (the one with `finish_reason`) and [DONE].
    """

    kind: str
    status: int | None = None
    retry_after: float | None = None
    code: str | None = None
    message: str | None = None
    seconds: float = 0.0
    after_chunks: int | None = None
    failed_generation: str | None = None
    count: int = 1

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.kind == "status" and not self.status:
            raise ValueError("a 'status' fault needs a status code")
        if self.count < 1:
            raise ValueError("count must be >= 1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        return _from_dict(cls, data)


@dataclass
class ToolCall:
    """One tool call of a scripted reply; `arguments` may be a dict or a raw (even malformed) JSON string."""

    name: str
    arguments: str | dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    @property
    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCall:
        return _from_dict(cls, data)


@dataclass
class Reply:
    """A scripted model reply; overrides the brain for one request."""

    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    split_arguments: bool = False
    finish_reason: str | None = None

    def __post_init__(self) -> None:
        self.tool_calls = [
            tc if isinstance(tc, ToolCall) else ToolCall.from_dict(tc) for tc in self.tool_calls
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return _from_dict(cls, data)


class Script:
    """Thread-safe queues of pending faults and scripted replies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._remaining: list[int] = []
        self._replies: list[Reply] = []

    def push_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)
            self._remaining.append(fault.count)

    def push_reply(self, reply: Reply) -> None:
        with self._lock:
            self._replies.append(reply)

    def next_fault(self) -> Fault | None:
        """Return the fault for this request (decrementing its count), or None."""
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            self._remaining[0] -= 1
            if self._remaining[0] <= 0:
                self._faults.pop(0)
                self._remaining.pop(0)
            return fault

    def next_reply(self) -> Reply | None:
        with self._lock:
            return self._replies.pop(0) if self._replies else None

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._remaining.clear()
            self._replies.clear()
