"""The two ways the model calls tools, as two small objects with one interface.

    NativeTools   Groq's function calling: `tools` in the request, calls in `delta.tool_calls`, results as
                  `tool` messages.
    BlockTools    the original design's fallback: the tools are described in the system prompt, the model writes
                  `<TOOL_CALLS>{"tools": [...]}</TOOL_CALLS>` in its text (hidden from the user while it streams),
                  and the results come back as one `<TOOL_RESULTS>` user message.

The engine and the history renderer only talk to `ToolProtocol`; `protocol_for(mode)` picks one by name.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from chat.turn import tool_block
from chat.turn.calls import ToolCall
from chat.turn.tools import TOOLS, tool_schemas

NATIVE = "native"
PROMPT = "prompt"


@dataclass
class ReadCalls:
    """What one model response asked for: its calls, problems to report back, and the text to show."""

    calls: list[ToolCall] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    text: str = ""


@dataclass(frozen=True)
class ToolResult:
    call_id: str  # "" for a report that answers no call (a malformed block)
    name: str
    content: str  # the result as JSON text


class TextFilter(Protocol):
    def feed(self, text: str) -> str: ...
    def flush(self) -> str: ...


class _PassThrough:
    def feed(self, text: str) -> str:
        return text

    def flush(self) -> str:
        return ""


class ToolProtocol(Protocol):
    name: str

    def request_tools(self) -> list[dict] | None:
        """The request's `tools` parameter (None: the tools are in the prompt)."""

    def prompt_addendum(self) -> str:
        """What the system prompt adds about calling tools."""

    def text_filter(self) -> TextFilter:
        """A filter for the streamed text (hides what the user must not see)."""

    def read(self, *, content: str, visible: str, native_calls: list[ToolCall]) -> ReadCalls:
        """The calls of one finished response."""

    def calls_message(self, content: str, calls: list[ToolCall], *, raw: str | None = None) -> dict:
        """The assistant message asking for `calls`, as the model must see it next."""

    def results_messages(self, results: list[ToolResult]) -> list[dict]:
        """The results of a round, as the model must see them next."""


class NativeTools:
    name = NATIVE

    def request_tools(self) -> list[dict] | None:
        return tool_schemas()

    def prompt_addendum(self) -> str:
        return ""

    def text_filter(self) -> TextFilter:
        return _PassThrough()

    def read(self, *, content: str, visible: str, native_calls: list[ToolCall]) -> ReadCalls:
        return ReadCalls(calls=list(native_calls), text=visible.strip())

    def calls_message(self, content: str, calls: list[ToolCall], *, raw: str | None = None) -> dict:
        wire = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in calls
        ]
        return {"role": "assistant", "content": content or None, "tool_calls": wire}

    def results_messages(self, results: list[ToolResult]) -> list[dict]:
        # A prompt-mode report on a malformed block answers no call: Groq refuses a tool message without a
        # tool_call_id, which would break the conversation after a GROQ_TOOL_MODE change.
        return [
            {"role": "tool", "tool_call_id": r.call_id, "content": r.content} for r in results if r.call_id
        ]


_BLOCK_INSTRUCTIONS = """
To use a tool, write exactly one block like this (nothing else on those lines), then stop and wait:
<TOOL_CALLS>{{"tools": [{{"name": "add_task", "params": {{"title": "Buy milk"}}}}]}}</TOOL_CALLS>
You may list several calls in "tools". The results come back in a user message inside <TOOL_RESULTS>…</TOOL_RESULTS>;
that message is from the system, not the user. Available tools (JSON schema of params):
{catalog}"""


class BlockTools:
    name = PROMPT

    def request_tools(self) -> list[dict] | None:
        return None

    def prompt_addendum(self) -> str:
        catalog = "\n".join(
            f"- {t.name}: {t.description} params={json.dumps(t.parameters['properties'])}"
            for t in TOOLS.values()
        )
        return _BLOCK_INSTRUCTIONS.format(catalog=catalog)

    def text_filter(self) -> TextFilter:
        return tool_block.BlockHider()

    def read(self, *, content: str, visible: str, native_calls: list[ToolCall]) -> ReadCalls:
        parsed = tool_block.parse(content)
        calls = [
            ToolCall(f"block_{uuid.uuid4().hex[:16]}", c.name, json.dumps(c.params, ensure_ascii=False))
            for c in parsed.calls
        ]
        return ReadCalls(calls=calls, errors=parsed.errors, text=parsed.text)

    def calls_message(self, content: str, calls: list[ToolCall], *, raw: str | None = None) -> dict:
        # The live loop passes the model's own text (block included), so the model sees exactly what a malformed
        # block looked like; history re-renders the block from the stored calls.
        if raw is not None:
            return {"role": "assistant", "content": raw}
        block = tool_block.render([(c.name, _parsed(c.arguments)) for c in calls]) if calls else ""
        return {"role": "assistant", "content": f"{content}\n{block}".strip()}

    def results_messages(self, results: list[ToolResult]) -> list[dict]:
        if not results:
            return []
        payload = {"results": [{"name": r.name, "result": _parsed(r.content)} for r in results]}
        return [{"role": "user", "content": "<TOOL_RESULTS>" + json.dumps(payload) + "</TOOL_RESULTS>"}]


_PROTOCOLS: dict[str, ToolProtocol] = {NATIVE: NativeTools(), PROMPT: BlockTools()}


def protocol_for(mode: str | ToolProtocol) -> ToolProtocol:
    """The protocol named by GROQ_TOOL_MODE (anything unknown is native)."""
    if not isinstance(mode, str):
        return mode
    return _PROTOCOLS.get(mode, _PROTOCOLS[NATIVE])


def _parsed(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
