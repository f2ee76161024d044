"""Rule-based parsing of plain-English todo requests into intents (no model, just regular expressions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import listing, slots, states
from .changes import UPDATES

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
    r"then|i|reopen|restore|undo|move|make"
)
_SPLIT = re.compile(rf"\s*(?:[.!?;]+\s+|,?\s+(?:and\s+then|and|then)\s+|,\s+)(?=(?:{_VERBS})\b)", re.I)
_POLITE = re.compile(
    r"^(?:(?:please|pls|plz|also|then|ok(?:ay)?|now|hey|so|actually|oops|sorry|oh|wait|and)[\s,]+|"
    r"(?:can|could|would|will) you\s+"
    r"(?:please\s+|pls\s+)?|i(?:'d| would) like (?:you )?to\s+|i want (?:you )?to\s+|i need you to\s+)+",
    re.I,
)

_ADD = [
    re.compile(
        r"^(?:remind\s+me\s+(?:to|that\s+i\s+(?:need|have)\s+to)|(?:don'?t|do\s+not)\s+(?:let\s+me\s+)?forget\s+to|"
        r"remember\s+to|i\s+(?:really\s+)?(?:need|have|must|should|gotta|got\s+to|'ve\s+got\s+to|ought\s+to)(?:\s+to)?|"
        r"(?:schedule|plan|book\s+in)(?:\s+(?:a|an|my|the))?)\s+(?P<v>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:add|create|make|new|put)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:task|todo|to-do|reminder|item)(?P<many>s)?\b"
        r"\s*(?:to\s+|:\s*|called\s+|named\s+|titled\s+|for\s+|-\s*)?(?P<v>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:add|put|write)\s+(?:to|on|onto)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|task\s+|shopping\s+)?list"
        r"(?P<many>)\s*:?\s*(?P<v>.+)$",
        re.I,
    ),
    re.compile(r"^(?:add|put)\s*:?\s+(?P<v>.+)$", re.I),
]
_ADD_TAIL = re.compile(r"\s+(?:to|on|onto)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|task\s+)?(?:list|tasks)$", re.I)
_QUESTION = re.compile(r"^(?:what|how|why|who|when|where|is|are|do|does|can|could|should|would|will)\b", re.I)
_ID = re.compile(r"^(?:task|todo|item)?\s*(?:number|no\.?|num|#)?\s*#?\s*(\d+)$", re.I)
_ORD = re.compile(
    r"^(?:the\s+)?(?:(" + "|".join(ORDINALS) + r")|(\d+)(?:st|nd|rd|th))"
    r"(?:\s+(?:one|task|todo|item|pending\s+task|one\s+on\s+the\s+list))?$",
    re.I,
)
_IT = re.compile(r"^(?:it|that|this|that\s+one|this\s+one|that\s+task|this\s+task)$", re.I)
_DELETED = re.compile(
    r"^(?:the\s+)?(?:(?:task|one)\s+(?:i|you)\s+(?:just\s+)?deleted|(?:last\s+)?deleted\s+(?:task|one)|"
    r"last\s+(?:task|one)\s+(?:i|you)\s+deleted)$",
    re.I,
)
LONG = re.compile(r"long\s+story|write\s+(?:me\s+)?a\s+long", re.I)
GREETING = re.compile(r"^(?:hi|hello|hey|good\s+(?:morning|afternoon|evening)|yo)\b", re.I)
_LIST_ITEM_WORDS = 6


@dataclass
class Target:
    """Which task a request refers to: an id, an ordinal in the latest list, a title, 'it' or the last deleted."""

    kind: str  # id | ordinal | title | it | deleted
    value: Any = None

    def describe(self) -> str:
        if self.kind == "id":
            return f"task #{self.value}"
        if self.kind == "ordinal":
            return "the last task" if self.value == -1 else f"task number {self.value} in the list"
        if self.kind == "title":
            return f'the task "{self.value}"'
        if self.kind == "deleted":
            return "the task deleted last"
        return "the task just mentioned"


@dataclass
class Intent:
    """One requested action: add | list | complete | delete | update | reopen | restore | undo."""

    action: str
    args: dict[str, Any] = field(default_factory=dict)
    target: Target | None = None

    def describe(self) -> str:
        if self.action == "add":
            return f'add a task titled "{self.args["title"]}"'
        if self.action == "list":
            return listing.describe(self.args)
        if self.action == "undo":
            return "undo their last change"
        what = self.target.describe() if self.target else "a task"
        if self.action == "complete":
            return f"mark {what} as done"
        if self.action in ("delete", "reopen", "restore"):
            return f"{self.action} {what}"
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
    if _DELETED.match(text):
        return Target("deleted")
    text = re.sub(r"^(?:the|my)\s+(?:task\s+|todo\s+)?", "", text, flags=re.I)
    text = re.sub(r"\s+(?:task|todo|item|one)$", "", text, flags=re.I)
    return Target("title", clean(text))


def _update(m: re.Match[str], key: str) -> Intent | None:
    target = parse_target(m.group("t"))
    if key in ("title", "description"):
        return Intent("update", {key: clean(m.group("v"))}, target)
    if key == "no_repeat":
        return Intent("update", {"repeat": None}, target)
    if key == "priority":
        word = (m.group("p") or m.groupdict().get("q") or "low").lower()  # an empty "p": "not urgent"
        return Intent("update", {"priority": slots.PRIORITY_NAMES.get(word, word)}, target)
    if key == "no_due":
        return Intent("update", {"due": None}, target)
    if key == "due":
        due = slots.due_words(m.group("d"))
        return Intent("update", {"due": due}, target) if due else None
    repeat = slots.repeat_words(m.group("r"))
    return Intent("update", {"repeat": repeat}, target) if repeat else None


def _adds(value: str, many: bool = False) -> list[Intent]:
    """One add per item: "milk, eggs and bread" (or "tasks: a and b") is three (two) tasks."""
    value = _ADD_TAIL.sub("", clean(value))
    value, description = slots.split_description(value)
    items = [value]
    if description is None and (many or "," in value):
        parts = [p for p in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", value) if p.strip()]
        if len(parts) > 1 and all(len(p.split()) <= _LIST_ITEM_WORDS for p in parts):
            items = parts
    elif description is None and (parts := slots.split_and(value)):
        items = parts
    found: list[slots.Details] = []
    for item in items:
        d = slots.details(item)
        if not d.title and found:  # "buy milk, low priority": the detail belongs to the item before
            prev = found[-1]
            prev.due, prev.priority, prev.repeat = (
                prev.due or d.due,
                prev.priority or d.priority,
                prev.repeat or d.repeat,
            )
        elif d.title:
            found.append(d)
    intents = []
    for d in found:
        d.title = clean(d.title)
        title, rest = slots.shorten(d.title) if description is None else (d.title, None)
        if rest:  # a long message: its first phrase may carry the date ("... next month, which means ...")
            head = slots.details(title)
            title, d.due, d.priority, d.repeat = (
                head.title,
                d.due or head.due,
                d.priority or head.priority,
                d.repeat or head.repeat,
            )
        args = {**d.args(), "title": title}
        if description or rest:
            args["description"] = description or rest
        intents.append(Intent("add", args))
    return intents


def parse_clause(text: str) -> list[Intent] | None:
    """Turn one clause into its intents (several adds for a list of items), or None when it is not understood."""
    asked = text
    text = clean(_POLITE.sub("", clean(text)))
    if not text:
        return None
    if states.UNDO_DELETE.match(text):
        return [Intent("restore", target=Target("deleted"))]
    if states.UNDO.match(text):
        return [Intent("undo")]
    for action, rxs in (("reopen", states.REOPEN), ("restore", states.RESTORE)):
        for rx in rxs:
            if m := rx.match(text):
                return [Intent(action, target=parse_target(m.group("t")))]
    for rx, key in UPDATES:
        if (m := rx.match(text)) and (intent := _update(m, key)):
            return [intent]
    if (args := listing.parse_list(text)) is not None:
        return [Intent("list", args)]
    for rx in states.COMPLETE:
        if m := rx.match(text):
            return [Intent("complete", target=parse_target(m.group("t")))]
    if m := states.DELETE.match(text):
        return [Intent("delete", target=parse_target(m.group("t")))]
    bare, priority = slots.take_priority(text)  # "add an urgent task to ...": the adjective is a detail
    for rx in _ADD:
        if m := rx.match(bare):
            many = "many" in rx.groupindex and m.group("many") is not None
            adds = _adds(m.group("v"), many)
            for intent in adds:
                if priority:
                    intent.args.setdefault("priority", priority)
            return adds or None
    # No verb, but a date, a priority or a repeat ("dentist on friday", "urgent: call the bank"): a new task.
    if not _QUESTION.match(text) and "?" not in asked:
        d = slots.details(text)
        if d.title and (d.due or d.priority or d.repeat):
            return _adds(text)
    return None


def parse_request(text: str) -> list[Intent]:
    """Split a user message into clauses and parse each; any unknown clause makes the whole request unknown."""
    clauses = [c for c in _SPLIT.split(text.strip()) if c and c.strip()]
    parsed = [parse_clause(c) for c in clauses]
    if not parsed or any(p is None for p in parsed):
        whole = parse_clause(text)
        return whole or []
    return [i for p in parsed if p for i in p]
