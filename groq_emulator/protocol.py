"""Groq chat-completion wire shapes: ids, error bodies, usage, full responses and stream chunks."""

from __future__ import annotations

import json
import math
import re
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

from .faults import Reply, ToolCall

REASONING_MODELS = ("openai/gpt-oss-120b", "openai/gpt-oss-20b")
MODELS = (*REASONING_MODELS, "llama-3.3-70b-versatile")
FINGERPRINT = "fp_emulator01"
_ALNUM = string.ascii_lowercase + string.digits


def _rand(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def request_id() -> str:
    return "req_" + _rand(26)


def completion_id() -> str:
    return "chatcmpl-" + _rand(24)


def call_id() -> str:
    return "call_" + _rand(24)


def estimate_tokens(text: str) -> int:
    """Rough token count: a quarter of the characters, at least one for non-empty text."""
    return math.ceil(len(text) / 4) if text else 0


def error_body(
    message: str, type_: str = "invalid_request_error", code: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "code": code, **extra}}


_STATUS_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("Bad request", "invalid_request_error", "bad_request"),
    401: ("Invalid API Key", "invalid_request_error", "invalid_api_key"),
    403: ("Permission denied", "permission_error", "permission_denied"),
    404: ("Not found", "invalid_request_error", "not_found"),
    413: (
        "Request too large for model `{model}` on tokens per minute (TPM): Limit 8000, Requested 9120, "
        "please reduce your message size and try again.",
        "tokens",
        "rate_limit_exceeded",
    ),
    422: ("Unprocessable entity", "invalid_request_error", "unprocessable_entity"),
    429: (
        "Rate limit reached for model `{model}` on requests per minute (RPM): Limit 30, Used 30, "
        "Requested 1. Please try again later.",
        "requests",
        "rate_limit_exceeded",
    ),
    498: (
        "Flex tier capacity exceeded. This is a temporary state; please try again.",
        "capacity_exceeded",
        "flex_tier_capacity_exceeded",
    ),
    500: ("Internal Server Error", "internal_server_error", "internal_server_error"),
    502: ("Bad Gateway", "internal_server_error", "bad_gateway"),
    503: ("Service Unavailable", "internal_server_error", "service_unavailable"),
}


def status_error(
    status: int, model: str, code: str | None = None, message: str | None = None
) -> dict[str, Any]:
    """The Groq error body for an injected status fault."""
    default = _STATUS_ERRORS.get(status, ("Upstream error", "internal_server_error", "upstream_error"))
    return error_body(message or default[0].format(model=model), default[1], code or default[2])


def completion_text(reply: Reply) -> str:
    return reply.reasoning + reply.content + "".join(tc.name + tc.arguments_json for tc in reply.tool_calls)


def truncate(reply: Reply, max_tokens: int | None) -> tuple[Reply, bool]:
    """Cut the reply to `max_tokens` (reasoning first, then content; tool calls only if whole)."""
    if not max_tokens or estimate_tokens(completion_text(reply)) <= max_tokens:
        return reply, False
    budget = max_tokens * 4
    reasoning = reply.reasoning[:budget]
    budget -= len(reasoning)
    content = reply.content[:budget]
    budget -= len(content)
    calls: list[ToolCall] = []
    for tc in reply.tool_calls:
        size = len(tc.name + tc.arguments_json)
        if size > budget:
            break
        calls.append(tc)
        budget -= size
    return Reply(content=content, reasoning=reasoning, tool_calls=calls), True


