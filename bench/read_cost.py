"""CPU of reading a streamed reply through the SDK, by network layer: httpx's default (anyio) against
chat.turn.transport's plain-asyncio one, same upstream, same SDK calls (`with_streaming_response`, raw bytes, no
parsing), interleaved in one run.

    .venv/bin/python bench/read_cost.py [--streams 40] [--tokens 300] [--rate 500]

Starts bench/upstream.py (--tokens at --rate tokens/s, 3 tokens a chunk) and, at 1, 10 and 40 streams at once,
prints this process's CPU per stream for each layer (two rounds each, alternating). No Django, no database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import groq  # noqa: E402

from chat.turn.transport import ModelTransport  # noqa: E402


async def one(client: groq.AsyncGroq) -> int:
    request = client.chat.completions.with_streaming_response.create(
        model="m", messages=[{"role": "user", "content": "[bench:read] hi"}], stream=True
    )
    size = 0
    async with request as response:
        async for part in response.iter_bytes():
            size += len(part)
    return size


async def measure(base_url: str, layer: str, streams: int, at_once: int) -> float:
    http = groq.DefaultAsyncHttpxClient(transport=ModelTransport()) if layer == "asyncio" else None
    async with groq.AsyncGroq(api_key="bench", base_url=base_url, http_client=http) as client:
        await one(client)  # connection and lazy imports out of the way
        cpu = time.process_time()
        for _ in range(max(1, streams // at_once)):
            await asyncio.gather(*(one(client) for _ in range(at_once)))
        return (time.process_time() - cpu) / (max(1, streams // at_once) * at_once) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=40)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--rate", type=float, default=500.0)
    args = parser.parse_args()
    upstream = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "upstream.py"), "--port", "0", "--rate", str(args.rate)]
        + ["--tokens", str(args.tokens)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = f"http://127.0.0.1:{int(upstream.stdout.readline().split()[1])}"
        print(f"bench/read_cost.py, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        for at_once in (1, 10, 40):
            streams = max(args.streams, at_once * 2)
            cpu = {"anyio": [], "asyncio": []}
            for layer in ("anyio", "asyncio", "anyio", "asyncio"):
                cpu[layer].append(asyncio.run(measure(base_url, layer, streams, at_once)))
            print(
                f"{at_once:>3} at once: httpx default (anyio) {min(cpu['anyio']):5.1f} ms a stream, "
                f"chat.turn.transport (asyncio) {min(cpu['asyncio']):5.1f} ms"
                f"  ({min(cpu['anyio']) / min(cpu['asyncio']):.2f}×)"
            )
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        upstream.terminate()


if __name__ == "__main__":
    main()
