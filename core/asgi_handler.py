"""Django's HTTP side under daphne: one thread hop per request instead of a dozen, on a thread that is reused.

Django's own ASGI handler builds an asynchronous middleware chain. Our views are synchronous (DRF, pages) and so
are most of the middleware: Django's MiddlewareMixin runs each `process_request`, `process_view` and
`process_response` in the request's thread through `sync_to_async`, and WhiteNoise (sync only) calls back into the
event loop through `async_to_sync`. A chat request crossed between the loop and its thread about a dozen times
before its view ran, each crossing waiting for a turn of a loop that is busy streaming other replies.

Here the chain is built synchronous, as under WSGI, and entered once through `sync_to_async` (the request's own
thread, as Django's handler does for sync views). Everything else is Django's ASGIHandler: reading the body,
signals, streaming the response (an async iterator, such as the chat's server-sent events, stays on the loop).

The request's own thread: Django enters a fresh `ThreadSensitiveContext` per request, i.e. a new thread, so every
request also opened a new database connection (on SQLite: a connect, its PRAGMAs and function registrations,
~1 ms; its CONN_MAX_AGE never applied). Here each request still gets a thread of its own for as long as it runs,
taken from a pool of idle single-thread executors and given back afterwards (asgiref's ThreadSensitiveContext
with a caller-owned executor), so a thread and its connection serve request after request, as under a WSGI
server's thread pool. On PostgreSQL the connection still goes back to psycopg's pool after each request.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections

# Idle request threads kept for reuse; more run at once when needed (then end). A streamed chat reply holds its
# thread to its end, so a burst of N concurrent REST chats needs N threads: with 32 kept, a burst of 50 opened 18 new
# threads and SQLite connections each time (~4% of daphne's CPU at 50+50 streams). An idle thread costs its stack
# and, on SQLite, its connection's page cache (what it has read, at most SQLite's 2 MB default).
IDLE_THREADS_KEPT = 64


class RequestThreads:
    """Single-thread executors for requests: reused while idle, at most `keep` of them kept."""

    def __init__(self, keep: int = IDLE_THREADS_KEPT) -> None:
        self._keep = keep
        self._idle: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()

    def take(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self._keep:
                self._idle.append(executor)
                return
        executor.shutdown(wait=False)

    @property
    def idle(self) -> int:
        return len(self._idle)


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.threads = RequestThreads()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # A request cut short (the client went away) never sends request_finished: its thread would keep a
            # pooled PostgreSQL connection while it waits idle for the next request.
            await asyncio.get_running_loop().run_in_executor(executor, close_old_connections)
            self.threads.give_back(executor)
