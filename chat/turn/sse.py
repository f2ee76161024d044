"""Server-sent events from raw bytes: the cheap half of reading a streamed completion.

The `groq` SDK builds a typed object for every chunk (~70 µs each); at hundreds of concurrent 500 tok/s streams
that is a process's whole CPU. `chat.turn.llm` lets the SDK do the request (auth, retries, error mapping) and
reads the body here: bytes → events → orjson (json where orjson refuses) → plain dicts. No `groq` import, no
Django.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import orjson

DONE = object()  # the `data: [DONE]` sentinel


class SSEError(Exception):
    """An `error` object inside the stream (Groq's mid-stream failure): `body` is the error's payload."""

    def __init__(self, message: str, body: Any):
        super().__init__(message)
        self.body = body


async def sse_batches(body: AsyncIterable[bytes]) -> AsyncIterator[list]:
    """One list of decoded chunks (dicts, or DONE) per network read: one async hop per read, not per chunk."""
    decoder = SSEDecoder()
    async for raw in body:
        batch = decoder.feed(raw)
        if batch:
            yield batch
        decoder.raise_pending()  # an error event after the batch's chunks: raised once they are handled
    tail = decoder.close()
    if tail:
        yield tail


class SSEDecoder:
    """Feed it byte chunks as they arrive; it returns the decoded JSON objects (or DONE) of the events completed.

    Follows the SSE framing the SDK accepts: `data:` lines (several join with a newline), an optional `event:`,
    a blank line ends an event, `:` comments and other fields are ignored, LF or CRLF line ends (a bare CR as a
    line end, which Groq never sends, is not supported). Payloads other than JSON objects are skipped. The common
    case, one `data: {...}` line per event, costs a split and a `json.loads`."""

    __slots__ = ("_buffer", "_error")

    def __init__(self) -> None:
        self._buffer = b""
        self._error: SSEError | None = None

    def raise_pending(self) -> None:
        """An error event that followed other events in one read: those were returned first; raise it now."""
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def feed(self, chunk: bytes) -> list:
        """The events completed by `chunk`. An error event raises SSEError; when events came before it in the same
        read, they are returned and the error waits for `raise_pending` (the stream ends there)."""
        self.raise_pending()
        if self._buffer:
            chunk = self._buffer + chunk
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n")  # a CRLF cut between reads is whole again here
        events = chunk.split(b"\n\n")
        self._buffer = events.pop()  # an unfinished event waits for the next read
        out: list = []
        try:
            for event in events:
                if event[:6] == b"data: " and b"\n" not in event:
                    _add(out, event[6:], b"")
                elif event:
                    _add_event(out, event)
        except SSEError as exc:
            if not out:
                raise
            self._error, self._buffer = exc, b""
        return out

    def close(self) -> list:
        """The body ended: an event without its blank line still counts (as the SDK's decoder does)."""
        self.raise_pending()
        rest, self._buffer = self._buffer, b""
        out: list = []
        if rest.strip():
            _add_event(out, rest.rstrip(b"\r\n"))
        return out


def _add_event(out: list, event: bytes) -> None:
    data, name = [], b""
    for line in event.split(b"\n"):
        if line[:5] == b"data:":
            data.append(line[6:] if line[5:6] == b" " else line[5:])
        elif line[:6] == b"event:":
            name = line[6:].strip()
    if data:
        _add(out, data[0] if len(data) == 1 else b"\n".join(data), name)


def _add(out: list, data: bytes, event: bytes) -> None:
    if data[:6] == b"[DONE]":
        out.append(DONE)
        return
    payload = _loads(data)
    if type(payload) is not dict:
        return
    if payload.get("error") and event in (b"", b"error"):
        error = payload["error"]
        message = error.get("message") if isinstance(error, dict) else None
        if not isinstance(message, str) or not message:
            message = "An error occurred during streaming"
        raise SSEError(message, error)
    out.append(payload)


def _loads(data: bytes) -> Any:
    """orjson: a chunk's JSON in ~1 µs against ~6 µs for json (bench/chunk_cost.py). What it refuses goes to json,
    which takes some of it (NaN, lone surrogates, which clean_text replaces later) or raises as before. One
    difference is left: an integer beyond 64 bits comes as a float (usage counts go through int() anyway)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
