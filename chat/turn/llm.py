"""The Groq boundary: the only module that imports the `groq` SDK.

It owns the client (one `AsyncGroq` per event loop, i.e. one per daphne process), the request parameters,
the stream accumulation (tool-call deltas merged by index) and the translation of SDK errors into
`UpstreamError`s with a user-safe message. Nothing here knows about tasks or the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import groq
import httpx
from django.conf import settings

from chat.turn.calls import ARGUMENTS_CAP, TOOL_NAME_MAX, ToolCall, bounded_calls
from chat.turn.sse import DONE, sse_batches
from chat.turn.transport import ModelTransport, proxy_configured, ssl_context
from core.text import clean_text

logger = logging.getLogger(__name__)

OFFLINE_API_KEY = "offline-demo"  # the built-in emulator accepts any key
# After a reply's first text, the network hands its chunks over at most this often (chat.turn.network): the
# page and the event stream coalesce text to 40 ms frames anyway, and each hand-over wakes the whole read chain.
PACE_SECONDS = 0.03
DRAIN_SECONDS = 1.0  # how long the end of a body may trail its [DONE] (see _read_to_end)


# --- Errors ------------------------------------------------------------------------------------------------
class UpstreamError(Exception):
    """The model could not answer. `message` is safe to show; details go to the log only."""

    def __init__(self, code: str, message: str, http_status: int = 502):
        super().__init__(message)
        self.code, self.message, self.http_status = code, message, http_status


_BUSY = "The assistant is busy right now. Please try again in a minute."
_UNAVAILABLE = "The assistant is unavailable right now. Please try again shortly."


def translate_error(exc: BaseException) -> UpstreamError:
    """Map any SDK/transport failure to a stable code, an HTTP status for the API and a plain message."""
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, asyncio.TimeoutError | groq.APITimeoutError | httpx.TimeoutException):
        return UpstreamError(
            "upstream_timeout", "The assistant took too long to answer. Please try again.", 504
        )
    if isinstance(exc, groq.AuthenticationError | groq.PermissionDeniedError):
        return UpstreamError(
            "upstream_auth", "The assistant is not configured correctly. Please tell an admin.", 502
        )
    if isinstance(exc, groq.RateLimitError):
        return UpstreamError("upstream_rate_limited", _BUSY, 503)
    if isinstance(exc, groq.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error", body) if isinstance(body, dict) else {}
        code = error.get("code") if isinstance(error, dict) else None
        if code == "tool_use_failed":
            return UpstreamError(
                "tool_use_failed", "The assistant stumbled over an action. Please rephrase.", 502
            )
        if exc.status_code == 413:
            return UpstreamError(
                "upstream_too_large", "This conversation is too long for the assistant.", 502
            )
        if exc.status_code == 498 or exc.status_code >= 500:
            return UpstreamError("upstream_unavailable", _UNAVAILABLE, 503)
        return UpstreamError("upstream_error", _UNAVAILABLE, 502)
    if isinstance(exc, groq.APIConnectionError | httpx.ConnectError):
        return UpstreamError("upstream_unreachable", _UNAVAILABLE, 503)
    # An SSE error event (APIError), a stream cut midway (httpx protocol errors) or bad data.
    return UpstreamError("upstream_error", "The assistant's answer was cut off. Please try again.", 502)


# --- Client ------------------------------------------------------------------------------------------------
_Clients = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, groq.AsyncGroq]]
_clients: _Clients = weakref.WeakKeyDictionary()
_emulator_lock = threading.Lock()
_emulator: Any = None


def is_offline_demo() -> bool:
    return not settings.GROQ_API_KEY


def _offline_base_url() -> str:
    """Start the built-in Groq-wire emulator once per process (a daemon thread on a loopback port)."""
    global _emulator
    with _emulator_lock:
        if _emulator is None:
            from groq_emulator import EmulatorServer

            _emulator = EmulatorServer(host="127.0.0.1", port=0, chunk_delay=0.02).start()
            logger.info("No GROQ_API_KEY: the offline demo assistant answers at %s", _emulator.base_url)
        return _emulator.base_url


def _connection() -> tuple[str, str]:
    """(base_url, api_key): Groq's own, a configured Groq-wire server, or the built-in emulator."""
    if settings.GROQ_BASE_URL:
        return settings.GROQ_BASE_URL, settings.GROQ_API_KEY or OFFLINE_API_KEY
    if settings.GROQ_API_KEY:
        return "https://api.groq.com", settings.GROQ_API_KEY
    return _offline_base_url(), OFFLINE_API_KEY


