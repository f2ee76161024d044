"""The details of a request the demo assistant picks out of plain English: when, how urgent, how often.

It never computes a date: like a real model told so by the system prompt, it passes the user's own date words
("tomorrow at 5pm", "dec 24", "in 3 days") as `due` and leaves the arithmetic to the server's resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_NTH = r"\d{1,2}(?:st|nd|rd|th)?"
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|a\s+few)"
_DATE = (
    r"(?:(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw"
    rf"|(?:this|next|coming)\s+(?:{_WEEKDAY}|week|weekend|month|year)|{_WEEKDAY}"
    rf"|{_MONTH}\s+{_NTH}(?:,?\s+\d{{4}})?|(?:the\s+)?{_NTH}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
    rf"|in\s+{_COUNT}\s+(?:minutes?|hours?|days?|weeks?|months?|years?)"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|week|month)|(?:the\s+)?weekend)"
)
_TIME = r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|noon|midday|midnight)"
_AT_HOUR = r"at\s+(?:[01]?\d|2[0-3])(?::[0-5]\d)?(?![\d:])"  # "at 5": kept with its "at" for the resolver
_PART_OF_DAY = r"(?:(?:in\s+the\s+)?(?:morning|afternoon|evening)|at\s+night)"
_WHEN = (
    rf"(?:{_DATE}|{_TIME}|{_AT_HOUR})"
    rf"(?:(?:\s+|\s*,\s*)(?:(?:at\s+|on\s+|by\s+|@\s*)?(?:{_DATE}|{_TIME})|{_AT_HOUR})|\s+{_PART_OF_DAY})*"
)
_PREP = r"(?:on|by|for|due|before|until|till|at|from|@)"
DUE_AT_END = re.compile(rf"(?:^|[\s,]+)(?:{_PREP}\s+)?(?P<due>{_WHEN})$", re.I)
DUE_AT_START = re.compile(rf"^(?:{_PREP}\s+)?(?P<due>{_WHEN})\s*[,:]?\s+(?P<rest>.+)$", re.I)
DUE_ONLY = re.compile(rf"^(?:{_PREP}\s+)?(?P<due>{_WHEN})$", re.I)

_REPEAT = re.compile(
    r"(?:^|[\s,]+)(?P<r>(?:every|each)\s+(?:other\s+)?(?:\d+\s+)?"
    rf"(?:days?|weeks?|months?|years?|weekdays?|weekends?|morning|evening|night|{_WEEKDAY}s?)"
    rf"(?:\s*(?:,|and|&)\s*{_WEEKDAY}s?)*"
    r"|(?:every|each)\s+(?:month\s+on\s+the\s+)?\d{1,2}(?:st|nd|rd|th)(?:\s+of\s+(?:the|every|each)\s+month)?"
    r"|(?:monthly\s+)?on\s+the\s+\d{1,2}(?:st|nd|rd|th)(?:\s+of\s+(?:every|each)\s+month)?"
    r"|daily|weekly|monthly|yearly|annually|fortnightly|everyday"
    rf"|on\s+{_WEEKDAY}s)(?=$|[\s,.!])",
    re.I,
)
_PRIORITY_NAMED = re.compile(
    r"(?:^|[\s,;]+|\()(?:(?:it'?s|it\s+is|with|at)\s+)?(?:(?:a|an|as)\s+)?"
    r"(?:(?P<p>high|top|low|medium|normal)[\s-]+priority|priority\s*[:=]?\s*(?P<q>high|low|medium))"
    r"\)?(?=$|[\s,.:!])",
    re.I,
)
_PRIORITY_WORD = re.compile(
    r"(?:^|[\s,;]+)(?:(?:it'?s|it\s+is)\s+)?(?P<neg>not\s+)?(?P<w>urgent(?:ly)?|asap|important|critical)"
    r"(?:\s*[:!]+)?(?=$|\s|,)",
    re.I,
)
PRIORITY_NAMES = {
    "high": "high",
    "top": "high",
    "urgent": "high",
    "important": "high",
    "low": "low",
    "medium": "medium",
    "normal": "medium",
    "critical": "high",
    "prioritize": "high",
    "prioritise": "high",
    "escalate": "high",
    "deprioritize": "low",
    "deprioritise": "low",
}

_DESCRIPTION = [
    re.compile(
        r"^(?P<v>.+?)[\s,]+(?:with|and)\s+(?:the\s+|a\s+)?(?:description|details?|notes?)"
        r"\s*(?::|of|saying)?\s*(?P<d>.+)$",
        re.I,
    ),
    re.compile(r"^(?P<v>.+?)\s*[,;.(-]?\s+(?:description|details?|notes?)\s*:\s*(?P<d>.+?)\)?$", re.I),
]
LONG_TITLE = 60
# Verbs a to-do item usually starts with: "buy stamps and post the letter" is two tasks, "salt and pepper" one.
_TASK_VERB = re.compile(
    r"^(?:buy|get|call|phone|ring|text|email|e-mail|message|write|send|post|mail|pay|book|order|pick|drop|take|"
    r"bring|return|renew|cancel|fix|repair|clean|wash|tidy|do|make|cook|bake|prepare|finish|start|submit|file|"
    r"print|sign|read|check|review|visit|see|meet|go|walk|feed|water|mow|pack|move|plan|organi[sz]e|schedule|"
    r"invite|ask|tell|remind|update|install|backup|back|change|replace|charge|collect|deliver|feed|learn|"
    r"practice|practise|study|watch|look|find|sort|clear|empty|fill|hang|iron|vacuum|hoover|dust|pick)\b",
    re.I,
)


@dataclass
class Details:
    title: str
    due: str | None = None
    priority: str | None = None
    repeat: str | None = None

    def args(self) -> dict:
        out: dict = {"title": self.title}
        for key in ("due", "priority", "repeat"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,;:-")


def take_priority(text: str) -> tuple[str, str | None]:
    if m := _PRIORITY_NAMED.search(text):
        name = (m.group("p") or m.group("q")).lower()
        return _squash(text[: m.start()] + " " + text[m.end() :]), PRIORITY_NAMES[name]
    if m := _PRIORITY_WORD.search(text):
        level = "low" if m.group("neg") else "high"
        return _squash(text[: m.start()] + " " + text[m.end() :]), level
    return text, None


def normal_repeat(words: str) -> str:
    words = re.sub(r"\s+", " ", words.strip().lower())
    if m := re.fullmatch(rf"on ({_WEEKDAY})s", words):
        return f"every {m.group(1)}"
    return "daily" if words == "everyday" else words


def take_repeat(text: str) -> tuple[str, str | None]:
    if m := _REPEAT.search(text):
        return _squash(text[: m.start()] + " " + text[m.end() :]), normal_repeat(m.group("r"))
    return text, None


def take_due(text: str) -> tuple[str, str | None]:
    if m := DUE_AT_END.search(text):
        rest = _squash(text[: m.start()])
        if rest:
            return rest, _squash(m.group("due"))
    if m := DUE_AT_START.match(text):
        return _squash(m.group("rest")), _squash(m.group("due"))
    return text, None


def due_words(text: str) -> str | None:
    """`text` when it is nothing but a date/time phrase (the prepositions dropped), else None."""
    m = DUE_ONLY.match(text.strip().rstrip(".!?"))
    return _squash(m.group("due")) if m else None


def repeat_words(text: str) -> str | None:
    text = text.strip().rstrip(".!?")
    m = _REPEAT.fullmatch(text) or _REPEAT.fullmatch(" " + text)
    return normal_repeat(m.group("r")) if m else None


def details(text: str) -> Details:
    """Title plus the due/priority/repeat words found in it."""
    text, priority = take_priority(text)
    text, repeat = take_repeat(text)
    text, due = take_due(text)
    return Details(_squash(text), due, priority, repeat)


def split_and(value: str) -> list[str] | None:
    """ "call mom tomorrow and dentist on friday", "buy stamps and post the letter": the parts when each is a task
    of its own (each has its own when/how often, or each starts with a to-do verb), else None."""
    parts = [p.strip() for p in re.split(r"\s+and\s+", value) if p.strip()]
    if len(parts) < 2:
        return None
    own = [details(p) for p in parts]
    if all(d.title and (d.due or d.repeat) for d in own):
        return parts
    if all(_TASK_VERB.match(p) and len(p.split()) >= 2 for p in parts):
        return parts
    return None


def split_description(text: str) -> tuple[str, str | None]:
    for rx in _DESCRIPTION:
        if m := rx.match(text):
            return m.group("v").strip(), m.group("d").strip().strip("\"'“”")
    return text, None


def shorten(title: str) -> tuple[str, str | None]:
    """A long message becomes a short title (its first phrase) and the rest as the description."""
    if len(title) <= LONG_TITLE:
        return title, None
    m = re.match(r"^(?P<t>.{8,120}?)(?:\s*[,;:]\s+|\s+-\s+|[.!?]\s+)(?P<d>.+)$", title)
    if m:
        return m.group("t").strip(), m.group("d").strip()
    words = title.split()
    return " ".join(words[:8]), title
