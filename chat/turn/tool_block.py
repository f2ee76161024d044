"""The fallback `<TOOL_CALLS>{"tools": [{"name": ..., "params": {...}}]}</TOOL_CALLS>` protocol.

Only ever applied to the model's own output. `parse` finds every block (any case, inner whitespace, optionally
inside a ``` fence), returns the text without them and the calls; a block that isn't valid becomes an error the
engine reports back to the model. `BlockHider` does the same on a live stream so a block never reaches the screen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_OPEN = r"(?:```[a-zA-Z]*\s*)?<\s*tool_calls\s*>"
_CLOSE = r"<\s*/\s*tool_calls\s*>(?:\s*```)?"
BLOCK_RE = re.compile(rf"{_OPEN}(?P<body>.*?)(?:{_CLOSE}|\Z)", re.IGNORECASE | re.DOTALL)
OPEN_RE = re.compile(_OPEN, re.IGNORECASE)
CLOSE_RE = re.compile(_CLOSE, re.IGNORECASE)
_FENCE_MAY_FOLLOW = re.compile(r"\s*`{0,2}")  # after a close: could still grow into the "\s*```" of _CLOSE


@dataclass
class BlockCall:
    name: str
    params: dict


@dataclass
class ParsedOutput:
    text: str
    calls: list[BlockCall] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _strip_fence(body: str) -> str:
    body = body.strip()
    fenced = re.fullmatch(r"```[a-zA-Z]*\s*(.*?)\s*```", body, re.DOTALL)
    return fenced.group(1) if fenced else body


def _calls_from(body: str) -> tuple[list[BlockCall], str | None]:
    try:
        data = json.loads(_strip_fence(body))
    except json.JSONDecodeError as exc:
        return [], f"The <TOOL_CALLS> block is not valid JSON ({exc.msg} at position {exc.pos})."
    if isinstance(data, dict) and "tools" in data:
        data = data["tools"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [], 'The <TOOL_CALLS> block must hold {"tools": [{"name": ..., "params": {...}}]}.'
    calls = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return [], 'Every entry in "tools" needs a "name" string and a "params" object.'
        params = item.get("params", item.get("arguments", {}))
        if not isinstance(params, dict):
            return [], f'The "params" of {item["name"]} must be a JSON object.'
        calls.append(BlockCall(item["name"], params))
    return calls, None


def parse(text: str) -> ParsedOutput:
    out = ParsedOutput(text="")
    for match in BLOCK_RE.finditer(text):
        if not CLOSE_RE.search(match.group(0)):
            out.errors.append("The <TOOL_CALLS> block was not closed with </TOOL_CALLS>.")
            continue
        calls, error = _calls_from(match.group("body"))
        out.calls.extend(calls)
        if error:
            out.errors.append(error)
    out.text = BLOCK_RE.sub("", text).strip()
    return out


def render(calls: list[tuple[str, dict]]) -> str:
    """A block as the model is taught to write it (used when replaying history in prompt mode)."""
    # "<" only ever occurs inside JSON strings, so escaping it keeps the JSON equal and stops a title such as
    # "</TOOL_CALLS>" from closing the block early.
    body = json.dumps({"tools": [{"name": n, "params": p} for n, p in calls]}).replace("<", "\\u003c")
    return "<TOOL_CALLS>" + body + "</TOOL_CALLS>"


class BlockHider:
    """Filters a text stream: passes text through, holds back anything that may be the start of a block,
    and swallows blocks entirely."""

    _MAX_OPENER = 40  # longest plausible opener, e.g. "```json\n<TOOL_CALLS>"

    def __init__(self) -> None:
        self._pending = ""
        self._inside = False

    def feed(self, text: str) -> str:
        self._pending += text
        shown = []
        while self._pending:
            if self._inside:
                close = CLOSE_RE.search(self._pending)
                if not close or (
                    not close.group(0).endswith("`")
                    and _FENCE_MAY_FOLLOW.fullmatch(self._pending, close.end())
                ):
                    return "".join(shown)  # the block, or a closing fence that belongs to it, is still coming
                self._pending = self._pending[close.end() :]
                self._inside = False
                continue
            opener = OPEN_RE.search(self._pending)
            if opener:
                shown.append(self._pending[: opener.start()])
                self._pending = self._pending[opener.end() :]
                self._inside = True
                continue
            hold = self._possible_start(self._pending)
            shown.append(self._pending[:hold])
            self._pending = self._pending[hold:]
            break
        return "".join(shown)

    def flush(self) -> str:
        """End of stream: whatever was held back and is not a block."""
        rest, self._pending = self._pending, ""
        if self._inside:
            self._inside = False
            close = CLOSE_RE.search(rest)
            return rest[close.end() :] if close else ""
        return rest

    def _possible_start(self, text: str) -> int:
        """Index from which `text` could still grow into an opener (len(text) when it can't)."""
        for i, ch in enumerate(text):
            if ch in "<`" and len(text) - i <= self._MAX_OPENER and _could_open(text[i:]):
                return i
        return len(text)


def _could_open(fragment: str) -> bool:
    """True when some continuation of `fragment` matches the opener."""
    probe = fragment.lower()
    target = "<tool_calls>"
    if "```".startswith(probe):
        return True
    if probe.startswith("```"):
        rest = re.sub(r"^```[a-z]*\s*", "", probe)
        return (
            rest == "" or target.startswith(re.sub(r"\s+", "", rest)[: len(target)]) and rest.startswith("<")
        )
    compact = re.sub(r"\s+", "", probe)
    return target.startswith(compact) or compact.startswith(target)
