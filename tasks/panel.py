"""The task panel beside the chat: its context and its HTML fragments (templates/tasks/).

The chat page renders it on load; the panel's own actions (tasks.views) and every change announced on the
channel layer (the websocket consumer) re-render its body. It reads the database, so async callers run it
through `database_sync_to_async` — one hop per render. The grouping into sections is tasks.sections'.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.template.loader import render_to_string

from core.errors import DomainError
from tasks import selectors
from tasks.forms import edit_initial
from tasks.models import Task
from tasks.sections import PanelItem, panel_sections


@dataclass(frozen=True)
class Editing:
    """A task whose inline edit form stays open in the re-rendered body (after a refused save)."""

    task_id: int
    values: dict


def task_panel_context(
    owner: AbstractBaseUser,
    *,
    deleted_task_id: int | None = None,
    error: str = "",
    editing: Editing | None = None,
) -> dict:
    sections = panel_sections(owner=owner)
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
        "completed_items": sections.completed,
        "counts": {"pending": sections.pending_count, "completed": len(sections.completed)},
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


def task_item_html(item: PanelItem) -> str:
    """One task's row (the edit form's Cancel puts it back)."""
    return render_to_string("tasks/_item.html", {"item": item, "task": item.task})


def task_edit_html(task: Task, *, values: dict | None = None) -> str:
    """One task's inline edit form, filled with the task as it is (or with `values`, after a refused save)."""
    context = {"task": task, "values": values or edit_initial(task), "priorities": Task.Priority.choices}
    return render_to_string("tasks/_edit.html", context)
