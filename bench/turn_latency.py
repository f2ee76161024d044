"""Benchmarks of the chat path, each comparison taken in one run on this machine (ratios, not absolute claims).

    .venv/bin/python bench/turn_latency.py [--turns 40]

1. Connection reuse: streamed completions through one shared AsyncGroq (what chat.turn.llm does) versus a new
   client per request, against the local Groq-wire emulator over real HTTP.
2. Engine overhead: a whole chat turn (save message, history, stream, tool call, save) versus the bare
   streamed completions that turn makes.
Uses a throwaway SQLite database; never reaches the internet.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db_path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


async def timed(coro_factory, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        await coro_factory()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(name: str, samples: list[float]) -> str:
    return f"{name:<38} median {statistics.median(samples):7.2f} ms   p90 {sorted(samples)[int(len(samples) * 0.9) - 1]:7.2f} ms"


async def main(turns: int) -> None:
    import groq
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from chat.turn import llm
    from chat.turn.start import start_turn
    from groq_emulator import EmulatorServer

    server = EmulatorServer(host="127.0.0.1", port=0, chunk_delay=0.0).start()
    settings.GROQ_BASE_URL, settings.GROQ_API_KEY = server.base_url, "bench-key"
    settings.CHAT_RATE_PER_MINUTE = 10**6
    messages = [{"role": "user", "content": "add a task to buy milk"}]
    params = llm.request_params(messages, tools=None)

    async def drain(client) -> None:
        stream = await client.chat.completions.create(**params)
        async for _ in stream:
            pass

    async def shared() -> None:
        await drain(llm.get_client())

    async def fresh() -> None:
        client = groq.AsyncGroq(api_key="bench-key", base_url=server.base_url, max_retries=0)
        try:
            await drain(client)
        finally:
            await client.close()

    await timed(shared, 5), await timed(fresh, 5)  # warm up both paths
    reuse, new = await timed(shared, turns), await timed(fresh, turns)

    user = await get_user_model().objects.acreate(username=f"bench-{time.time_ns()}")

    async def turn() -> None:
        t = await start_turn(user=user, text="add a task to buy milk")
        await t.result()

    async def bare_pair() -> None:  # the two model calls a tool turn makes, without the engine
        await shared()
        await shared()

    await timed(turn, 3)
    engine, bare = await timed(turn, turns), await timed(bare_pair, turns)
    server.stop()

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{turns} samples each, Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load}, "
        "SQLite, emulator chunk delay 0\n"
    )
    print(summary("stream, shared client (chat.turn.llm)", reuse))
    print(summary("stream, new client per request", new))
    print(f"  -> new/shared median ratio: {statistics.median(new) / statistics.median(reuse):.2f}x\n")
    print(summary("whole turn with one tool call (engine)", engine))
    print(summary("its two bare streamed completions", bare))
    print(f"  -> engine/bare median ratio: {statistics.median(engine) / statistics.median(bare):.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"))
        asyncio.run(main(args.turns))
