"""2,000 websockets opened, then closed at once, on one daphne over Redis: no errors, no stale group entries.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/mass_disconnect.py [--sockets 2000]

Uses bench/load.py's setup (its own daphne, real logins) on the stores the environment names (REDIS_URL is
required: the point is the Redis channel layer's pool). Opens the sockets in waves, checks every socket joined its
user's group, closes them all at once, then checks that the groups are empty and that daphne logged no error.
The small version (200 sockets through a 4-connection pool) is chat/web/tests/test_mass_disconnect.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import redis.asyncio as aioredis
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Bench, machine  # noqa: E402


async def run(bench: Bench, count: int, wave: int) -> int:
    url = bench.base.replace("http", "ws", 1) + "/ws/chat/"
    r = aioredis.from_url(os.environ["REDIS_URL"])
    keys = [f"asgi:group:user.{pk}" for pk in bench.user_ids]
    await r.delete(*keys)  # the bench users' groups: leftovers of an earlier, interrupted run
    start = time.monotonic()
    sockets = []
    for first in range(0, count, wave):
        sockets += await asyncio.gather(
            *(
                websockets.connect(
                    url,
                    additional_headers={"Cookie": bench.cookies[i % len(bench.cookies)]},
                    origin=bench.base,
                )
                for i in range(first, min(count, first + wave))
            )
        )
    opened = time.monotonic() - start
    for _ in range(200):
        joined = sum([await r.zcard(k) for k in keys])
        if joined >= count:
            break
        await asyncio.sleep(0.1)
    print(f"opened {len(sockets)} sockets in {opened:.1f} s; {joined} group entries for them")
    start = time.monotonic()
    await asyncio.gather(*(s.close() for s in sockets))
    for _ in range(300):
        stale = sum([await r.zcard(k) for k in keys])
        if stale == 0:
            break
        await asyncio.sleep(0.1)
    print(f"closed them at once; groups empty after {time.monotonic() - start:.1f} s; stale entries: {stale}")
    await r.aclose()
    return stale + (count - joined if joined < count else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--wave", type=int, default=200)
    parser.add_argument("--users", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is required (and DATABASE_URL, for a shared database)")
    print(f"bench/mass_disconnect.py on {machine()}")
    bench = Bench(
        argparse.Namespace(
            users=args.users, rate=500.0, tokens=10, tokens_per_chunk=5, use_env_stores=True, processes=1
        ),
        log_errors=True,
    )
    try:
        bench.start()
        bad = asyncio.run(run(bench, args.sockets, args.wave))
        time.sleep(0.5)
        errors = bench.daphne_errors()
        print(f"daphne errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        bench.stop()
    sys.exit(1 if bad or errors else 0)


if __name__ == "__main__":
    main()
