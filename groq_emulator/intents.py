"""Rule-based parsing of plain-English todo requests into intents (no model, just regular expressions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
_VERBS = (
    r"add|create|remind|put|show|list|display|view|see|what|which|whats|what's|give|get|tell|complete|"
    r"finish|mark|check|tick|close|delete|remove|drop|erase|rename|change|update|edit|set|also|please|"
    r"then|i"
)
_SPLIT = re.compile(rf"\s*(?:[.!?;]+\s+|,?\s+(?:and\s+then|and|then)\s+|,\s+)(?=(?:{_VERBS})\b)", re.I)
_POLITE = re.compile(
    r"^(?:(?:please|also|then|ok(?:ay)?|now|hey|so)[\s,]+|(?:can|could|would|will) you\s+"
    r"(?:please\s+)?|i(?:'d| would) like (?:you )?to\s+|i want (?:you )?to\s+)+",
    re.I,
)

_DONE = r"(?:as\s+)?(?:done|complete|completed|finished|checked(?:\s+off)?)"
_RENAME = re.compile(r"^(?:rename|retitle)\s+(?P<t>.+?)\s+(?:to|as)\s+(?P<v>.+)$", re.I)
_TITLE = re.compile(
    r"^(?:change|update|set|edit)\s+(?:the\s+)?(?:title|name)\s+(?:of|for)\s+(?P<t>.+?)\s+"
    r"to\s+(?P<v>.+)$",
    re.I,
)
_TITLE2 = re.compile(r"^(?:change|update|edit)\s+(?P<t>.+?)(?:'s)?\s+(?:title|name)\s+to\s+(?P<v>.+)$", re.I)
_DESC = re.compile(
    r"^(?:change|update|set|edit)\s+(?:the\s+)?description\s+(?:of|for|on)\s+(?P<t>.+?)\s+"
    r"to\s+(?P<v>.+)$",
    re.I,
)
_DESC2 = re.compile(r"^(?:change|update|edit)\s+(?P<t>.+?)(?:'s)?\s+description\s+to\s+(?P<v>.+)$", re.I)
_CHANGE = re.compile(r"^(?:change|update|edit)\s+(?P<t>(?:task\s*)?#?\s*\d+)\s+to\s+(?P<v>.+)$", re.I)
_COMPLETE = [
    re.compile(rf"^mark\s+(?P<t>.+?)\s+{_DONE}$", re.I),
    re.compile(r"^(?:complete|finish|close|check\s+off|tick\s+off)\s+(?P<t>.+)$", re.I),
    re.compile(r"^(?:check|tick)\s+(?P<t>.+?)\s+off$", re.I),
    re.compile(rf"^(?P<t>.+?)\s+is\s+{_DONE}$", re.I),
    re.compile(r"^i(?:'ve| have)?\s+(?:finished|completed|done)\s+(?P<t>.+)$", re.I),
]
_DELETE = re.compile(
    r"^(?:delete|remove|drop|erase|get\s+rid\s+of|cancel|trash)\s+(?P<t>.+?)"
    r"(?:\s+from\s+(?:my|the)\s+(?:list|tasks|todo\s+list|to-do\s+list))?$",
    re.I,
)
_ADD = [
    re.compile(
        r"^(?:remind\s+me\s+to|don'?t\s+let\s+me\s+forget\s+to|i\s+need\s+to|i\s+have\s+to)\s+(?P<v>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:add|create|make|new|put)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:task|todo|to-do|reminder|item)\b"
        r"\s*(?:to\s+|:\s*|called\s+|named\s+|titled\s+|for\s+|-\s*)?(?P<v>.+)$",
        re.I,
    ),
    re.compile(r"^(?:add|put)\s*:?\s+(?P<v>.+)$", re.I),
]
_ADD_TAIL = re.compile(r"\s+(?:to|on|onto)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|task\s+)?(?:list|tasks)$", re.I)
_WITH_DESC = re.compile(
    r"^(?P<v>.+?)[\s,]+(?:with|and)\s+(?:the\s+|a\s+)?(?:description|details?|notes?)"
    r"\s*(?::|of|saying)?\s*(?P<d>.+)$",
    re.I,
)
_LIST_START = re.compile(
    r"^(?:show|list|display|view|see|what|which|whats|what's|give|get|tell|read|how\s+many|"
    r"do\s+i\s+have|my\b)",
    re.I,
)
_LIST_WORDS = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|list|completed|done|finished|pending|open|outstanding|"
    r"left|remaining|need\s+to\s+do|to\s+do)\b",
    re.I,
)
_PENDING = re.compile(
    r"\b(?:pending|open|outstanding|incomplete|unfinished|left|remaining|todo|to\s+do|"
    r"not\s+done|active|need\s+to)\b",
    re.I,
)
_COMPLETED = re.compile(r"\b(?:completed|done|finished|complete|closed|checked\s+off)\b", re.I)
_ID = re.compile(r"^(?:task|todo|item)?\s*(?:number|no\.?|num|#)?\s*#?\s*(\d+)$", re.I)
_ORD = re.compile(
    r"^(?:the\s+)?(?:(" + "|".join(ORDINALS) + r")|(\d+)(?:st|nd|rd|th))"
    r"(?:\s+(?:one|task|todo|item|pending\s+task|one\s+on\s+the\s+list))?$",
    re.I,
)
_IT = re.compile(r"^(?:it|that|this|that\s+one|this\s+one|that\s+task|this\s+task)$", re.I)
LONG = re.compile(r"long\s+story|write\s+(?:me\s+)?a\s+long", re.I)
GREETING = re.compile(r"^(?:hi|hello|hey|good\s+(?:morning|afternoon|evening)|yo)\b", re.I)


@dataclass
class Target:
    """Which task a request refers to: an explicit id, an ordinal in the latest list, a title, or 'it'."""

    kind: str  # id | ordinal | title | it
    value: Any = None

    def describe(self) -> str:
        if self.kind == "id":
            return f"task #{self.value}"
        if self.kind == "ordinal":
            return "the last task" if self.value == -1 else f"task number {self.value} in the list"
        if self.kind == "title":
            return f'the task "{self.value}"'
        return "the task just mentioned"


@dataclass
class Intent:
    """One requested action: add | list | complete | delete | update."""

    action: str
    args: dict[str, Any] = field(default_factory=dict)
    target: Target | None = None

    def describe(self) -> str:
        if self.action == "add":
            return f'add a task titled "{self.args["title"]}"'
        if self.action == "list":
            return f"see their {self.args['status']} tasks".replace("all tasks", "tasks")
        what = self.target.describe() if self.target else "a task"
        if self.action == "complete":
            return f"mark {what} as done"
        if self.action == "delete":
            return f"delete {what}"
        return f"change the {' and '.join(sorted(self.args))} of {what}"


def clean(text: str) -> str:
    """Strip quotes, polite fillers and end punctuation."""
    text = text.strip().strip("\"'“”‘’`").strip()
    text = re.sub(r"[\s.!?,]+$", "", text)
    return text.strip().strip("\"'“”‘’`").strip()


def parse_target(text: str) -> Target:
    text = clean(text)
    if m := _ID.match(text):
        return Target("id", int(m.group(1)))
    if m := _ORD.match(text):
        word, num = m.group(1), m.group(2)
        return Target("ordinal", ORDINALS[word.lower()] if word else int(num))
    if _IT.match(text):
        return Target("it")
    text = re.sub(r"^(?:the|my)\s+(?:task\s+|todo\s+)?", "", text, flags=re.I)
    text = re.sub(r"\s+(?:task|todo|item|one)$", "", text, flags=re.I)
    return Target("title", clean(text))


def _update(m: re.Match[str], key: str) -> Intent:
    return Intent("update", {key: clean(m.group("v"))}, parse_target(m.group("t")))


def parse_clause(text: str) -> Intent | None:
    """Turn one clause into an intent, or None when it is not understood."""
    text = clean(_POLITE.sub("", clean(text)))
    if not text:
        return None
    for rx, key in (
        (_DESC, "description"),
        (_DESC2, "description"),
        (_TITLE, "title"),
        (_TITLE2, "title"),
        (_RENAME, "title"),
        (_CHANGE, "title"),
    ):
        if m := rx.match(text):
            return _update(m, key)
    if (
        _LIST_START.match(text)
        and _LIST_WORDS.search(text)
        and not re.match(r"^(?:mark|complete)\b", text, re.I)
    ):
        status = "pending" if _PENDING.search(text) else "completed" if _COMPLETED.search(text) else "all"
        if re.search(r"\ball\b", text, re.I) and not re.search(
            r"\ball\s+(?:my\s+)?(?:pending|open)", text, re.I
        ):
            status = "all"
        return Intent("list", {"status": status})
    for rx in _COMPLETE:
        if m := rx.match(text):
            return Intent("complete", target=parse_target(m.group("t")))
    if m := _DELETE.match(text):
        return Intent("delete", target=parse_target(m.group("t")))
    for rx in _ADD:
        if m := rx.match(text):
            value = _ADD_TAIL.sub("", clean(m.group("v")))
            args: dict[str, Any] = {}
            if d := _WITH_DESC.match(value):
                value, args["description"] = d.group("v"), clean(d.group("d"))
            title = clean(value)
            return Intent("add", {"title": title, **args}) if title else None
    return None


def parse_request(text: str) -> list[Intent]:
    """Split a user message into clauses and parse each; any unknown clause makes the whole request unknown."""
    clauses = [c for c in _SPLIT.split(text.strip()) if c and c.strip()]
    intents = [parse_clause(c) for c in clauses]
    if not intents or any(i is None for i in intents):
        whole = parse_clause(text)
        return [whole] if whole else []
    return [i for i in intents if i is not None]
