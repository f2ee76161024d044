"""A tool call as the model asked for it: one typed shape for llm, engine, prompting, tools and recording."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # the model's raw JSON text; parsed and validated only by chat.turn.tools

    def as_stored(self) -> dict:
        """The shape kept in `Message.tool_calls` (and sent back to the model in native mode)."""
        return asdict(self)

    @classmethod
    def from_stored(cls, data: dict) -> ToolCall:
        arguments = data.get("arguments")
        return cls(str(data.get("id") or ""), str(data.get("name") or ""), _as_text(arguments))


def _as_text(arguments: object) -> str:
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)
