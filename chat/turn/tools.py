"""The assistant's tools: JSON schemas the model sees, and dispatch to the tasks service layer.

The acting user is always the authenticated one, passed in by the engine; no schema has a user field and
`additionalProperties: false` refuses one. Every failure becomes a result the model can read, never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from jsonschema import Draft202012Validator

from core.errors import DomainError
from core.ids import parse_id
from tasks import errors as task_errors
from tasks import selectors, services
from tasks.models import Task

LIST_LIMIT = 50


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict
    run: Callable[..., dict]

    def schema(self) -> dict:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


def _task_id_schema(purpose: str) -> dict:
    return {
        "type": "integer",
        "minimum": 1,
        "description": f"The id of the task to {purpose}, from list_tasks.",
    }


def _object(properties: dict, required: list[str]) -> dict:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _ack(task: Task, status: str) -> dict:
    return {"task_id": task.pk, "status": status, "title": task.title}


def _add_task(user: AbstractBaseUser, title: str, description: str = "") -> dict:
    return _ack(services.task_create(owner=user, title=title, description=description), "created")


def _list_tasks(user: AbstractBaseUser, status: str = "all") -> dict:
    tasks = selectors.task_list(owner=user, status=status)
    total = tasks.count()
    return {
        "status": status,
        "total": total,
        "tasks": [
            {"id": t.pk, "title": t.title, "description": t.description, "completed": t.completed}
            for t in tasks[:LIST_LIMIT]
        ],
        **({"note": f"Only the newest {LIST_LIMIT} of {total} are listed."} if total > LIST_LIMIT else {}),
    }


def _complete_task(user: AbstractBaseUser, task_id: int) -> dict:
    return _ack(services.task_complete(owner=user, task_id=task_id), "completed")


def _delete_task(user: AbstractBaseUser, task_id: int) -> dict:
    return _ack(services.task_delete(owner=user, task_id=task_id), "deleted")


def _update_task(
    user: AbstractBaseUser, task_id: int, title: str | None = None, description: str | None = None
) -> dict:
    if title is None and description is None:
        raise task_errors.NothingToUpdate()
    return _ack(
        services.task_update(owner=user, task_id=task_id, title=title, description=description), "updated"
    )


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in [
        Tool(
            "add_task",
            "Create a new task on the user's todo list. Use a short, clear title; put details in description.",
            _object(
                {
                    "title": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        "description": "Short task title.",
                    },
                    "description": {"type": "string", "maxLength": 2000, "description": "Optional details."},
                },
                ["title"],
            ),
            _add_task,
        ),
        Tool(
            "list_tasks",
            "List the user's tasks, newest first. Call this to find a task's id before changing it.",
            _object(
                {"status": {"type": "string", "enum": ["all", "pending", "completed"], "default": "all"}},
                [],
            ),
            _list_tasks,
        ),
        Tool(
            "complete_task",
            "Mark one of the user's tasks as completed.",
            _object({"task_id": _task_id_schema("complete")}, ["task_id"]),
            _complete_task,
        ),
        Tool(
            "delete_task",
            "Delete one of the user's tasks (the user can undo it from the task panel).",
            _object({"task_id": _task_id_schema("delete")}, ["task_id"]),
            _delete_task,
        ),
        Tool(
            "update_task",
            "Change the title and/or description of one of the user's tasks.",
            _object(
                {
                    "task_id": _task_id_schema("update"),
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string", "maxLength": 2000},
                },
                ["task_id"],
            ),
            _update_task,
        ),
    ]
}
_VALIDATORS = {name: Draft202012Validator(tool.parameters) for name, tool in TOOLS.items()}


def tool_schemas() -> list[dict]:
    """The `tools` parameter for Groq."""
    return [tool.schema() for tool in TOOLS.values()]


def _error(code: str, message: str) -> dict:
    return {"error": code, "message": message}


def result_json(result: dict) -> str:
    """A tool result as the JSON text that is stored and sent back to the model."""
    return json.dumps(result, ensure_ascii=False, default=str)


def parse_arguments(arguments: str | dict | None) -> dict | str:
    """The model's arguments as a dict, or an error message when they are not a JSON object."""
    if isinstance(arguments, dict):
        return arguments
    if not arguments or not str(arguments).strip():
        return {}
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError as exc:
        return f"Arguments are not valid JSON: {exc.msg}."
    return value if isinstance(value, dict) else "Arguments must be a JSON object."


def run_tool(user: AbstractBaseUser, name: str, arguments: str | dict | None) -> tuple[dict, dict]:
    """Run one tool call as `user`. Returns (params, result); result is `{"error", "message"}` on any failure.

    Synchronous: call it from a thread (the engine batches a round's calls into one database hop).
    """
    tool = TOOLS.get(name)
    if tool is None:
        return {}, _error("unknown_tool", f"There is no tool named {name!r}. Use one of: {', '.join(TOOLS)}.")
    params = parse_arguments(arguments)
    if isinstance(params, str):
        return {}, _error("invalid_arguments", params)
    if "task_id" in params:  # the one id rule: digits in a string are an id, anything else is not found
        task_id = parse_id(params["task_id"])
        if task_id is None:
            return params, _error(task_errors.TaskNotFound.code, f"Task {params['task_id']!r} was not found.")
        params = {**params, "task_id": task_id}
    problems = sorted(_VALIDATORS[name].iter_errors(params), key=lambda e: list(e.path))
    if problems:
        where = ".".join(str(p) for p in problems[0].path) or "arguments"
        return params, _error("invalid_arguments", f"{where}: {problems[0].message}")
    try:
        return params, tool.run(user, **params)
    except DomainError as exc:
        return params, _error(exc.code, exc.message)
