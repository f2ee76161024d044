"""The task tools: each one's schema and its call into the tasks service layer, as the acting user.

Dates: the model passes the user's own words in `due` ("tomorrow 5pm") and the server resolves them in the
user's zone (tasks.dates); results echo what was understood (`due_date`, `due_time`, `due_label`, `repeat`) so
the model can confirm it in words and never does date arithmetic itself.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from chat.turn.tools.schema import Tool, obj, task_id
from tasks import dates, selectors, services
from tasks import errors as task_errors
from tasks.models import Task

LIST_LIMIT = 50
LIST_DESCRIPTION_CHARS = 120
PRIORITIES = ["none", "low", "medium", "high"]
_TITLE = {"type": "string", "minLength": 1, "maxLength": 200, "description": "Short task title."}
_DESCRIPTION = {"type": "string", "maxLength": 2000, "description": "Optional details."}
_PRIORITY = {"type": "string", "enum": PRIORITIES}
_DUE = {
    "type": "string",
    "maxLength": 100,
    "description": "When, in the words said: 'tomorrow 5pm', 'friday', 'dec 24', 'in 3 days'. "
    "Never compute a date yourself.",
}
_REPEAT = {
    "type": "string",
    "maxLength": 100,
    "description": "In words: 'every monday', 'daily', 'every 2 weeks'.",
}
_CLEARABLE_DUE = {**_DUE, "type": ["string", "null"], "description": _DUE["description"] + " null clears it."}
_CLEARABLE_REPEAT = {**_REPEAT, "type": ["string", "null"], "description": "As for add_task; null stops it."}


def _when(task: Task, user: AbstractBaseUser) -> dict:
    """The resolved date, priority and repeat, as the user should hear them."""
    return {
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "due_time": task.due_time.strftime("%H:%M") if task.due_time else None,
        "due_label": dates.due_label(task.due_date, task.due_time, tz=user.timezone)
        if task.due_date
        else None,
        "priority": task.priority,
        "repeat": dates.describe_repeat(task.recurrence) if task.recurrence else None,
    }


def _ack(task: Task, status: str, user: AbstractBaseUser) -> dict:
    return {"task_id": task.pk, "status": status, "title": task.title, **_when(task, user)}


def _item(task: Task, user: AbstractBaseUser) -> dict:
    item = {"id": task.pk, "title": task.title, "completed": task.completed, **_when(task, user)}
    if task.description:  # tokens: only when there is one, and only its start
        text = task.description
        item["description"] = (
            text if len(text) <= LIST_DESCRIPTION_CHARS else text[:LIST_DESCRIPTION_CHARS] + "…"
        )
    return item


def _add_task(user: AbstractBaseUser, title: str, description: str = "", **details) -> dict:
    task = services.task_create(
        owner=user,
        title=title,
        description=description,
        due=details.get("due"),
        priority=details.get("priority", "none"),
        repeat=details.get("repeat"),
    )
    return _ack(task, "created", user)


def _list_tasks(
    user: AbstractBaseUser,
    status: str = "all",
    due: str | None = None,
    priority: str | None = None,
    query: str | None = None,
) -> dict:
    dated = due not in (None, "no_date")  # a date filter lists soonest first; otherwise newest first
    tasks = selectors.task_list(
        owner=user, status=status, due=due, priority=priority, query=query, ordering="due" if dated else None
    )
    total = tasks.count()
    filters = {k: v for k, v in (("due", due), ("priority", priority), ("query", query)) if v is not None}
    return {
        "status": status,
        **filters,
        "total": total,
        "tasks": [_item(t, user) for t in tasks[:LIST_LIMIT]],
        **({"note": f"Only the first {LIST_LIMIT} of {total} are listed."} if total > LIST_LIMIT else {}),
    }


def _complete_task(user: AbstractBaseUser, task_id: int) -> dict:
    task = services.task_complete(owner=user, task_id=task_id)
    result = _ack(task, "completed", user)
    if task.recurrence and (nxt := task.next_occurrence) is not None:
        when = _when(nxt, user)
        result.update(next_task_id=nxt.pk, next_due_date=when["due_date"], next_due_label=when["due_label"])
    return result


def _delete_task(user: AbstractBaseUser, task_id: int) -> dict:
    return _ack(services.task_delete(owner=user, task_id=task_id), "deleted", user)


def _reopen_task(user: AbstractBaseUser, task_id: int) -> dict:
    return _ack(services.task_reopen(owner=user, task_id=task_id), "reopened", user)


def _restore_task(user: AbstractBaseUser, task_id: int) -> dict:
    return _ack(services.task_restore(owner=user, task_id=task_id), "restored", user)


def _update_task(user: AbstractBaseUser, task_id: int, **changes) -> dict:
    if not changes:
        raise task_errors.NothingToUpdate("Give at least one of title, description, due, priority or repeat.")
    task = services.task_update(
        owner=user,
        task_id=task_id,
        title=changes.get("title"),
        description=changes.get("description"),
        priority=changes.get("priority"),
        due=changes.get("due", services.UNSET),
        repeat=changes.get("repeat", services.UNSET),
    )
    return _ack(task, "updated", user)


TASK_TOOLS = [
    Tool(
        "add_task",
        "Create a task on the user's list. Short title; put details in description.",
        obj(
            {
                "title": _TITLE,
                "description": _DESCRIPTION,
                "due": _DUE,
                "priority": _PRIORITY,
                "repeat": _REPEAT,
            },
            ["title"],
        ),
        _add_task,
    ),
    Tool(
        "list_tasks",
        "List the user's tasks (newest first; soonest first with a date filter). "
        "Call it to find a task's id before changing it.",
        obj(
            {
                "status": {"type": "string", "enum": list(selectors.STATUSES), "default": "all"},
                "due": {"type": "string", "enum": list(dates.DUE_FILTERS)},
                "priority": _PRIORITY,
                "query": {
                    "type": "string",
                    "maxLength": 100,
                    "description": "Words in the title or description.",
                },
            },
            [],
        ),
        _list_tasks,
    ),
    Tool(
        "complete_task",
        "Mark a task as done. A repeating task gets its next occurrence (next_task_id in the result).",
        obj({"task_id": task_id("complete")}, ["task_id"]),
        _complete_task,
    ),
    Tool(
        "reopen_task",
        "Mark a completed task as not done.",
        obj({"task_id": task_id("reopen")}, ["task_id"]),
        _reopen_task,
    ),
    Tool(
        "delete_task",
        "Delete a task (restore_task undoes it).",
        obj({"task_id": task_id("delete")}, ["task_id"]),
        _delete_task,
    ),
    Tool(
        "restore_task",
        "Bring back a deleted task, by the id from the delete result.",
        obj({"task_id": task_id("restore")}, ["task_id"]),
        _restore_task,
    ),
    Tool(
        "update_task",
        "Change a task: give only the fields that change.",
        obj(
            {
                "task_id": task_id("update"),
                "title": _TITLE,
                "description": {"type": "string", "maxLength": 2000},
                "due": _CLEARABLE_DUE,
                "priority": _PRIORITY,
                "repeat": _CLEARABLE_REPEAT,
            },
            ["task_id"],
        ),
        _update_task,
    ),
]
