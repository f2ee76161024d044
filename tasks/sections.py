"""The task panel's smart sections, computed in the owner's zone.

Pending tasks fall into exactly one of: Overdue (due before now: an earlier day, or today at a time that has
passed — the same rule as `task_list(due="overdue")`), Today, Upcoming (the next 7 days), Later, No date.
Completed tasks form a section of their own, most recently completed first. The panel shows a window of each
section (`SECTION_WINDOW` tasks, "Show more" for the next) with its real total; the queries are tasks.selectors'
(`task_section`, `task_section_counts`), which follow `section_key`. Each task comes with the text the panel shows
for it: its short due ("Today 17:00", "Tomorrow", "Fri 4 Dec") and its repeat ("every Monday").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser

from tasks import selectors
from tasks.clock import local_now
from tasks.dates import describe_repeat, short_due
from tasks.models import Task

UPCOMING_DAYS = selectors.UPCOMING_DAYS
# Tasks per section on the panel ("Show more" loads the next as many). A row is ~0.9-1 KB of HTML, so six full
# sections of 50 (~300 KB) would not fit one 256 KB websocket frame; 30 each is about 170 KB.
SECTION_WINDOW = 30
SECTION_MAX_LIMIT = 10 * SECTION_WINDOW  # the most rows one "Show more" request may ask for
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
    """One section's window: `items` from position `offset` of the `total` tasks it holds."""

    key: str
    title: str
    items: list[PanelItem] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    rows: list = field(default_factory=list)  # the items' rendered rows (tasks.panel fills them)

    @property
    def next_offset(self) -> int | None:
        """Where "Show more" continues, or None when the window reaches the end."""
        end = self.offset + len(self.items)
        return end if end < self.total else None

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.offset - len(self.items))


@dataclass(frozen=True)
class PanelSections:
    pending: list[Section]  # only the sections that have tasks, in SECTIONS order
    completed: Section
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


def section_window(
    *, owner: AbstractBaseUser, key: str, offset: int = 0, limit: int = SECTION_WINDOW, now: dt.datetime
) -> list[PanelItem]:
    """`limit` of the owner's tasks in section `key` from position `offset` (one query)."""
    tasks = selectors.task_section(owner=owner, section=key, now=now)[offset : offset + limit]
    return [panel_item(task, now=now) for task in tasks]


def panel_sections(
    *, owner: AbstractBaseUser, now: dt.datetime | None = None, limit: int = SECTION_WINDOW
) -> PanelSections:
    """The first `limit` tasks of each section with every section's real total, in the owner's zone (one
    query for the counts, one per non-empty section)."""
    now = local_now(owner.timezone, now)
    counts = selectors.task_section_counts(owner=owner, now=now)

    def section(key: str, title: str) -> Section:
        items = section_window(owner=owner, key=key, limit=limit, now=now) if counts[key] else []
        return Section(key, title, items, total=counts[key])

    pending = [section(key, title) for key, title in SECTIONS if counts[key]]
    return PanelSections(
        pending=pending,
        completed=section("completed", "Completed"),
        pending_count=sum(counts[key] for key, _ in SECTIONS),
    )


def section_page(*, owner: AbstractBaseUser, key: str, offset: int, limit: int = SECTION_WINDOW) -> Section:
    """The next window of one section ("Show more"); an unknown key is a ValueError."""
    titles = dict((*SECTIONS, ("completed", "Completed")))
    if key not in titles:
        raise ValueError(f"unknown panel section {key!r}")
    now = local_now(owner.timezone)
    total = selectors.task_section(owner=owner, section=key, now=now).count()
    items = section_window(owner=owner, key=key, offset=offset, limit=limit, now=now)
    return Section(key, titles[key], items, total=total, offset=offset)


def task_panel_item(*, owner: AbstractBaseUser, task_id: object) -> PanelItem:
    """One of the owner's tasks as the panel shows it (TaskNotFound for anyone else's)."""
    task = selectors.task_get(owner=owner, task_id=task_id)
    return panel_item(task, now=local_now(owner.timezone))
