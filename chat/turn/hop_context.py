"""Which thread runs a turn's first database hop.

A turn's hops run through channels' database_sync_to_async, on the process's database thread — except when the
turn is started by an HTTP request, which has a thread of its own (core.asgi_handler, Django's per-request
thread-sensitive context): its hop would run there. On SQLite that made two writer threads fight for the file's
write lock, whose busy retries sleep (1, 2, 5 … 100 ms): under load the REST turns' first hop took 66 ms at the
median and 445 ms at p90, against 9 ms for the websocket turns' on the database thread. PostgreSQL has no such
lock, and there the request's thread already holds a pooled connection, so its hop stays there.
"""

from __future__ import annotations

import contextvars

from asgiref.sync import SyncToAsync
from django.db import connection


def hop_context() -> contextvars.Context | None:
    """For `asyncio.create_task(hop, context=...)`: a bare context (so the hop goes to the process's database
    thread) when the caller is a request with its own thread on SQLite, else None (the caller's context, as usual:
    a sync caller on the database thread itself must keep running its hops, or it would wait for itself)."""
    if connection.vendor != "sqlite" or SyncToAsync.thread_sensitive_context.get(None) is None:
        return None
    return contextvars.Context()
