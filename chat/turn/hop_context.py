"""Which threads run a turn's database hops.

A turn's hops run through channels' database_sync_to_async, on the process's database thread — except when the
turn is started by an HTTP request, which has a thread of its own (core.asgi_handler, Django's per-request
thread-sensitive context): its hop would run there. On SQLite that made two writer threads fight for the file's
write lock, whose busy retries sleep (1, 2, 5 … 100 ms): under load the REST turns' first hop took 66 ms at the
median and 445 ms at p90, against 9 ms for the websocket turns' on the database thread. PostgreSQL has no such
lock, and there the request's thread already holds a pooled connection, so its hop runs right there
(chat.turn.start.start_turn_from_thread).

The later hops (a tool round, the answer or the interruption, the end) are mostly waits for PostgreSQL: its round
trips and commits. On the one database thread every turn's answer queued behind the others', so when many
replies end together the last waited for all of them. On PostgreSQL they run on a small pool of threads instead
(CHAT_TURN_HOP_THREADS), their waits overlapping: at 50 + 50 streams × pace p50 went from 2.44 to 1.95, at 100 +
100 from 4.67 to 2.97 (bench/RESULTS.md, sixteenth round). SQLite keeps the one thread (its single writer).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection

_executors: dict[int, ThreadPoolExecutor] = {}  # by size: one pool per process
_executors_lock = threading.Lock()


def hop_context() -> contextvars.Context | None:
    """For `asyncio.create_task(hop, context=...)`: a bare context (so the hop goes to the process's database
    thread) when the caller is a request with its own thread on SQLite, else None (the caller's context, as usual:
    a sync caller on the database thread itself must keep running its hops, or it would wait for itself)."""
    if connection.vendor != "sqlite" or SyncToAsync.thread_sensitive_context.get(None) is None:
        return None
    return contextvars.Context()


def later_hop(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """`fn` as a turn's hop after its first: on the pool of CHAT_TURN_HOP_THREADS threads on PostgreSQL, on the
    database thread on SQLite (or with CHAT_TURN_HOP_THREADS=0)."""
    size = settings.CHAT_TURN_HOP_THREADS
    if connection.vendor == "sqlite" or size <= 0:
        return database_sync_to_async(fn)
    return _PooledHop(fn, thread_sensitive=False, executor=_executor(size))


class _PooledHop(SyncToAsync):
    """A hop on the pool: stale connections closed before and after it, as channels' database_sync_to_async does,
    but always. Channels' test communicators turn that close off (for hops sharing a thread with the test); a pool
    thread never does, and a connection it kept open would stop PostgreSQL from dropping the test database."""

    def thread_handler(self, loop, *args, **kwargs):
        close_old_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            close_old_connections()


def _executor(size: int) -> ThreadPoolExecutor:
    with _executors_lock:
        if size not in _executors:
            _executors[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="turn-hop")
        return _executors[size]
