"""How a due date reads to its owner, relative to their today: "Tomorrow, Friday 27 November, 17:00",
"Fri 4 Dec", "overdue by 2 days".

English names come from here, not from strftime, so the server's locale never changes a label.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tasks.clock import local_now

DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTH_NAMES = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]


def due_label(
    due_date: dt.date, due_time: dt.time | None, *, tz: str | ZoneInfo, now: dt.datetime | None = None
) -> str:
    """The long form, always with the weekday (so the model can confirm the day it meant): "Friday 4 December,
    17:00 — in 3 days", "Today, Thursday 26 November, 17:00", "Yesterday, Wednesday 25 November — overdue by 1 day"."""
    current = local_now(tz, now)
    days = (due_date - current.date()).days
    text = f"{DAY_NAMES[due_date.weekday()]} {due_date.day} {MONTH_NAMES[due_date.month - 1]}"
    if due_date.year != current.year:
        text += f" {due_date.year}"
    relative = {0: "Today", 1: "Tomorrow", -1: "Yesterday"}.get(days)
    if relative:
        text = f"{relative}, {text}"
    if due_time is not None:
        text += f", {due_time:%H:%M}"
    if days < 0:
        text += f" — overdue by {_count(-days, 'day')}"
    elif days == 0 and due_time is not None and due_time < current.time().replace(tzinfo=None):
        text += " — overdue"
    elif days > 1:
        text += f" — in {_distance(days)}"
    return text


def short_due(
    due_date: dt.date, due_time: dt.time | None, *, tz: str | ZoneInfo, now: dt.datetime | None = None
) -> str:
    """The compact form for lists: "Today 17:00", "Tomorrow", "Yesterday", "Fri 4 Dec" ("Fri 4 Dec 2027")."""
    current = local_now(tz, now)
    days = (due_date - current.date()).days
    names = {0: "Today", 1: "Tomorrow", -1: "Yesterday"}
    if days in names:
        text = names[days]
    else:
        text = f"{DAY_NAMES[due_date.weekday()][:3]} {due_date.day} {MONTH_NAMES[due_date.month - 1][:3]}"
        if due_date.year != current.year:
            text += f" {due_date.year}"
    return f"{text} {due_time:%H:%M}" if due_time is not None else text


def _distance(days: int) -> str:
    if days < 14:
        return _count(days, "day")
    if days < 60:
        return _count(days // 7, "week")
    if days < 730:
        return _count(days // 30, "month")
    return _count(days // 365, "year")


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"
