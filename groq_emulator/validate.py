"""Groq-style request validation for the chat-completions endpoint (strict where our app could slip)."""

from __future__ import annotations

from typing import Any

from .protocol import MODELS, error_body

ROLES = ("system", "user", "assistant", "tool")
KNOWN_PARAMS = frozenset(
    {
        "model",
        "messages",
        "tools",
        "tool_choice",
        "temperature",
        "top_p",
        "max_completion_tokens",
        "max_tokens",
        "reasoning_effort",
        "include_reasoning",
        "reasoning_format",
        "stream",
        "stream_options",
        "user",
        "n",
        "stop",
        "seed",
        "response_format",
        "parallel_tool_calls",
        "frequency_penalty",
        "presence_penalty",
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "service_tier",
        "metadata",
        "search_settings",
        "compound_custom",
        "documents",
        "citation_options",
        "disable_tool_validation",
        "exclude_domains",
        "include_domains",
        "functions",
        "function_call",
        "store",
    }
)
EFFORTS = ("none", "default", "low", "medium", "high")

Error = tuple[int, dict[str, Any]]


def _bad(message: str, code: str = "invalid_request") -> Error:
    return 400, error_body(message, "invalid_request_error", code)


def _number(body: dict[str, Any], key: str, low: float, high: float) -> Error | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        return _bad(f"'{key}' : must be a number between {low} and {high}", "invalid_parameter")
    return None


def _check_message(i: int, msg: Any, call_ids: set[str]) -> Error | None:
    where = f"messages.{i}"
    if not isinstance(msg, dict):
        return _bad(f"'{where}' : value must be an object")
    role = msg.get("role")
    if role not in ROLES:
        return _bad(f"'{where}.role' : value must be one of {', '.join(ROLES)}", "invalid_parameter")
    content = msg.get("content")
    if content is not None and not isinstance(content, str | list):
        return _bad(f"'{where}.content' : value must be a string or an array")
    if role == "assistant":
        if "reasoning" in msg:
            return _bad(
                f"'{where}' : for 'role:assistant' the following must be satisfied"
                f"[('{where}.reasoning' : property 'reasoning' is unsupported)]",
                "invalid_parameter",
            )
        calls = msg.get("tool_calls") or []
        if not isinstance(calls, list):
            return _bad(f"'{where}.tool_calls' : value must be an array")
        for j, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            if not isinstance(fn, dict) or not call.get("id") or not isinstance(fn.get("name"), str):
                return _bad(f"'{where}.tool_calls.{j}' : needs 'id', 'type' and 'function.name'")
            if not isinstance(fn.get("arguments", ""), str):
                return _bad(f"'{where}.tool_calls.{j}.function.arguments' : value must be a string")
            call_ids.add(call["id"])
        if content is None and not calls:
            return _bad(f"'{where}' : assistant message needs 'content' or 'tool_calls'")
    elif role == "tool":
        tool_call_id = msg.get("tool_call_id")
        if not tool_call_id:
            return _bad(
                f"'{where}' : for 'role:tool' the following must be satisfied"
                f"[('{where}.tool_call_id' : property 'tool_call_id' is missing)]",
                "missing_parameter",
            )
        if tool_call_id not in call_ids:
            return _bad(
                f"'{where}.tool_call_id' : '{tool_call_id}' does not match any earlier assistant tool call"
            )
        if content is None:
            return _bad(f"'{where}.content' : property 'content' is missing", "missing_parameter")
    elif content is None:
        return _bad(
            f"'{where}' : for 'role:{role}' the following must be satisfied"
            f"[('{where}.content' : property 'content' is missing)]",
            "missing_parameter",
        )
    return None


def _check_every_call_answered(messages: list[dict[str, Any]]) -> Error | None:
    """An assistant message with tool_calls must be followed by a tool message for each of its calls."""
    waiting: set[str] = set()
    for i, msg in enumerate(messages):
        if msg.get("role") == "tool":
            waiting.discard(msg.get("tool_call_id"))
            continue
        if waiting:
            return _bad(
                f"'messages.{i}' : an assistant message with 'tool_calls' must be followed by tool messages "
                f"responding to each 'tool_call_id' (missing: {', '.join(sorted(waiting))})"
            )
        if msg.get("role") == "assistant":
            waiting = {call["id"] for call in msg.get("tool_calls") or []}
    return None


def _check_tools(tools: Any) -> Error | None:
    if not isinstance(tools, list):
        return _bad("'tools' : value must be an array")
    for i, tool in enumerate(tools):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            return _bad(f"'tools.{i}' : must be {{'type': 'function', 'function': {{...}}}}")
        if not isinstance(fn.get("name"), str) or not fn["name"]:
            return _bad(f"'tools.{i}.function.name' : property 'name' is missing", "missing_parameter")
        if "parameters" in fn and not isinstance(fn["parameters"], dict):
            return _bad(f"'tools.{i}.function.parameters' : value must be an object")
    return None


def validate(body: Any) -> Error | None:
    """Return (status, error body) for an invalid request, or None when Groq would accept it."""
    if not isinstance(body, dict):
        return _bad("request body must be a JSON object", "invalid_json")
    unknown = sorted(set(body) - KNOWN_PARAMS)
    if unknown:
        return _bad(f"property '{unknown[0]}' is unsupported", "invalid_parameter")
    model = body.get("model")
    if not model:
        return _bad("'model' : property 'model' is missing", "missing_parameter")
    if model not in MODELS:
        return 404, error_body(
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _bad("'messages' : minimum number of items is 1", "invalid_parameter")
    call_ids: set[str] = set()
    for i, msg in enumerate(messages):
        err = _check_message(i, msg, call_ids)
        if err:
            return err
    err = _check_every_call_answered(messages)
    if err:
        return err
    if body.get("tools") is not None:
        err = _check_tools(body["tools"])
        if err:
            return err
    choice = body.get("tool_choice")
    if (
        choice is not None
        and choice not in ("auto", "none", "required")
        and not (isinstance(choice, dict) and isinstance((choice.get("function") or {}).get("name"), str))
    ):
        return _bad(
            "'tool_choice' : must be 'auto', 'none', 'required' or a named function", "invalid_parameter"
        )
    if choice is not None and choice != "none" and not body.get("tools"):
        return _bad("'tool_choice' is only allowed when 'tools' are specified", "invalid_parameter")
    if body.get("reasoning_format") is not None and body.get("include_reasoning") is not None:
        return _bad("reasoning_format and include_reasoning cannot both be set", "invalid_parameter")
    if body.get("reasoning_effort") is not None and body["reasoning_effort"] not in EFFORTS:
        return _bad(f"'reasoning_effort' : value must be one of {', '.join(EFFORTS)}", "invalid_parameter")
    for key in ("stream", "include_reasoning", "parallel_tool_calls"):
        if body.get(key) is not None and not isinstance(body[key], bool):
            return _bad(f"'{key}' : value must be a boolean", "invalid_parameter")
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65536
        ):
            return _bad(f"'{key}' : must be an integer between 1 and 65536", "invalid_parameter")
    if body.get("n") not in (None, 1):
        return _bad("'n' : only n=1 is supported", "invalid_parameter")
    return _number(body, "temperature", 0, 2) or _number(body, "top_p", 0, 1)
