"""Server-sent events from raw bytes: the cheap half of reading a streamed completion.

The `groq` SDK builds a typed object for every chunk (~70 µs each); at hundreds of concurrent 500 tok/s streams
that is a process's whole CPU. `chat.turn.llm` lets the SDK do the request (auth, retries, error mapping) and
reads the body here: bytes → events → `json.loads` → plain dicts. No `groq` import, no Django.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from typing import Any

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
        batch = [payload for payload in decoder.feed(raw) if payload is DONE or isinstance(payload, dict)]
        if batch:
            yield batch
    tail = [payload for payload in decoder.close() if payload is DONE or isinstance(payload, dict)]
    if tail:
        yield tail


class SSEDecoder:
    """Feed it byte chunks as they arrive; it yields each complete event's decoded JSON (or DONE).

    Follows the SSE framing the SDK accepts: `data:` lines (several join with a newline), an optional `event:`,
    a blank line ends an event, `:` comments and other fields are ignored, CRLF or LF line ends."""

    __slots__ = ("_buffer", "_data", "_event")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[bytes] = []
        self._event = b""

    def feed(self, chunk: bytes) -> Iterator[Any]:
        buffer = self._buffer + chunk if self._buffer else chunk
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()  # an unfinished line waits for the next chunk
        for line in lines:
            if line[-1:] == b"\r":
                line = line[:-1]
            if not line:
                if self._data:
                    yield self._dispatch()
            elif line[:5] == b"data:":
                self._data.append(line[6:] if line[5:6] == b" " else line[5:])
            elif line[:6] == b"event:":
                self._event = line[6:].strip()

    def close(self) -> Iterator[Any]:
        """The body ended: an event without its blank line still counts (as the SDK's decoder does)."""
        if self._buffer:
            yield from self.feed(b"\n")
        if self._data:
            yield self._dispatch()

    def _dispatch(self) -> Any:
        data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        event, self._data, self._event = self._event, [], b""
        if data[:6] == b"[DONE]":
            return DONE
        payload = json.loads(data)
        if isinstance(payload, dict) and payload.get("error") and event in (b"", b"error"):
            error = payload["error"]
            message = error.get("message") if isinstance(error, dict) else None
            if not isinstance(message, str) or not message:
                message = "An error occurred during streaming"
            raise SSEError(message, error)
        return payload
