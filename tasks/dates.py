"""The one date resolver: a phrase ("tomorrow 5pm", "on friday", "24/12", an ISO date) → a Due in the user's zone.

The tools, the panel and the REST API all call `resolve_due`. Parsing is dateparser's; this module only
pre-processes a few phrases it does not know and applies the rules below, so that every interface agrees:

- Everything is relative to `now` in the user's zone, and an open phrase prefers the future ("dec 24" in
  January is this year's, "5pm" after 17:00 is tomorrow's). An absolute date that is today stays today
  ("dec 1" on 1 December), but a weekday name is the next such day after today ("friday" on a Friday is in
  a week); say "today" for today.
- "tonight" is today at 20:00 (just "today" once 20:00 has passed); "next week" is next week's Monday;
  "end of month" is the month's last day; "weekend" / "this weekend" is the coming Saturday (today on a
  Saturday), "next weekend" the one after.
- A bare hour after "at" has no am/pm: 1–6 are afternoon hours ("tomorrow at 5" is 17:00), 7–11 are morning
  hours, 12 is noon; after "tonight" every bare hour is an evening hour.
- "dd/mm" and "mm/dd" are both accepted when only one reading is a date ("24/12", "12/24"); "03/04" is
  ambiguous and refused, as are bare numbers ("5": the 5th or 5 o'clock?).
- "in 2 hours" / "in 30 minutes" count real elapsed time, so they stay right across a DST change.
- A word that is not a date word ("tomorrow blorp") is an error naming that word: nothing is half-read.

Repeats (`parse_repeat`, `describe_repeat`, `next_occurrence`) live in tasks.recurrence and the labels
(`due_label`, `short_due`) in tasks.labels; both are re-exported here so callers import one module.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from tasks.clock import local_now, today, zone
from tasks.errors import DueUnparseable
from tasks.labels import due_label, short_due
from tasks.recurrence import describe_repeat, next_occurrence, parse_repeat

__all__ = [
    "DUE_FILTERS",
    "Due",
    "describe_repeat",
    "due_label",
    "next_occurrence",
    "parse_repeat",
    "resolve_due",
    "short_due",
    "today",
]

DUE_FILTERS: tuple[str, ...] = ("overdue", "today", "tomorrow", "this_week", "upcoming", "no_date")

MONTHS = [m.lower() for m in calendar.month_name[1:]]
_MONTH_WORDS = {*MONTHS, *(m[:3] for m in MONTHS), "sept"}
_WEEKDAY_WORDS = {
    *(d.lower() for d in calendar.day_name),
    *("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
}
# Words that can carry a date on their own (an input needs one of these or a digit).
_DATE_WORDS = {
    *_MONTH_WORDS,
    *_WEEKDAY_WORDS,
    *("today", "tomorrow", "tonight", "yesterday", "now", "noon", "midnight"),
    *("morning", "afternoon", "evening", "night"),
    *("day", "days", "week", "weeks", "month", "months", "year", "years", "fortnight"),
    *("hour", "hours", "minute", "minutes", "min", "mins"),
}
# Words that only connect the others.
_FILLER_WORDS = {
    *("a", "an", "the", "in", "on", "at", "by", "of", "next", "this", "last", "after", "before", "from"),
    *("and", "coming", "am", "pm", "st", "nd", "rd", "th"),
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
}
_CLEAR_PREFIX = re.compile(r"^(?:due|by|on|for)\s+")
_IN_DURATION = re.compile(r"^in\s+(\d+|an?|one)\s+(hours?|minutes?|mins?)$")
_BARE_AT_HOUR = re.compile(r"\bat\s+(\d{1,2})(?::(\d{2}))?\b(?!\s*(?:am|pm|a\.m\.|p\.m\.|[:.]\d))")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})(?:/(\d{1,2})(?:/(\d{4}|\d{2}))?|\.(\d{1,2})\.(\d{4}|\d{2})?)(?!\d)")
_TONIGHT_HOUR = dt.time(20, 0)


@dataclass(frozen=True)
class Due:
    date: dt.date
    time: dt.time | None = None


def resolve_due(text: str, *, tz: str | ZoneInfo, now: dt.datetime | None = None) -> Due:
    """`text` as a due date (and maybe a time) in the user's zone `tz`; DueUnparseable names what failed."""
    original = str(text or "").strip()
    phrase = re.sub(r"\s+", " ", original.lower()).strip(" ,")
    if not phrase:
        raise DueUnparseable(text=original)
    base = local_now(tz, now)
    if (iso := _iso(phrase, zone(tz))) is not None:
        return iso
    if phrase.isdigit():
        raise DueUnparseable(f'"{original}" is ambiguous: say "the {phrase}th" or "at {phrase}pm".')
    if (match := _IN_DURATION.match(phrase)) is not None:
        return _in_duration(match, base)
    phrase = _CLEAR_PREFIX.sub("", phrase)
    evening = "tonight" in phrase
    phrase = _rewrite_phrases(phrase, base.date(), original)
    phrase = _BARE_AT_HOUR.sub(lambda m: _at_hour(m, evening=evening), phrase)
    _check_words(phrase, original)
    parsed = _parse(phrase, base, prefer="future")
    if parsed is None:
        raise DueUnparseable(text=original)
    when, timed = parsed
    if (
        not timed
        and when.date() > base.date()
        and not _WEEKDAY_WORDS.intersection(re.findall(r"[a-z]+", phrase))
    ):
        # dateparser's "future" is strictly after now: "dec 1" on 1 December would be next year's.
        current = _parse(phrase, base, prefer="current_period")
        if current is not None and current[0].date() == base.date():
            when = current[0]
    words = set(re.findall(r"[a-z]+", phrase))
    if when.date() < base.date() and re.search(r"\d(?:st|nd|rd|th)\b", phrase) and not words & _MONTH_WORDS:
        when = _same_day_next_month(when, base.date())  # "the 1st" on the 2nd: dateparser stays in this month
    if evening and phrase.strip() == "tonight":
        return Due(base.date(), _TONIGHT_HOUR if base.time() < _TONIGHT_HOUR else None)
    return Due(when.date(), when.time().replace(second=0, microsecond=0) if timed else None)


