"""The task panel beside the chat: its context and its HTML fragment (templates/tasks/).

The chat page renders it on load; the panel's own actions (tasks.views) and every change announced on the
channel layer (the websocket consumer) re-render its body. It reads the database, so async callers run it
through `database_sync_to_async` — one hop per render.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.template.loader import render_to_string

from core.errors import DomainError
from tasks import selectors


def task_panel_context(
    owner: AbstractBaseUser, *, deleted_task_id: int | None = None, error: str = ""
) -> dict:
    tasks = list(selectors.task_list(owner=owner))
    deleted = None
    if deleted_task_id is not None:
        try:
            task = selectors.task_get(owner=owner, task_id=deleted_task_id, include_deleted=True)
        except DomainError:
            task = None
        if task is not None and task.is_deleted:  # already restored (or never deleted): no Undo strip
            deleted = task
    pending = [t for t in tasks if not t.completed]
    completed = [t for t in tasks if t.completed]
    return {
        "pending_tasks": pending,
        "completed_tasks": completed,
        "counts": {"pending": len(pending), "completed": len(completed)},
        "deleted_task": deleted,
        "panel_error": error,
    }


def task_panel_html(
    owner: AbstractBaseUser, *, oob: bool, deleted_task_id: int | None = None, error: str = ""
) -> str:
    """The panel's body and the header's pending-count badge (always swapped out of band)."""
    context = task_panel_context(owner, deleted_task_id=deleted_task_id, error=error)
    return render_to_string("tasks/frames/panel.html", {**context, "oob": oob})
