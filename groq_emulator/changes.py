"""Requests to change a task: its title, description, priority, due date or repeat, in plain English."""

from __future__ import annotations

import re

_P = r"(?P<p>high|top|low|medium|normal|none)"
# (regex, what it sets): "v" is a new title/description, "p" a priority, "d" due words, "r" repeat words.
UPDATES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:rename|retitle)\s+(?P<t>.+?)\s+(?:to|as)\s+(?P<v>.+)$", re.I), "title"),
    (
        re.compile(
            r"^(?:change|update|set|edit)\s+(?:the\s+)?(?:title|name)\s+(?:of|for)\s+(?P<t>.+?)\s+to\s+(?P<v>.+)$",
            re.I,
        ),
        "title",
    ),
    (
        re.compile(r"^(?:change|update|edit)\s+(?P<t>.+?)(?:'s)?\s+(?:title|name)\s+to\s+(?P<v>.+)$", re.I),
        "title",
    ),
    (
        re.compile(
            r"^(?:change|update|set|edit)\s+(?:the\s+)?description\s+(?:of|for|on)\s+(?P<t>.+?)\s+to\s+(?P<v>.+)$",
            re.I,
        ),
        "description",
    ),
    (
        re.compile(r"^(?:change|update|edit)\s+(?P<t>.+?)(?:'s)?\s+description\s+to\s+(?P<v>.+)$", re.I),
        "description",
    ),
    (
        re.compile(
            rf"^(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+(?P<t>.+?)\s+(?:to\s+)?{_P}$",
            re.I,
        ),
        "priority",
    ),
    (re.compile(rf"^(?:change|set|update)\s+(?P<t>.+?)(?:'s)?\s+priority\s+to\s+{_P}$", re.I), "priority"),
    (
        re.compile(
            rf"^(?:make|set|mark|flag)\s+(?P<t>.+?)\s+(?:as\s+|to\s+)?(?:a\s+)?{_P}[\s-]+priority(?:\s+task)?$",
            re.I,
        ),
        "priority",
    ),
    (re.compile(r"^(?:make|mark|flag)\s+(?P<t>.+?)\s+(?:as\s+)?(?P<p>urgent|important)$", re.I), "priority"),
    (
        re.compile(
            r"^(?:remove|clear|delete|drop|unset)\s+(?:the\s+)?(?:due\s+date|deadline|date|due)\s+"
            r"(?:from|of|on|for)\s+(?P<t>.+)$",
            re.I,
        ),
        "no_due",
    ),
    (
        re.compile(
            r"^(?:change|set|update|move)\s+(?:the\s+)?(?:due\s+date|deadline|date|due)\s+(?:of|for|on)\s+"
            r"(?P<t>.+?)\s+to\s+(?P<d>.+)$",
            re.I,
        ),
        "due",
    ),
    (
        re.compile(
            r"^(?:move|reschedule|postpone|push(?:\s+back)?|defer|shift)\s+(?P<t>.+?)\s+(?:to|for|on)\s+(?P<d>.+)$",
            re.I,
        ),
        "due",
    ),
    (re.compile(r"^(?:set|make)\s+(?P<t>.+?)\s+due\s+(?P<d>.+)$", re.I), "due"),
    (re.compile(r"^(?:make|set)\s+(?P<t>.+?)\s+(?:to\s+)?(?:repeat|recur)\s+(?P<r>.+)$", re.I), "repeat"),
    (re.compile(r"^(?:change|update|edit)\s+(?P<t>(?:task\s*)?#?\s*\d+)\s+to\s+(?P<v>.+)$", re.I), "title"),
]