def _same_day_next_month(when: dt.datetime, today_: dt.date) -> dt.datetime:
    for months in range(1, 13):
        year, month = divmod(when.month - 1 + months, 12)
        try:
            candidate = when.replace(year=when.year + year, month=month + 1)
        except ValueError:  # the 31st in a 30-day month: try the month after
            continue
        if candidate.date() >= today_:
            return candidate
    return when


def _iso(phrase: str, tz: ZoneInfo) -> Due | None:
    """ISO 8601: a date alone is a date; a datetime keeps its time (an offset is converted to the user's zone)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([t ][\d:.]+(z|[+-][\d:]+)?)?", phrase):
        return None
    try:
        if len(phrase) == 10:
            return Due(dt.date.fromisoformat(phrase))
        when = dt.datetime.fromisoformat(phrase.upper())
    except ValueError:
        return None  # e.g. 2026-02-30: dateparser fails on it too, with the usual message
    if when.tzinfo is not None:
        when = when.astimezone(tz)
    return Due(when.date(), when.time().replace(second=0, microsecond=0, tzinfo=None))


def _in_duration(match: re.Match, base: dt.datetime) -> Due:
    amount = int(match[1]) if match[1].isdigit() else 1
    unit = "hours" if match[2].startswith("hour") else "minutes"
    # Aware arithmetic in UTC: "in 2 hours" is two real hours, also across a DST change.
    when = (base.astimezone(dt.UTC) + dt.timedelta(**{unit: amount})).astimezone(base.tzinfo)
    return Due(when.date(), when.time().replace(second=0, microsecond=0, tzinfo=None))


def _rewrite_phrases(phrase: str, day: dt.date, original: str) -> str:
    """Phrases dateparser reads differently from people become explicit dates ("7 december 2026")."""

    def spelled(d: dt.date) -> str:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"

    monday_next = day + dt.timedelta(days=7 - day.weekday())
    phrase = re.sub(r"\bnext week\b", spelled(monday_next), phrase)
    last_day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    phrase = re.sub(r"\b(?:the )?end of (?:the |this )?month\b", spelled(last_day), phrase)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    if day.weekday() == 6:  # on a Sunday, "this weekend" is today
        saturday = day
    phrase = re.sub(r"\bnext weekend\b", spelled(saturday + dt.timedelta(days=7)), phrase)
    phrase = re.sub(r"\b(?:this )?weekend\b", spelled(saturday), phrase)
    return _NUMERIC_DATE.sub(lambda m: _numeric_date(m, original), phrase)


def _numeric_date(match: re.Match, original: str) -> str:
    first = int(match[1])
    second = int(match[2] or match[4])
    year = match[3] or match[5]
    if first > 12 and second <= 12:
        day, month = first, second
    elif second > 12 and first <= 12:
        day, month = second, first
    elif first == second:
        day = month = first
    elif first > 12 and second > 12:
        raise DueUnparseable(text=original)
    else:
        raise DueUnparseable(
            f'"{original}" is ambiguous: {first} {MONTHS[second - 1].title()} or '
            f"{second} {MONTHS[first - 1].title()}? Write the month as a word or use YYYY-MM-DD."
        )
    if year and len(year) == 2:
        year = f"20{year}"
    return f"{day} {MONTHS[month - 1]}" + (f" {year}" if year else "")


def _at_hour(match: re.Match, *, evening: bool) -> str:
    hour, minute = int(match[1]), int(match[2] or 0)
    if 1 <= hour <= 11 and (evening or hour <= 6):
        hour += 12
    return f"at {hour:02d}:{minute:02d}" if hour < 24 else match[0]


def _check_words(phrase: str, original: str) -> None:
    words = re.findall(r"[a-z]+", phrase)
    unknown = [w for w in words if w not in _DATE_WORDS and w not in _FILLER_WORDS]
    if unknown:
        if len(unknown) == len(words):
            raise DueUnparseable(text=original)
        listed = ", ".join(f'"{w}"' for w in dict.fromkeys(unknown))
        raise DueUnparseable(f'I couldn\'t read "{original}" as a date: {listed} is not a date word.')
    if not re.search(r"\d", phrase) and not _DATE_WORDS.intersection(words):
        raise DueUnparseable(text=original)


def _parse(phrase: str, base: dt.datetime, *, prefer: str) -> tuple[dt.datetime, bool] | None:
    """dateparser in the user's zone (`base` is local): (local naive datetime, whether a time was given)."""
    # No TIMEZONE setting: dateparser would convert with one fixed offset, wrong across a DST change. It works
    # on wall-clock time instead (the base is the user's local time), which is what a due date is.
    parser = DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": prefer,
            "RELATIVE_BASE": base.replace(tzinfo=None),
            "RETURN_TIME_AS_PERIOD": True,
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "DMY",
        },
    )
    data = parser.get_date_data(phrase)
    if data.date_obj is None:
        return None
    when = data.date_obj
    if when.tzinfo is not None:
        when = when.astimezone(base.tzinfo).replace(tzinfo=None)
    return when, data.period in ("time", "part_of_day")
