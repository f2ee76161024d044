"""Daphne on uvloop: `python -m core.serve` takes daphne's own arguments (Makefile, deploy/, the CI smoke test, the
load bench and the tests' live servers all start daphne this way).

Daphne makes its event loop when its server module is imported, from the current event loop policy. uvloop's loop
(libuv, in C) runs the same callbacks as asyncio's selector loop, with less CPU for every socket read and write,
timer and thread hand-over: at 25 + 25 streams, 14.0–16.6 ms of daphne's CPU a turn against 16.2–19.4 on asyncio's
loop (bench/RESULTS.md, thirteenth round). Where uvloop is not installed (it has no Windows build), daphne runs on
asyncio's loop as before.
"""

from __future__ import annotations

import asyncio


def use_uvloop() -> bool:
    """Make uvloop's the loop every new event loop comes from (before daphne is imported). False without uvloop."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def main() -> None:
    use_uvloop()
    from daphne.cli import CommandLineInterface

    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
