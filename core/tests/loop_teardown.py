"""Test-run diagnostics: when closing a test's event loop takes more than 10 s (its tasks do not finish once
cancelled), print which tasks are pending and where every thread is, so a hang in CI names its culprit instead of
ending as a bare pytest-timeout at teardown. Wraps asyncio's own task cancellation at loop close."""

from __future__ import annotations

import asyncio
import asyncio.runners
import sys
import threading
import traceback

SLOW_SECONDS = 10.0
_cancel_all_tasks = asyncio.runners._cancel_all_tasks


def _report(tasks: list[asyncio.Task]) -> None:
    out = ["", f"=== a test's event loop is still closing after {SLOW_SECONDS:.0f} s; pending tasks:"]
    for task in tasks:
        if not task.done():
            out.append(f"--- {task!r}")
            out += [
                "".join(traceback.format_stack(frame, limit=1)).rstrip() for frame in task.get_stack(limit=25)
            ]
    out.append("=== threads:")
    for ident, frame in sys._current_frames().items():
        out.append(f"--- thread {ident}\n" + "".join(traceback.format_stack(frame, limit=20)).rstrip())
    print("\n".join(out), file=sys.stderr, flush=True)


def _watched_cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    finished = threading.Event()
    threading.Thread(
        target=lambda: finished.wait(SLOW_SECONDS) or _report(tasks), name="loop-teardown-watch", daemon=True
    ).start()
    try:
        _cancel_all_tasks(loop)
    finally:
        finished.set()


asyncio.runners._cancel_all_tasks = _watched_cancel_all_tasks
