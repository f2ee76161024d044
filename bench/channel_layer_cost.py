"""CPU of the Redis channel layer's operations: channels-redis's own against core.channel_layer's, interleaved in
one run, on a real Redis (REDIS_URL, else redis://127.0.0.1:6379/15; skipped when none answers).

    .venv/bin/python bench/channel_layer_cost.py [--ops 2000] [--rounds 3]

Per operation, median of the rounds: a group send to an empty group (a turn's frames when no other tab watches),
to a group of one, a send to a channel, a group add, and receiving a message when one is queued and when ten
are (news for a process's sockets comes in bursts). Both layers run with the same pool class, so the difference
is the round trips alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

from channels_redis.core import RedisChannelLayer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.channel_layer import BlockingPoolRedisChannelLayer  # noqa: E402


class Upstream(BlockingPoolRedisChannelLayer):
    """channels-redis's send and group operations over the same blocking pool."""

    send = RedisChannelLayer.send
    group_add = RedisChannelLayer.group_add
    group_send = RedisChannelLayer.group_send
    receive_single = RedisChannelLayer.receive_single


async def cost(layer, op: str, n: int) -> float:
    """Microseconds of this process's CPU per operation."""
    channel = await layer.new_channel()
    group = f"bench.{uuid.uuid4().hex[:8]}"
    if op == "group send, one member":
        await layer.group_add(group, channel)
    if op.startswith("receive"):
        return await receive_cost(layer, channel, n, queued=int(op.split()[1]))
    started = time.process_time()
    for i in range(n):
        if op == "send":
            await layer.send(channel, {"type": "bench", "i": i})
        elif op == "group add":
            await layer.group_add(group, channel)
        else:
            await layer.group_send(group, {"type": "bench", "i": i})
    spent = time.process_time() - started
    await layer.flush()
    return spent / n * 1e6


async def receive_cost(layer, channel: str, n: int, *, queued: int) -> float:
    """Microseconds of CPU per message received (the sends before each batch not counted)."""
    spent = 0.0
    for _ in range(n // queued):
        for i in range(queued):
            await layer.send(channel, {"type": "bench", "i": i})
        started = time.process_time()
        for _ in range(queued):
            await layer.receive(channel)
        spent += time.process_time() - started
    await layer.flush()
    return spent / (n // queued * queued) * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    host = {"address": url, "max_connections": 50, "timeout": 5}
    layers = {
        "channels-redis": lambda p: Upstream(hosts=[host], prefix=p, capacity=10**6),
        "ours": lambda p: BlockingPoolRedisChannelLayer(hosts=[host], prefix=p, capacity=10**6),
    }
    try:
        await layers["ours"]("bench-ping").connection(0).ping()
    except Exception as exc:
        print(f"bench/channel_layer_cost.py skipped: no Redis at {url} ({exc.__class__.__name__})")
        return
    print(
        f"bench/channel_layer_cost.py on {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.ops} operations, median of {args.rounds} rounds"
    )
    ops = [
        "group send, empty group",
        "group send, one member",
        "send",
        "group add",
        "receive 1 queued",
        "receive 10 queued",
    ]
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for op in ops:
            for name, make in layers.items():
                layer = make(f"bench-{uuid.uuid4().hex[:8]}")
                results.setdefault((op, name), []).append(await cost(layer, op, args.ops))
    print(f"{'operation':<26} {'channels-redis µs':>18} {'ours µs':>9} {'ratio':>6}")
    for op in ops:
        theirs, mine = (statistics.median(results[(op, n)]) for n in layers)
        print(f"{op:<26} {theirs:>18.0f} {mine:>9.0f} {theirs / mine:>6.2f}")


if __name__ == "__main__":
    asyncio.run(main())
