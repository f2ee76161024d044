"""EmulatorServer: starts/stops the threaded HTTP server and holds the shared state (requests, script, limits)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from .faults import Fault, Reply, Script
from .handler import EmulatorHTTPServer, Handler
from .prompt_cache import PromptCache


class EmulatorServer:
    """A local Groq-compatible server for demo mode and tests; see the package docstring."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, chunk_delay: float = 0.0, verbose: bool = False
    ) -> None:
        self.host, self.port, self.chunk_delay, self.verbose = host, port, chunk_delay, verbose
        self.requests: list[dict[str, Any]] = []
        self.disconnects = 0  # streams/responses the client abandoned mid-way (e.g. "stop generating")
        self.script = Script()
        self.prompt_cache = PromptCache()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._httpd: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._window = (time.monotonic(), 0, 0)  # (start, requests, tokens) of the current minute

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmulatorServer:
        """Bind and serve in a daemon thread; returns self."""
        self._stopping.clear()
        self._httpd = EmulatorHTTPServer((self.host, self.port), Handler)
        self._httpd.emulator = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"groq-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Block the calling thread while serving (used by the CLI); starts the server if needed."""
        if self._httpd is None:
            self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and close open connections."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def push_fault(self, fault: Fault) -> None:
        self.script.push_fault(fault)

    def push_reply(self, reply: Reply) -> None:
        self.script.push_reply(reply)

    def reset(self) -> None:
        """Clear faults, scripted replies and recorded requests."""
        self.script.reset()
        self.prompt_cache.reset()
        with self._lock:
            self.requests.clear()
            self.disconnects = 0

    def requests_snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    # ---- internal helpers used by the handler ----------------------------------------------------------
    def _record(self, body: Any) -> None:
        with self._lock:
            self.requests.append(body)
            start, count, tokens = self._window
            if time.monotonic() - start >= 60:
                start, count, tokens = time.monotonic(), 0, 0
            self._window = (start, count + 1, tokens)

    def _spend(self, tokens: int) -> None:
        with self._lock:
            start, count, used = self._window
            self._window = (start, count, used + tokens)

    def _count_disconnect(self) -> None:
        with self._lock:
            self.disconnects += 1

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def _ratelimit_headers(self) -> dict[str, str]:
        with self._lock:
            start, count, tokens = self._window
        reset = max(0.0, 60 - (time.monotonic() - start))
        return {
            "x-ratelimit-limit-requests": "1000",
            "x-ratelimit-limit-tokens": "250000",
            "x-ratelimit-remaining-requests": str(max(0, 1000 - count)),
            "x-ratelimit-remaining-tokens": str(max(0, 250000 - tokens)),
            "x-ratelimit-reset-requests": f"{reset:.2f}s",
            "x-ratelimit-reset-tokens": f"{min(reset, 7.66):.2f}s",
        }