def warm_up() -> None:
    """What a process's first model request would otherwise pay for (~45 ms): the SDK's chat resources and anyio's
    asyncio backend (httpcore2's pool locks), imported on first use, and the TLS context. No network, no database."""
    import groq.resources.chat.completions  # noqa: F401

    with contextlib.suppress(ImportError):  # anyio's own module name: if it moves, the first request loads it
        importlib.import_module("anyio._backends._asyncio")
    if not proxy_configured():
        ssl_context()


def get_client() -> groq.AsyncGroq:
    """One client per event loop and configuration, so connections are reused across turns."""
    base_url, api_key = _connection()
    key = (base_url, api_key, settings.AGENT_TIMEOUT, settings.GROQ_MAX_RETRIES)
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    if key not in per_loop:
        # The SDK's own client and defaults, over a cheaper network layer (chat.turn.transport) unless a proxy
        # is configured, which only httpx's default transport honours.
        http = None if proxy_configured() else groq.DefaultAsyncHttpxClient(transport=ModelTransport())
        per_loop[key] = groq.AsyncGroq(
            api_key=api_key,
            base_url=base_url,
            timeout=httpx.Timeout(settings.AGENT_TIMEOUT, connect=5.0),
            max_retries=settings.GROQ_MAX_RETRIES,
            http_client=http,
        )
    return per_loop[key]


# --- Requests ----------------------------------------------------------------------------------------------
def request_params(messages: list[dict], *, tools: list[dict] | None, allow_tools: bool = True) -> dict:
    """The exact parameters of one streamed chat completion. No user identity is ever part of it."""
    params: dict[str, Any] = {
        "model": settings.GROQ_MODEL,
        "messages": messages,
        "temperature": settings.GROQ_TEMPERATURE,
        "top_p": settings.GROQ_TOP_P,
        "max_completion_tokens": settings.GROQ_MAX_TOKENS,
        "stream": True,
    }
    if settings.GROQ_MODEL.startswith("openai/gpt-oss"):
        params["reasoning_effort"] = settings.GROQ_REASONING_EFFORT
    if tools:
        params["tools"] = tools
        params["tool_choice"] = "auto" if allow_tools else "none"
    return params


# --- Streaming ---------------------------------------------------------------------------------------------
@dataclass
class Delta:
    """One piece of a streamed answer: text and/or reasoning."""

    content: str = ""
    reasoning: str = ""


@dataclass
class Completion:
    """What one streamed request produced once it ended."""

    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None  # None: the stream ended without saying why (cut off)
    usage: dict = field(default_factory=dict)


class StreamAccumulator:
    """Merges decoded chunks (plain dicts, as chat.turn.sse decoded them) into a Completion.

    Tool-call pieces are merged by `index`; arguments are parsed later. Anything of the wrong type from
    upstream counts as absent rather than failing the turn."""

    __slots__ = ("result", "_calls")

    def __init__(self) -> None:
        self.result = Completion()
        self._calls: dict[int, dict] = {}

    def feed(self, chunk: dict) -> Delta:
        x_groq = chunk.get("x_groq")
        if x_groq and isinstance(x_groq, dict) and x_groq.get("usage"):
            self.result.usage = _usage_dict(x_groq["usage"])
        if chunk.get("usage"):
            self.result.usage = _usage_dict(chunk["usage"])
        choices = chunk.get("choices")
        if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
            return Delta()
        choice = choices[0]
        if choice.get("finish_reason"):
            self.result.finish_reason = str(choice["finish_reason"])
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            return Delta()
        out = Delta(content=_text(delta.get("content")), reasoning=_text(delta.get("reasoning")))
        self.result.content += out.content
        self.result.reasoning += out.reasoning
        pieces = delta.get("tool_calls")
        if pieces and isinstance(pieces, list):
            self._merge_calls(pieces)
        return out

    def _merge_calls(self, pieces: list) -> None:
        for piece in pieces:
            if not isinstance(piece, dict):
                continue
            index = piece.get("index")
            call = self._calls.setdefault(
                index if isinstance(index, int) else 0, {"id": "", "name": "", "arguments": ""}
            )
            if piece.get("id"):
                call["id"] = _text(piece["id"])
            function = piece.get("function")
            if isinstance(function, dict):
                # Bounded while accumulating: a model streaming megabytes of arguments costs no memory.
                call["name"] = (call["name"] + _text(function.get("name")))[: TOOL_NAME_MAX + 1]
                call["arguments"] = (call["arguments"] + _text(function.get("arguments")))[
                    : ARGUMENTS_CAP + 1
                ]

    def finish(self) -> Completion:
        self.result.tool_calls = bounded_calls(self._calls[i] for i in sorted(self._calls))
        return self.result


