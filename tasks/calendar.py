"""The owner's pending dated tasks as an RFC 5545 calendar (icalendar): what the secret feed URL serves.

One event per task: all-day (VALUE=DATE) for a date, one hour in the owner's zone (TZID, with its VTIMEZONE)
for a date and time; an RRULE for a repeat; UIDs that never change (task-<id>@todo-assistant), so calendar
apps update events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from icalendar import Calendar, Event, vRecur

from tasks import selectors
from tasks.clock import zone
from tasks.models import Task

UID_DOMAIN = "todo-assistant"
EVENT_LENGTH = dt.timedelta(hours=1)
# RFC 5545 PRIORITY: 1 is highest, 9 lowest, 0 undefined.
PRIORITIES = {Task.Priority.HIGH: 1, Task.Priority.MEDIUM: 5, Task.Priority.LOW: 9}


def task_uid(task: Task) -> str:
    return f"task-{task.pk}@{UID_DOMAIN}"


def task_calendar(*, owner: AbstractBaseUser) -> bytes:
    tz = zone(owner.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Todo Assistant//Tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Tasks")
    calendar.add("x-wr-timezone", owner.timezone)
    tasks = selectors.task_list(owner=owner, status="pending", ordering="due").filter(due_date__isnull=False)
    for task in tasks:
        calendar.add_component(_event(task, tz))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(task: Task, tz) -> Event:
    event = Event()
    event.add("uid", task_uid(task))
    event.add("summary", task.title)
    if task.description:
        event.add("description", task.description)
    event.add("dtstamp", task.updated_at)
    event.add("created", task.created_at)
    event.add("last-modified", task.updated_at)
    if task.due_time is None:
        event.add("dtstart", task.due_date)
        event.add("dtend", task.due_date + dt.timedelta(days=1))
    else:
        start = dt.datetime.combine(task.due_date, task.due_time, tzinfo=tz)
        event.add("dtstart", start)
        event.add("dtend", start + EVENT_LENGTH)
    if task.recurrence:
        event.add("rrule", vRecur.from_ical(task.recurrence))
    if task.priority in PRIORITIES:
        event.add("priority", PRIORITIES[task.priority])
    return event
