"""The event loop a synchronous thread does its work for."""

from __future__ import annotations

import asyncio
import os

from asgiref.sync import SyncToAsync


def serving_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop this thread works for (sync_to_async sets it, as async_to_sync reads it): under daphne, a
    request's thread or a database hop's. None elsewhere (a management command, Django's test client)."""
    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is None or getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop if loop.is_running() else None