@dataclass
class Completion:
    """Everything needed to render one answer, streamed or not."""

    model: str
    reply: Reply
    finish_reason: str
    prompt_tokens: int
    request_id: str
    include_reasoning: bool = True
    cached_tokens: int = 0  # of prompt_tokens: the prefix an earlier request sent (prompt caching)
    id: str = field(default_factory=completion_id)
    created: int = field(default_factory=lambda: int(time.time()))

    def __post_init__(self) -> None:
        for tc in self.reply.tool_calls:
            if not tc.id:
                tc.id = call_id()

    @property
    def show_reasoning(self) -> bool:
        return self.include_reasoning and bool(self.reply.reasoning)

    def usage(self) -> dict[str, Any]:
        completion = estimate_tokens(completion_text(self.reply))
        prompt_time = round(self.prompt_tokens / 20000 + 0.002, 6)
        completion_time = round(completion / 500, 6)
        queue_time = 0.0123
        return {
            "queue_time": queue_time,
            "prompt_tokens": self.prompt_tokens,
            "prompt_time": prompt_time,
            "completion_tokens": completion,
            "completion_time": completion_time,
            "total_tokens": self.prompt_tokens + completion,
            "total_time": round(prompt_time + completion_time, 6),
            "completion_tokens_details": {"reasoning_tokens": estimate_tokens(self.reply.reasoning)},
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens},
        }

    def _tool_calls(self) -> list[dict[str, Any]]:
        return [
            {"id": tc.id, "type": "function", "function": {"name": tc.name, "arguments": tc.arguments_json}}
            for tc in self.reply.tool_calls
        ]

    def response(self) -> dict[str, Any]:
        """The non-streaming chat.completion body."""
        message: dict[str, Any] = {"role": "assistant", "content": self.reply.content}
        if self.show_reasoning:
            message["reasoning"] = self.reply.reasoning
        if self.reply.tool_calls:
            message["tool_calls"] = self._tool_calls()
            message["content"] = self.reply.content or None
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": self.finish_reason}
            ],
            "usage": self.usage(),
            "usage_breakdown": None,
            "system_fingerprint": FINGERPRINT,
            "x_groq": {"id": self.request_id},
        }

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": FINGERPRINT,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    def chunks(self, split_arguments: bool = False, include_usage: bool = False) -> list[dict[str, Any]]:
        """The stream: role chunk, reasoning, content, tool calls, final chunk with usage ([DONE] not included)."""
        first = self._chunk({"role": "assistant", "content": ""})
        first["x_groq"] = {"id": self.request_id}
        out = [first]
        if self.show_reasoning:
            out += [self._chunk({"reasoning": piece}) for piece in pieces(self.reply.reasoning, 3)]
        out += [self._chunk({"content": piece}) for piece in pieces(self.reply.content, 2)]
        for index, tc in enumerate(self.reply.tool_calls):
            args = tc.arguments_json
            parts = split_text(args, 4) if split_arguments else [args]
            head = {
                "index": index,
                "id": tc.id,
                "type": "function",
                "function": {"name": tc.name, "arguments": parts[0]},
            }
            out.append(self._chunk({"tool_calls": [head]}))
            out += [
                self._chunk({"tool_calls": [{"index": index, "function": {"arguments": p}}]})
                for p in parts[1:]
            ]
        last = self._chunk({}, self.finish_reason)
        last["x_groq"] = {"id": self.request_id, "usage": self.usage()}
        if include_usage:
            last["usage"] = self.usage()
        out.append(last)
        return out


def pieces(text: str, words: int) -> list[str]:
    """Split text into runs of `words` words (whitespace kept), so joining them gives back the text."""
    tokens = re.findall(r"\s*\S+", text)
    tail = text[len("".join(tokens)) :]
    if tail:
        tokens.append(tail)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


def split_text(text: str, n: int) -> list[str]:
    """Split a string into about n non-empty pieces."""
    if len(text) < 2:
        return [text]
    size = max(1, math.ceil(len(text) / n))
    return [text[i : i + size] for i in range(0, len(text), size)]


def sse(data: dict[str, Any] | str) -> bytes:
    """One server-sent event line pair."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return f"data: {payload}\n\n".encode()
    except UnicodeEncodeError:  # a lone surrogate (a hostile reply): JSON can carry it escaped, as "\ud800"
        return f"data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
