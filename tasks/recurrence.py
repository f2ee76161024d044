"""Repeats: a small grammar of phrases ↔ RFC 5545 RRULEs, and the next date of a rule (python-dateutil's rrule).

The grammar (case and extra spaces don't matter; a leading "repeat"/"repeats" is ignored):

    every day | daily                        FREQ=DAILY
    every weekday | weekdays                 FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR
    every weekend                            FREQ=WEEKLY;BYDAY=SA,SU
    every monday and thursday | every mon, thu | mondays    FREQ=WEEKLY;BYDAY=MO,TH
    every week | weekly                      FREQ=WEEKLY (on the due date's weekday)
    every 2 weeks | every other week         FREQ=WEEKLY;INTERVAL=2 (also days, months, years)
    every 2 weeks on monday | weekly on friday             FREQ=WEEKLY;INTERVAL=2;BYDAY=MO
    every month | monthly                    FREQ=MONTHLY (on the due date's day of the month)
    monthly on the 1st | every month on the 15th | every month on the last day    FREQ=MONTHLY;BYMONTHDAY=1
    every year | yearly | annually           FREQ=YEARLY

A raw RRULE ("FREQ=WEEKLY;BYDAY=MO", with or without "RRULE:") is accepted too when dateutil can read it and
its frequency is daily or longer. COUNT is refused: each occurrence is a new task that restarts the rule, so a
count could never run out (UNTIL works).
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil.rrule import rrulestr

from tasks.errors import RepeatUnparseable

MAX_LENGTH = 200
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WORKWEEK = "MO,TU,WE,TH,FR"
FREQS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
ADVERBS = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "yearly": "YEARLY",
    "annually": "YEARLY",
}
UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}

_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_DAYS = rf"{_DAY}(?:\s*(?:,|and|&)\s*(?:and\s+)?{_DAY})*"
_MONTHDAYS = r"(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?|last(?:\s+day)?)(?:\s*(?:,|and|&)\s*(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?)*"
_PHRASE = re.compile(
    rf"""^(?:
        (?P<adverb>daily|weekly|monthly|yearly|annually)
      | every\s+(?:(?P<n>\d+|other)\s+)?(?P<unit>day|week|month|year)s?
      | every\s+(?P<weekday>weekday|weekend)s?
      | weekdays
      | (?:every\s+)?(?P<days>{_DAYS})
    )(?:\s+on\s+(?:(?P<ondays>{_DAYS})|(?P<monthdays>{_MONTHDAYS})))?$""",
    re.VERBOSE,
)


def parse_repeat(text: str) -> str:
    """A phrase of the grammar above, or a raw RRULE, as a canonical RRULE without the "RRULE:" prefix."""
    original = str(text or "").strip()
    phrase = re.sub(r"\s+", " ", original.lower()).strip(" .")
    phrase = re.sub(r"^repeats?\s+", "", phrase)
    phrase = re.sub(r"^each\b", "every", phrase)
    # "every 1st", "on the 15th of every month", "the 1st of each month" → "monthly on the 1st"
    day_of_month = re.fullmatch(
        r"(?:every|on) (?:the )?(\d{1,2}(?:st|nd|rd|th))(?: of (?:the|every|each) month)?", phrase
    )
    if day_of_month:
        phrase = f"monthly on the {day_of_month.group(1)}"
    if re.match(r"^(rrule:)?freq=", phrase):
        return _raw(original)
    match = _PHRASE.match(phrase)
    if match is None:
        raise RepeatUnparseable(text=original)
    parts = _parts(match, phrase)
    if parts is None:
        raise RepeatUnparseable(text=original)
    return ";".join(f"{key}={value}" for key, value in parts.items() if value)


def _parts(match: re.Match, phrase: str) -> dict[str, str] | None:
    g = match.groupdict()
    interval = 2 if g["n"] == "other" else int(g["n"] or 1)
    if interval < 1 or interval > 999:
        return None
    if g["adverb"]:
        freq = ADVERBS[g["adverb"]]
    elif g["unit"]:
        freq = FREQS[g["unit"]]
    else:
        freq = "WEEKLY"
    byday = ""
    if g["weekday"] == "weekend":
        byday = "SA,SU"
    elif g["weekday"] or phrase == "weekdays":
        byday = WORKWEEK
    elif g["days"]:
        byday = _weekday_codes(g["days"])
    bymonthday = ""
    if g["ondays"]:
        if freq != "WEEKLY" or byday:
            return None
        byday = _weekday_codes(g["ondays"])
    elif g["monthdays"]:
        if freq != "MONTHLY":
            return None
        bymonthday = _month_days(g["monthdays"])
    if byday is None or bymonthday is None:
        return None
    return {
        "FREQ": freq,
        "INTERVAL": str(interval) if interval > 1 else "",
        "BYDAY": byday,
        "BYMONTHDAY": bymonthday,
    }


def _weekday_codes(text: str) -> str | None:
    codes = []
    for word in re.findall(r"[a-z]+", text):
        if word == "and":
            continue
        found = [
            i
            for i, name in enumerate(WEEKDAYS)
            if name.startswith(word[:3]) and name.startswith(word.rstrip("s"))
        ]
        if not found:
            return None
        codes.append(found[0])
    return ",".join(CODES[i] for i in sorted(set(codes)))


def _month_days(text: str) -> str | None:
    if "last" in text:
        return "-1"
    days = sorted({int(n) for n in re.findall(r"\d+", text)})
    if not days or days[0] < 1 or days[-1] > 31:
        return None
    return ",".join(str(d) for d in days)


def _raw(original: str) -> str:
    rule = re.sub(r"^rrule:", "", original.strip(), flags=re.IGNORECASE).upper().replace(" ", "")
    if len(rule) > MAX_LENGTH or "\n" in rule:
        raise RepeatUnparseable(text=original)
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    if parts.get("FREQ") not in UNITS:
        raise RepeatUnparseable(f'"{original}" must repeat daily, weekly, monthly or yearly.')
    if "COUNT" in parts:
        raise RepeatUnparseable(
            f'"{original}": a COUNT is not supported (each repeat is a new task); use UNTIL.'
        )
    try:
        _rule(rule, dt.date(2026, 1, 1))
    except (ValueError, TypeError) as exc:
        raise RepeatUnparseable(text=original) from exc
    return rule


def _rule(rrule: str, start: dt.date):
    return rrulestr(rrule, dtstart=dt.datetime.combine(start, dt.time()), ignoretz=True)


def next_occurrence(rrule: str, after: dt.date, *, not_before: dt.date | None = None) -> dt.date | None:
    """The rule's first date after `after`, counting from `after` (the current occurrence's due date).

    With `not_before` (the user's today) an overdue occurrence catches up: the next one is the first date of
    the same rule (same anchor) that is after `after` and not before `not_before`. None when the rule ended.
    """
    try:
        rule = _rule(rrule, after)
    except (ValueError, TypeError):
        return None
    floor = after if not_before is None else max(after, not_before - dt.timedelta(days=1))
    found = rule.after(dt.datetime.combine(floor, dt.time()), inc=False)
    return found.date() if found else None


def first_occurrence(rrule: str, on_or_after: dt.date) -> dt.date | None:
    """The first date of the rule on or after `on_or_after` (a repeat given without a due date starts here)."""
    found = _rule(rrule, on_or_after).after(dt.datetime.combine(on_or_after, dt.time()), inc=True)
    return found.date() if found else None


def describe_repeat(rrule: str) -> str:
    """Human text for a rule: "every day", "every weekday", "every Monday and Thursday", "every 2 weeks"…"""
    parts = dict(part.partition("=")[::2] for part in rrule.upper().split(";") if part)
    freq, interval = parts.pop("FREQ", ""), int(parts.pop("INTERVAL", "1") or 1)
    byday, bymonthday, until = parts.pop("BYDAY", ""), parts.pop("BYMONTHDAY", ""), parts.pop("UNTIL", "")
    parts.pop("WKST", None)
    if freq not in UNITS or parts or (byday and freq != "WEEKLY") or (bymonthday and freq != "MONTHLY"):
        return f"repeats ({rrule})"
    unit = UNITS[freq]
    every = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    if byday == WORKWEEK and interval == 1:
        text = "every weekday"
    elif byday:
        names = [WEEKDAYS[CODES.index(code)].title() for code in byday.split(",") if code in CODES]
        days = _and(names)
        text = f"every {days}" if interval == 1 else f"{every} on {days}"
    elif bymonthday:
        days = _and(
            ["the last day" if d == "-1" else f"the {_ordinal(int(d))}" for d in bymonthday.split(",")]
        )
        text = f"monthly on {days}" if interval == 1 else f"{every} on {days}"
    else:
        text = every
    if until:
        text += f" until {until[:4]}-{until[4:6]}-{until[6:8]}"
    return text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
