"""A tool call as the model asked for it: one typed shape for llm, engine, prompting, tools and recording."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.conf import settings

from core.text import bounded, clean_text

TOOL_NAME_MAX = 64  # Message.tool_name
CALL_ID_MAX = 100  # Message.tool_call_id
ARGUMENTS_CAP = (
    64 * 1024
)  # kept while streaming; anything over AGENT_TOOL_ARGUMENTS_MAX_CHARS is refused anyway


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


def bounded_calls(raw: Iterable[dict]) -> list[ToolCall]:
    """The model's calls made safe to run, store, show and send back: text cleaned, names and ids within their
    columns (an over-long name stays over-long enough to be an unknown tool; a missing, over-long or repeated id
    is re-issued by us), arguments over AGENT_TOOL_ARGUMENTS_MAX_CHARS cut — run_tool refuses those."""
    limit = settings.AGENT_TOOL_ARGUMENTS_MAX_CHARS
    calls, seen = [], set()
    for call in raw:
        call_id = clean_text(str(call.get("id") or ""))
        if not call_id or len(call_id) > CALL_ID_MAX or call_id in seen:
            call_id = f"call_{uuid.uuid4().hex[:24]}"
        seen.add(call_id)
        name = bounded(clean_text(str(call.get("name") or "")), TOOL_NAME_MAX)
        calls.append(
            ToolCall(call_id, name, bounded(clean_text(str(call.get("arguments") or "")), limit + 1))
        )
    return calls
