"""The task panel beside the chat: its context and its HTML fragments (templates/tasks/).

The chat page renders it on load; the panel's own actions (tasks.views) and every change announced on the
channel layer (the websocket consumer) re-render its body. It reads the database, so async callers run it
through `database_sync_to_async` — one hop per render. The grouping into sections is tasks.sections'.

Bounded size: each section shows a window of its tasks (tasks.sections.SECTION_WINDOW) and the rows of the whole
body share a byte budget (`PANEL_ROWS_BUDGET`), so a user with thousands of tasks — or with long titles — still
gets a body far below the websocket's frame limit; the rest of a section is one "Show more" away.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.errors import DomainError
from tasks import selectors
from tasks.forms import edit_initial
from tasks.models import Task
from tasks.sections import SECTION_WINDOW, PanelItem, Section, panel_sections, section_page

PANEL_ROWS_BUDGET = 200 * 1024  # bytes of task rows in one panel body (the frame guard allows 256 KB)


@dataclass(frozen=True)
class Editing:
    """A task whose inline edit form stays open in the re-rendered body (after a refused save)."""

    task_id: int
    values: dict


def _window_rows(sections: list[Section], *, budget: int, editing: Editing | None = None) -> None:
    """Render each section's rows (`section.rows`), cutting a section's window where its share of `budget` ends.

    Every non-empty section gets an equal share, so one section of long rows cannot starve the others; a cut
    section keeps at least one row and its "Show more" continues from there.
    """
    share = budget // max(1, sum(1 for s in sections if s.items))
    for section in sections:
        rows: list[SafeString] = []
        used = 0
        for item in section.items:
            if editing is not None and editing.task_id == item.task.pk:
                row = task_edit_html(item.task, values=editing.values)
            else:
                row = task_item_html(item)
            used += len(row.encode("utf-8"))
            if rows and used > share:
                break
            rows.append(SafeString(row))
        section.items = section.items[: len(rows)]
        section.rows = rows


def task_panel_context(
    owner: AbstractBaseUser,
    *,
    deleted_task_id: int | None = None,
    error: str = "",
    editing: Editing | None = None,
) -> dict:
    sections = panel_sections(owner=owner)
    _window_rows([*sections.pending, sections.completed], budget=PANEL_ROWS_BUDGET, editing=editing)
    deleted = None
    if deleted_task_id is not None:
        try:
            task = selectors.task_get(owner=owner, task_id=deleted_task_id, include_deleted=True)
        except DomainError:
            task = None
        if task is not None and task.is_deleted:  # already restored (or never deleted): no Undo strip
            deleted = task
    return {
        "sections": sections.pending,
        "completed_section": sections.completed,
        "counts": {"pending": sections.pending_count, "completed": sections.completed.total},
        "deleted_task": deleted,
        "panel_error": error,
        "editing": editing,
        "priorities": Task.Priority.choices,
    }


def task_panel_html(
    owner: AbstractBaseUser,
    *,
    oob: bool,
    deleted_task_id: int | None = None,
    error: str = "",
    editing: Editing | None = None,
) -> str:
    """The panel's body and the header's pending-count badge (always swapped out of band)."""
    context = task_panel_context(owner, deleted_task_id=deleted_task_id, error=error, editing=editing)
    return render_to_string("tasks/frames/panel.html", {**context, "oob": oob})


def task_section_html(owner: AbstractBaseUser, *, key: str, offset: int, limit: int = SECTION_WINDOW) -> str:
    """The next window of one section (`limit` tasks): its rows and, if more remain, the next "Show more"
    (ValueError for an unknown section)."""
    section = section_page(owner=owner, key=key, offset=offset, limit=limit)
    _window_rows([section], budget=PANEL_ROWS_BUDGET)
    return render_to_string("tasks/_section_rows.html", {"section": section})


def task_item_html(item: PanelItem) -> str:
    """One task's row (the edit form's Cancel puts it back)."""
    return render_to_string("tasks/_item.html", {"item": item, "task": item.task})


def task_edit_html(task: Task, *, values: dict | None = None) -> str:
    """One task's inline edit form, filled with the task as it is (or with `values`, after a refused save)."""
    context = {"task": task, "values": values or edit_initial(task), "priorities": Task.Priority.choices}
    return render_to_string("tasks/_edit.html", context)
