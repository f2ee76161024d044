"""Requests to see tasks: status, the smart filters (due, priority) and word search, in plain English."""

from __future__ import annotations

import re
from typing import Any

LIST_START = re.compile(
    r"^(?:show|list|display|view|see|what|which|whats|what's|give|get|tell|read|how\s+many|"
    r"do\s+i\s+have|have\s+i|my\b|any(?:thing)?\b|is\s+(?:there\s+)?anything|are\s+there)",
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
_DUE_FILTERS = [
    ("overdue", r"\b(?:overdue|past\s+due|late)\b"),
    (
        "no_date",
        r"\b(?:(?:no|without\s+(?:a\s+)?|missing\s+(?:a\s+)?)(?:due\s+)?(?:dates?|deadlines?)|undated|unscheduled)\b",
    ),
    ("today", r"\b(?:today|tonight)(?:'s)?\b"),
    ("tomorrow", r"\btomorrow(?:'s)?\b"),
    ("this_week", r"\b(?:this|the)\s+week(?:'s)?\b|\bweek's\b"),
    ("upcoming", r"\b(?:upcoming|coming\s+up|soon|next\s+few\s+days|later)\b"),
]
_PRIORITY_FILTERS = [
    ("high", r"\b(?:high[\s-]priority|urgent|important|top[\s-]priority)\b"),
    ("low", r"\blow[\s-]priority\b"),
    ("medium", r"\bmedium[\s-]priority\b"),
]
_QUERY = re.compile(
    r"\b(?:about|regarding|related\s+to|containing|mentioning|(?:that|which)\s+mentions?|named|called|matching|"
    r"with\s+the\s+words?)\s+(?P<q>.+)$",
    re.I,
)
_SEARCH = re.compile(
    r"^(?:find|search|look\s+(?:up|for))\s+(?:for\s+)?(?:(?:all\s+)?(?:my\s+)?(?:tasks?|todos?)\s+)?"
    r"(?:(?:about|with|for|related\s+to|on|regarding|containing)\s+)?(?P<q>.+)$",
    re.I,
)


def _query(text: str) -> str:
    text = re.sub(r"[?.!\s]+$", "", text.strip())
    text = re.sub(r"^(?:the|my|a|an)\s+", "", text, flags=re.I)
    return re.sub(r"\s+(?:tasks?|todos?)$", "", text, flags=re.I).strip("\"'“”")


def _filters(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value, rx in _DUE_FILTERS:
        if re.search(rx, text, re.I):
            out["due"] = value
            break
    for value, rx in _PRIORITY_FILTERS:
        if re.search(rx, text, re.I):
            out["priority"] = value
            break
    return out


def _status(text: str, filtered: bool) -> str:
    if _PENDING.search(text):
        status = "pending"
    elif _COMPLETED.search(text):
        status = "completed"
    else:
        status = "pending" if filtered else "all"
    if re.search(r"\ball\b", text, re.I) and not re.search(r"\ball\s+(?:my\s+)?(?:pending|open)", text, re.I):
        status = "all"
    return status


def parse_list(text: str) -> dict[str, Any] | None:
    """The list_tasks arguments for a request to see tasks, or None when it is not one."""
    if m := _SEARCH.match(text):
        query = _query(m.group("q"))
        return {"status": _status(text[: m.start("q")], False), "query": query} if query else None
    if not LIST_START.match(text) or re.match(r"^(?:mark|complete)\b", text, re.I):
        return None
    filters = _filters(text)
    if m := _QUERY.search(text):
        filters["query"] = _query(m.group("q"))
        text = text[: m.start()]
    if not (_LIST_WORDS.search(text) or filters):
        return None
    return {"status": _status(text, bool(filters.keys() - {"query"})), **filters}


def describe(args: dict[str, Any]) -> str:
    what = f"see their {args.get('status', 'all')} tasks".replace("all tasks", "tasks")
    if args.get("due"):
        what += f" ({args['due'].replace('_', ' ')})"
    if args.get("priority"):
        what += f" of {args['priority']} priority"
    if args.get("query"):
        what += f" about {args['query']!r}"
    return what