def _text(value: Any) -> str:
    return clean_text(value) if value and isinstance(value, str) else ""


def _usage_dict(usage: Any) -> dict:
    data = usage.model_dump() if hasattr(usage, "model_dump") else dict(usage)
    details, cached = data.get("completion_tokens_details"), data.get("prompt_tokens_details")
    return {
        "prompt_tokens": data.get("prompt_tokens"),
        "completion_tokens": data.get("completion_tokens"),
        "reasoning_tokens": details.get("reasoning_tokens") if isinstance(details, dict) else None,
        "cached_tokens": cached.get("cached_tokens") if isinstance(cached, dict) else None,
        "timings": {
            k: data[k]
            for k in ("queue_time", "prompt_time", "completion_time", "total_time")
            if data.get(k) is not None
        },
    }


async def _read_to_end(batches: AsyncIterator[list]) -> None:
    """After `[DONE]`, read the body's last bytes (its terminating chunk, right behind): a response read to its end
    leaves its connection in the pool for the next request, where one closed early costs a new TCP and TLS
    handshake on the next turn. Bounded: a server holding the stream open only loses the connection."""
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in batches:
                pass
    except Exception:  # noqa: BLE001, S110 - the reply is complete; the connection is then closed, not reused
        pass


class ModelStream:
    """An open streamed completion: iterate for Deltas, then read `.completion`; `close()` ends it upstream.

    The SDK makes the request (auth, retries, status errors) through `with_streaming_response`, which hands
    back the raw body instead of a typed object per chunk; `chat.turn.sse` decodes it (orjson)."""

    def __init__(self, params: dict):
        self.params = params
        self._context: Any = None
        self._response: Any = None
        self._acc = StreamAccumulator()

    async def open(self) -> ModelStream:
        # The body goes as `extra_body`, JSON we built ourselves (request_params): the SDK's typed transform walks
        # every message and tool schema on each request (~1.4 ms for our seven tools, against ~0.1 ms here).
        # The SDK still makes the request: URL, auth, retries, timeouts and the error mapping are its own.
        body = dict(self.params)
        typed = {"model": body.pop("model"), "messages": [], "stream": body.pop("stream", True)}
        try:
            self._context = get_client().chat.completions.with_streaming_response.create(
                **typed, extra_body=body
            )
            self._response = await self._context.__aenter__()
        except BaseException as exc:
            self._context = None
            raise self._fail(exc) from exc
        return self

    async def __aiter__(self) -> AsyncIterator[Delta]:
        feed = self._acc.feed
        paced = False
        batches = sse_batches(self._response.iter_bytes())
        try:
            async for batch in batches:
                for chunk in batch:
                    if chunk is DONE:
                        await _read_to_end(batches)
                        return
                    delta = feed(chunk)
                    if delta.content or delta.reasoning:
                        yield delta
                        if delta.content and not paced:  # the first text went out at once; the rest is paced
                            paced = True
                            self._pace()
        except (asyncio.CancelledError, GeneratorExit):
            raise
        except BaseException as exc:
            raise self._fail(exc) from exc

    def _pace(self) -> None:
        network = self._response.http_response.extensions.get("network_stream")
        if hasattr(network, "set_pace"):  # chat.turn.network's (not httpx's own transport, behind a proxy)
            network.set_pace(PACE_SECONDS)

    @property
    def completion(self) -> Completion:
        return self._acc.finish()

    async def close(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                await context.__aexit__(None, None, None)
            except Exception:  # closing a broken stream may itself fail; nothing left to do
                logger.debug("closing the model stream failed", exc_info=True)

    @staticmethod
    def _fail(exc: BaseException) -> BaseException:
        if isinstance(exc, asyncio.CancelledError | UpstreamError):
            return exc
        error = translate_error(exc)  # an SSEError maps as the SDK's mid-stream APIError did
        # The SDK's messages carry status and body, never the API key.
        logger.warning("Groq request failed: %s (%s: %s)", error.code, type(exc).__name__, exc)
        return error
