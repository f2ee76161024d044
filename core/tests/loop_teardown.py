"""Test-run diagnostics: closing a test's event loop cancels its leftover tasks and waits for them (asyncio's own
`_cancel_all_tasks`). Here that wait is bounded: after GIVE_UP_SECONDS the tasks still pending and every thread's
stack are printed, and the loop closes without them. So a task that will not finish when cancelled (seen rarely in
CI on Redis, at a consumer test's teardown, after all its assertions had passed) names itself instead of ending
the run as a bare pytest-timeout."""

from __future__ import annotations

import asyncio
import asyncio.runners
import sys
import traceback

GIVE_UP_SECONDS = 15.0


def _report(tasks: set[asyncio.Task]) -> None:
    out = [
        "",
        f"=== a test's event loop: {len(tasks)} task(s) still running {GIVE_UP_SECONDS:.0f} s after cancel:",
    ]
    for task in tasks:
        out.append(f"--- {task!r}")
        out += [
            "".join(traceback.format_stack(frame, limit=1)).rstrip() for frame in task.get_stack(limit=25)
        ]
    out.append("=== threads:")
    for ident, frame in sys._current_frames().items():
        out.append(f"--- thread {ident}\n" + "".join(traceback.format_stack(frame, limit=20)).rstrip())
    print("\n".join(out), file=sys.stderr, flush=True)


def _bounded_cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    done, pending = loop.run_until_complete(asyncio.wait(tasks, timeout=GIVE_UP_SECONDS))
    if pending:
        _report(pending)
    for task in done:  # as asyncio's own: an error raised while cancelling still reaches the loop's handler
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during loop close",
                    "exception": task.exception(),
                    "task": task,
                }
            )


asyncio.runners._cancel_all_tasks = _bounded_cancel_all_tasks
