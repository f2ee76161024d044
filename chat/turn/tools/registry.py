"""The registry: every tool by name, their schemas for Groq, and `run_tool`, which validates and dispatches.

The acting user is always the authenticated one, passed in by the engine; no schema has a user field and
`additionalProperties: false` refuses one. Every failure becomes a result the model can read, never an exception.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from jsonschema import Draft202012Validator

from chat.turn.tools.schema import Tool
from chat.turn.tools.task_tools import TASK_TOOLS
from core.errors import DomainError
from core.ids import parse_id
from core.text import clean_text
from tasks import errors as task_errors

TOOLS: dict[str, Tool] = {tool.name: tool for tool in TASK_TOOLS}
_VALIDATORS = {name: Draft202012Validator(tool.parameters) for name, tool in TOOLS.items()}


def tool_schemas() -> list[dict]:
    """The `tools` parameter for Groq (the same list every request: it is part of the cached prompt prefix)."""
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
    # JSON escapes can smuggle NUL and lone surrogates ("\u0000", "\ud800") past the text rules.
    return _cleaned(value) if isinstance(value, dict) else "Arguments must be a JSON object."


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def run_tool(user: AbstractBaseUser, name: str, arguments: str | dict | None) -> tuple[dict, dict]:
    """Run one tool call as `user`. Returns (params, result); result is `{"error", "message"}` on any failure.

    Synchronous: call it from a thread (the engine batches a round's calls into one database hop).
    """
    tool = TOOLS.get(name)
    if tool is None:
        return {}, _error("unknown_tool", f"There is no tool named {name!r}. Use one of: {', '.join(TOOLS)}.")
    limit = settings.AGENT_TOOL_ARGUMENTS_MAX_CHARS
    if isinstance(arguments, str) and len(arguments) > limit:
        return {}, _error("arguments_too_large", f"The arguments are over {limit} characters; send less.")
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
