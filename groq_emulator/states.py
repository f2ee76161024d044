"""Requests that move a task between states: complete, delete, reopen ("not done", "didn't finish"), restore
("bring back", "undelete") and undo, in plain English."""

from __future__ import annotations

import re

_DONE = r"(?:as\s+)?(?:done|complete|completed|finished|checked(?:\s+off)?)"
_NOT_DONE = r"(?:done|complete|completed|finished|over)"
_STILL = r"(?:\s+(?:yet|after\s+all|actually|anymore|any\s+more))*"
REOPEN = [
    re.compile(
        r"^(?:reopen|re-open|unmark|uncheck|untick|uncomplete|un-complete|"
        r"undo\s+(?:the\s+)?(?:completion\s+of|completing|complete|done\s+on))\s+(?P<t>.+)$",
        re.I,
    ),
    re.compile(
        r"^mark\s+(?P<t>.+?)\s+(?:as\s+)?(?:not\s+(?:done|complete|completed|finished)|undone|incomplete|"
        r"unfinished|pending|open)$",
        re.I,
    ),
    # statements: "task 4 isn't done yet", "I didn't finish task 2 after all", "I haven't finished that"
    re.compile(
        rf"^(?P<t>.+?)\s+(?:isn'?t|is\s+not|wasn'?t|was\s+not|'s\s+not)\s+(?:really\s+)?{_NOT_DONE}{_STILL}$",
        re.I,
    ),
    re.compile(
        r"^i\s+(?:didn'?t|did\s+not|haven'?t|have\s+not|never)\s+(?:really\s+|actually\s+)?"
        rf"(?:finish(?:ed)?|complete(?:d)?|do|done|did)\s+(?P<t>.+?){_STILL}$",
        re.I,
    ),
    re.compile(r"^(?P<t>.+?)\s+(?:needs|still\s+needs)\s+(?:to\s+be\s+)?(?:re-?)?(?:done|reopened)$", re.I),
]
RESTORE = [
    re.compile(
        r"^(?:restore|undelete|un-delete|recover|bring\s+back|put\s+back|get\s+back|"
        r"undo\s+(?:the\s+)?(?:deletion\s+of|deleting|delete\s+of))\s+(?P<t>.+)$",
        re.I,
    ),
    re.compile(r"^(?:bring|put|get)\s+(?P<t>.+?)\s+back$", re.I),
    re.compile(r"^i\s+(?:didn'?t|did\s+not)\s+mean\s+to\s+delete\s+(?P<t>.+)$", re.I),
]
UNDO_DELETE = re.compile(r"^undo\s+(?:that\s+|the\s+|my\s+)?(?:last\s+)?(?:delete|deletion|removal)$", re.I)
UNDO = re.compile(r"^undo(?:\s+(?:that|it|this|the\s+last\s+(?:one|thing|action|change)))?$", re.I)
COMPLETE = [
    re.compile(rf"^mark\s+(?P<t>.+?)\s+{_DONE}$", re.I),
    re.compile(r"^(?:complete|finish|close|check\s+off|tick\s+off)\s+(?P<t>.+)$", re.I),
    re.compile(r"^(?:check|tick)\s+(?P<t>.+?)\s+off$", re.I),
    re.compile(rf"^(?P<t>.+?)\s+is\s+{_DONE}$", re.I),
    re.compile(r"^i(?:'ve| have)?\s+(?:finished|completed|done)\s+(?P<t>.+)$", re.I),
]
DELETE = re.compile(
    r"^(?:delete|remove|drop|erase|get\s+rid\s+of|cancel|trash)\s+(?P<t>.+?)"
    r"(?:\s+from\s+(?:my|the)\s+(?:list|tasks|todo\s+list|to-do\s+list))?$",
    re.I,
)
