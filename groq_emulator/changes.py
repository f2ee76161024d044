"""Requests to change a task: its title, description, priority, due date or repeat, in plain English."""

from __future__ import annotations

import re

_P = r"(?P<p>high|top|low|medium|normal|none)"
# A task named without a verb of its own ("task 7 is due tomorrow"): only a number or "it", never a title.
_REF = (
    r"(?P<t>(?:the\s+)?(?:task|todo|item)\s*(?:number\s+|no\.?\s*|#)?\s*\d+|#\s*\d+|it|that(?:\s+one|\s+task)?|"
    r"this(?:\s+one|\s+task)?)"
)
_IS = r"(?:is|'s|should\s+be|will\s+be|must\s+be|needs\s+to\s+be|has\s+to\s+be)"
_REPEAT = r"(?:repeat(?:s|ing)?|recur(?:s|ring)?)"
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
    (
        re.compile(
            r"^(?:make|mark|flag|set)\s+(?P<t>.+?)\s+(?:as\s+|to\s+)?(?:a\s+|an\s+)?(?P<p>urgent|important|critical)$",
            re.I,
        ),
        "priority",
    ),
    (re.compile(r"^(?P<p>prioriti[sz]e|deprioriti[sz]e|escalate)\s+(?P<t>.+)$", re.I), "priority"),
    (
        re.compile(
            rf"^{_REF}\s+{_IS}\s+(?:a\s+|an\s+)?(?:(?P<p>high|top|low|medium|normal|urgent|important|critical)"
            r"(?:[\s-]+priority)?|priority\s+(?P<q>high|low|medium))$",
            re.I,
        ),
        "priority",
    ),
    (
        re.compile(
            rf"^{_REF}\s+(?:isn'?t|is\s+not|'s\s+not)\s+(?:that\s+|very\s+|so\s+)?(?:urgent|important)(?P<p>)"
            r"(?:\s+(?:anymore|any\s+more))?$",
            re.I,
        ),
        "priority",
    ),
    (re.compile(rf"^(?:stop|quit|cease)\s+{_REPEAT}\s+(?P<t>.+)$", re.I), "no_repeat"),
    (re.compile(rf"^(?:stop|make)\s+(?P<t>.+?)\s+(?:from\s+)?(?:stop\s+)?{_REPEAT}$", re.I), "no_repeat"),
    (
        re.compile(
            r"^(?:remove|clear|delete|drop|cancel|turn\s+off|disable|unset)\s+(?:the\s+)?"
            r"(?:repeat|repetition|recurrence|repeating|schedule)\s+(?:from|of|on|for)\s+(?P<t>.+)$",
            re.I,
        ),
        "no_repeat",
    ),
    (
        re.compile(
            r"^(?:make\s+)?(?P<t>.+?)\s+(?:should\s+|must\s+|can\s+)?(?:not|never|no\s+longer|doesn'?t|does\s+not|"
            rf"shouldn'?t|should\s+not|won'?t|will\s+not|don'?t|need\s+not)\s+(?:need\s+to\s+)?{_REPEAT}"
            r"(?:\s+(?:anymore|any\s+more))?$",
            re.I,
        ),
        "no_repeat",
    ),
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
            r"^(?:move|reschedule|re-schedule|postpone|push(?:\s+back)?|defer|shift|delay|bump|put\s+off)\s+(?P<t>.+?)"
            r"\s+(?:to|for|on|until|till|til|into|by)\s+(?P<d>.+)$",
            re.I,
        ),
        "due",
    ),
    (re.compile(r"^(?:set|make)\s+(?P<t>.+?)\s+due\s+(?P<d>.+)$", re.I), "due"),
    (re.compile(rf"^{_REF}\s+(?:{_IS}\s+)?(?:due|done|finished|scheduled|moved)\s+(?P<d>.+)$", re.I), "due"),
    (
        re.compile(rf"^{_REF}\s+(?:should|will|must|needs\s+to|has\s+to)?\s*{_REPEAT}\s+(?P<r>.+)$", re.I),
        "repeat",
    ),
    (re.compile(r"^(?:make|set)\s+(?P<t>.+?)\s+(?:to\s+)?(?:repeat|recur)\s+(?P<r>.+)$", re.I), "repeat"),
    (re.compile(r"^(?:change|update|edit)\s+(?P<t>(?:task\s*)?#?\s*\d+)\s+to\s+(?P<v>.+)$", re.I), "title"),
]
