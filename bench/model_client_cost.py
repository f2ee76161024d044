"""CPU of a burst of streamed replies through chat.turn.llm.ModelStream, by how the model client handles its
connections and the body's chunks, interleaved in one run:
- idle connections kept for reuse: chat.turn.transport.MAX_KEEPALIVE, or the SDK's own 100;
- none kept: each reply's connection closed after its [DONE] (as before replies were read to their end);
- chunks not merged: each HTTP chunk (one SSE event) goes up h11, httpcore, httpx and the SDK on its own
  (chat.turn.chunked turned off).

    .venv/bin/python bench/model_client_cost.py [--bursts 10,40,100] [--rounds 3]

httpcore 1.0.9's pool scanned all its connections once per idle connection whenever a request started or ended, so
the idle connections kept were paid for, quadratically, in every burst; the transport now uses httpcore2's pool,
which assigns in one pass. No Django database; the SDK, our transport and our SSE decoding over bench/upstream.py
(300 tokens at 500 tokens/s).
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


async def one(llm) -> None:
    params = llm.request_params([{"role": "user", "content": "[bench:keepalive] hi"}], tools=None)
    stream = await llm.ModelStream(params).open()
    async for _ in stream:
        pass
    await stream.close()


async def measure(llm, at_once: int, rounds: int) -> float:
    """CPU a stream over `rounds` bursts, after one burst that fills the pool as a running server's would be."""
    await asyncio.gather(*(one(llm) for _ in range(at_once)))
    cpu = time.process_time()
    for _ in range(rounds):
        await asyncio.gather(*(one(llm) for _ in range(at_once)))
    return (time.process_time() - cpu) / (rounds * at_once) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", default="10,40,100")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    upstream = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "upstream.py"), "--rate", "500", "--tokens", "300"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(upstream.stdout.readline().split()[1])
        os.environ.update(
            GROQ_BASE_URL=f"http://127.0.0.1:{port}",
            GROQ_API_KEY="bench",
            DJANGO_SETTINGS_MODULE="config.settings.test",
        )
        import django

        django.setup()
        from chat.turn import llm, transport
        from chat.turn.chunked import ChunkMerger

        kept = transport.MAX_KEEPALIVE
        read_to_end, take = llm._read_to_end, ChunkMerger.take

        async def closed_after_done(batches) -> None:  # the connection is dropped, not reused
            return None

        def unmerged(self, buffer: bytearray, max_bytes: int) -> bytes:
            return ChunkMerger.cut(buffer, max_bytes)

        modes = {
            f"keep {kept} idle": (kept, read_to_end, take),
            "keep 100 idle (the SDK's)": (100, read_to_end, take),
            "close after [DONE]": (kept, closed_after_done, take),
            "chunks not merged": (kept, read_to_end, unmerged),
        }
        print(f"bench/model_client_cost.py, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        for at_once in (int(x) for x in args.bursts.split(",")):
            cpu: dict[str, list[float]] = {name: [] for name in modes}
            for _ in range(args.rounds):
                for name, (keepalive, drain, chunks) in modes.items():
                    transport.MAX_KEEPALIVE, llm._read_to_end, ChunkMerger.take = keepalive, drain, chunks
                    cpu[name].append(
                        asyncio.run(measure(llm, at_once, 2))
                    )  # a new loop: a new client and pool
            medians = {name: sorted(values)[len(values) // 2] for name, values in cpu.items()}
            print(f"{at_once:>4} at once: " + ", ".join(f"{n} {v:.1f} ms" for n, v in medians.items()))
        transport.MAX_KEEPALIVE, llm._read_to_end, ChunkMerger.take = kept, read_to_end, take
        print(f"CPU a stream, median of {args.rounds}; load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        upstream.terminate()


if __name__ == "__main__":
    main()
