"""The task panel's smart sections, computed in the owner's zone.

Pending tasks fall into exactly one of: Overdue (due before now: an earlier day, or today at a time that has
passed — the same rule as `task_list(due="overdue")`), Today, Upcoming (the next 7 days), Later, No date.
Completed tasks form a section of their own, most recently completed first. Each task comes with the text the
panel shows for it: its short due ("Today 17:00", "Tomorrow", "Fri 4 Dec") and its repeat ("every Monday").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser

from tasks import selectors
from tasks.clock import local_now
from tasks.dates import describe_repeat, short_due
from tasks.models import Task

UPCOMING_DAYS = 7
# (key, heading) in the order the panel shows them.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("upcoming", "Upcoming"),
    ("later", "Later"),
    ("no_date", "No date"),
)


@dataclass(frozen=True)
class PanelItem:
    """One task as the panel shows it."""

    task: Task
    due_text: str = ""  # "Today 17:00"; empty without a due date
    due_iso: str = ""  # the <time datetime="…"> value: "2026-12-04" or "2026-12-04T17:00"
    overdue: bool = False
    repeat_text: str = ""  # "every Monday"; empty without a repeat


@dataclass
class Section:
    key: str
    title: str
    items: list[PanelItem] = field(default_factory=list)


@dataclass(frozen=True)
class PanelSections:
    pending: list[Section]  # only the sections that have tasks, in SECTIONS order
    completed: list[PanelItem]
    pending_count: int


def section_key(task: Task, now: dt.datetime) -> str:
    """Which pending section `task` belongs in at `now` (an aware datetime in the owner's zone)."""
    if task.due_date is None:
        return "no_date"
    today = now.date()
    if task.due_date < today:
        return "overdue"
    if task.due_date == today:
        passed = task.due_time is not None and task.due_time < now.time().replace(tzinfo=None)
        return "overdue" if passed else "today"
    if task.due_date <= today + dt.timedelta(days=UPCOMING_DAYS):
        return "upcoming"
    return "later"


def panel_item(task: Task, *, now: dt.datetime) -> PanelItem:
    if task.due_date is None:
        due_text = due_iso = ""
    else:
        due_text = short_due(task.due_date, task.due_time, tz=now.tzinfo, now=now)
        due_iso = task.due_date.isoformat()
        if task.due_time is not None:
            due_iso += f"T{task.due_time:%H:%M}"
    return PanelItem(
        task=task,
        due_text=due_text,
        due_iso=due_iso,
        overdue=not task.completed and section_key(task, now) == "overdue",
        repeat_text=describe_repeat(task.recurrence) if task.recurrence else "",
    )


def group_tasks(tasks: Iterable[Task], *, now: dt.datetime) -> PanelSections:
    """Group tasks already ordered by due (dated first, by date and time; undated newest first)."""
    sections = {key: Section(key, title) for key, title in SECTIONS}
    completed: list[PanelItem] = []
    for task in tasks:
        item = panel_item(task, now=now)
        if task.completed:
            completed.append(item)
        else:
            sections[section_key(task, now)].items.append(item)
    completed.sort(key=lambda item: item.task.completed_at or item.task.created_at, reverse=True)
    pending = [section for section in sections.values() if section.items]
    return PanelSections(
        pending=pending, completed=completed, pending_count=sum(len(s.items) for s in pending)
    )


def panel_sections(*, owner: AbstractBaseUser, now: dt.datetime | None = None) -> PanelSections:
    """The owner's live tasks in sections, in their zone (one query)."""
    tasks = selectors.task_list(owner=owner, ordering="due")
    return group_tasks(tasks, now=local_now(owner.timezone, now))


def task_panel_item(*, owner: AbstractBaseUser, task_id: object) -> PanelItem:
    """One of the owner's tasks as the panel shows it (TaskNotFound for anyone else's)."""
    task = selectors.task_get(owner=owner, task_id=task_id)
    return panel_item(task, now=local_now(owner.timezone))
