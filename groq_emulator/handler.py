"""The request handler: Groq's chat-completions wire protocol over HTTP/1.1, SSE framing, fault injection."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .compose import compose
from .faults import DEFAULT_FAILED_GENERATION, Fault, Reply
from .protocol import MODELS, Completion, error_body, request_id, sse, status_error
from .validate import validate

if TYPE_CHECKING:
    from .server import EmulatorServer

CHAT_PATH = "/openai/v1/chat/completions"
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout, OSError)


class _ClientGone(Exception):
    """The client closed the connection while we were writing."""


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP server carrying a reference to its EmulatorServer."""

    daemon_threads = True
    emulator: EmulatorServer

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up (a stopped turn, a closed pool) is normal here, not worth a traceback."""
        if isinstance(sys.exc_info()[1], _GONE):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive for JSON, chunked transfer for SSE."""

    protocol_version = "HTTP/1.1"
    # Small SSE writes on a kept-alive connection must not wait for delayed ACKs (Nagle): ~40 ms per request.
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer
    timeout = 120

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.emulator.verbose:
            super().log_message(format, *args)

    @property
    def emu(self) -> EmulatorServer:
        return self.server.emulator

    def setup(self) -> None:
        super().setup()
        self.emu._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.emu._track(self.connection, False)

    # ---- plumbing -------------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _head(
        self,
        status: int,
        ctype: str,
        rid: str,
        extra: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Content-Length", str(length))
        self.send_header("x-request-id", rid)
        for key, value in {**self.emu._ratelimit_headers(), **(extra or {})}.items():
            self.send_header(key, value)
        self.end_headers()

    def _json(
        self, status: int, body: Any, rid: str | None = None, extra: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self._head(status, "application/json", rid or request_id(), extra, len(data))
        self.wfile.write(data)
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        try:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        except _GONE as exc:
            raise _ClientGone from exc

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.emu._stopping.wait(seconds)

    def _abort(self) -> None:
        """Close the socket abruptly, without finishing the response."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    # ---- routes ---------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        if self.path == "/_emulator/requests":
            self._json(200, self.emu.requests_snapshot())
        elif self.path in ("/_emulator/health", "/_emulator"):
            self._json(200, {"ok": True})
        elif self.path == "/openai/v1/models":
            self._json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "emulator", "active": True}
                        for m in MODELS
                    ],
                },
            )
        else:
            self._not_found()

    def do_POST(self) -> None:
        body = self._read_body()
        if self.path == CHAT_PATH:
            self._chat(body)
        elif self.path.startswith("/_emulator/"):
            self._control(self.path.removeprefix("/_emulator/"), body)
        else:
            self._not_found()

    def _not_found(self) -> None:
        self._json(
            404,
            error_body(
                f"Unknown request URL: {self.command} {self.path}. Please check the URL.",
                "invalid_request_error",
                "unknown_url",
            ),
        )

    def _control(self, action: str, raw: bytes) -> None:
        try:
            data = json.loads(raw or b"{}")
            items = data if isinstance(data, list) else [data]
            if action == "faults":
                for item in items:
                    self.emu.push_fault(Fault.from_dict(item))
            elif action == "replies":
                for item in items:
                    self.emu.push_reply(Reply.from_dict(item))
            elif action == "reset":
                self.emu.reset()
            else:
                self._not_found()
                return
        except (ValueError, TypeError) as exc:
            self._json(400, error_body(str(exc), "invalid_request_error", "invalid_control"))
            return
        self._json(200, {"ok": True})

    def _chat(self, raw: bytes) -> None:
        rid = request_id()
        try:
            body = json.loads(raw)
        except ValueError:
            self._json(
                400,
                error_body(
                    "Failed to parse the request body as JSON", "invalid_request_error", "invalid_json"
                ),
                rid,
            )
            return
        self.emu._record(body)
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            self._json(
                401,
                error_body(
                    "Missing API key. Pass it as 'Authorization: Bearer <key>'.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
                rid,
            )
            return
        if auth[7:].strip().startswith("invalid"):
            self._json(401, error_body("Invalid API Key", "invalid_request_error", "invalid_api_key"), rid)
            return
        error = validate(body)
        if error:
            self._json(error[0], error[1], rid)
            return
        fault = self.emu.script.next_fault()
        try:
            if fault and self._fault_response(fault, body, rid):
                return
            completion, split = compose(self.emu, body, rid)
            if body.get("stream"):
                self._stream(completion, split, body, fault)
            else:
                if fault and fault.kind in ("slow", "stall"):
                    self._sleep(fault.seconds)
                if fault and fault.kind == "break":
                    data = json.dumps(completion.response()).encode()
                    self._head(200, "application/json", rid, length=len(data))
                    self.wfile.write(data[: len(data) // 2])
                    self._abort()
                    return
                self._json(200, completion.response(), rid)
        except (_ClientGone, *_GONE):
            self.emu._count_disconnect()
            self.close_connection = True

    def _fault_response(self, fault: Fault, body: dict[str, Any], rid: str) -> bool:
        """Answer with a pure fault (status, tool_use_failed, drop, or a stall before anything). True if handled."""
        model = body["model"]
        if fault.kind == "status":
            assert fault.status is not None
            extra = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
            self._json(fault.status, status_error(fault.status, model, fault.code, fault.message), rid, extra)
            return True
        if fault.kind == "tool_use_failed":
            self._json(
                400,
                error_body(
                    fault.message
                    or "Failed to call a function. Please adjust your prompt. "
                    "See 'failed_generation' for more details.",
                    "invalid_request_error",
                    fault.code or "tool_use_failed",
                    failed_generation=fault.failed_generation or DEFAULT_FAILED_GENERATION,
                ),
                rid,
            )
            return True
        if fault.kind == "drop":
            self._abort()
            return True
        if fault.kind == "sse_error" and not body.get("stream"):
            self._json(500, status_error(500, model, fault.code, fault.message), rid)
            return True
        if fault.kind == "stall" and fault.after_chunks is None and body.get("stream"):
            self._sleep(fault.seconds)
        return False

    def _stream(self, completion: Completion, split: bool, body: dict[str, Any], fault: Fault | None) -> None:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = completion.chunks(split_arguments=split, include_usage=include_usage)
        delay = fault.seconds if fault and fault.kind == "slow" else self.emu.chunk_delay
        after = fault.after_chunks if fault and fault.after_chunks is not None else None
        self._head(200, "text/event-stream", completion.request_id)
        chunks = list(chunks)
        if fault and fault.kind == "cut" and after is None:
            after = len(chunks) - 1
        for n, chunk in enumerate(chunks):
            if fault and after is not None and n == after:
                if fault.kind == "break":
                    self._abort()
                    return
                if fault.kind == "sse_error":
                    self._chunk(
                        sse(
                            error_body(
                                fault.message or "Service Unavailable: the model stream failed",
                                "internal_server_error",
                                fault.code or "internal_server_error",
                            )
                        )
                    )
                    self._chunk(b"")
                    return
                if fault.kind == "stall":
                    self._sleep(fault.seconds)
                if fault.kind == "cut":
                    self._chunk(b"")  # a clean end of the body: no finish_reason, no [DONE]
                    return
            if n:
                self._sleep(delay)
            self._chunk(sse(chunk))
        if fault and fault.kind == "break":  # after_chunks beyond the stream: break before [DONE]
            self._abort()
            return
        self._chunk(sse("[DONE]"))
        self._chunk(b"")
