"""Per-chunk cost of reading a streamed completion: the SDK's typed objects against our raw decoding, same bytes, one run.

    .venv/bin/python bench/chunk_cost.py [--chunks 4000] [--repeat 5]

Both paths read the same Groq-shaped SSE body (from the emulator's own chunk builder: a role chunk, reasoning,
content, a tool call, the usage chunk), one network read per chunk as at 500 tokens/s, through an async iterator:

- sdk:  groq's AsyncStream (its SSE decoder + a ChatCompletionChunk per chunk) and the previous attribute-based
        accumulation (kept below as `sdk_feed`, the code chat/turn/llm.py ran before issue 12);
- ours: chat.turn.sse.sse_batches + chat.turn.llm.StreamAccumulator (what ModelStream runs now).

Prints µs per chunk (best of --repeat) and the ratio. No Django database, no network.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def body_chunks(n: int) -> list[bytes]:
    from groq_emulator.faults import Reply, ToolCall
    from groq_emulator.protocol import Completion, sse

    words = max(1, n // 2)
    reply = Reply(
        content="word " * words,
        reasoning="think " * (words * 3 // 2),
        tool_calls=[ToolCall("add_task", {"title": "milk"})],
    )
    done = Completion(
        model="openai/gpt-oss-120b",
        reply=reply,
        finish_reason="tool_calls",
        prompt_tokens=900,
        request_id="req_x",
    )
    return [sse(c) for c in done.chunks()] + [sse("[DONE]")]


async def reads(chunks: list[bytes]):
    for raw in chunks:
        yield raw


def sdk_feed(state: dict, chunk) -> tuple[str, str]:
    """The pre-issue-12 StreamAccumulator.feed, on SDK objects (text cleaning and bounds included)."""
    from chat.turn.calls import ARGUMENTS_CAP, TOOL_NAME_MAX
    from core.text import clean_text

    x_groq = getattr(chunk, "x_groq", None)
    usage = getattr(x_groq, "usage", None) if x_groq is not None else None
    if usage is not None:
        state["usage"] = usage.model_dump()
    if not chunk.choices:
        return "", ""
    choice = chunk.choices[0]
    delta = choice.delta
    if choice.finish_reason:
        state["finish"] = choice.finish_reason
    content = clean_text(delta.content or "")
    reasoning = clean_text(getattr(delta, "reasoning", None) or "")
    state["content"] += content
    for piece in delta.tool_calls or []:
        call = state["calls"].setdefault(piece.index, {"id": "", "name": "", "arguments": ""})
        if piece.id:
            call["id"] = piece.id
        if piece.function is not None:
            call["name"] = (call["name"] + (piece.function.name or ""))[: TOOL_NAME_MAX + 1]
            call["arguments"] = (call["arguments"] + (piece.function.arguments or ""))[: ARGUMENTS_CAP + 1]
    return content, reasoning


async def run_sdk(chunks: list[bytes]) -> tuple[float, str]:
    import groq
    import httpx
    from groq._streaming import AsyncStream
    from groq.types.chat import ChatCompletionChunk

    client = groq.AsyncGroq(api_key="x", base_url="http://127.0.0.1:9")
    response = httpx.Response(200, content=reads(chunks), request=httpx.Request("POST", "http://x/"))
    state = {"content": "", "calls": {}}
    start = time.perf_counter()
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=response, client=client)
    async for chunk in stream:
        sdk_feed(state, chunk)
    return time.perf_counter() - start, state["content"]


async def run_ours(chunks: list[bytes]) -> tuple[float, str]:
    from chat.turn.llm import StreamAccumulator
    from chat.turn.sse import DONE, sse_batches

    acc = StreamAccumulator()
    start = time.perf_counter()
    async for batch in sse_batches(reads(chunks)):
        for chunk in batch:
            if chunk is DONE:
                break
            acc.feed(chunk)
    done = acc.finish()
    return time.perf_counter() - start, done.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import django

    django.setup()
    chunks = body_chunks(args.chunks)
    best = {}
    for name, run in (("sdk objects", run_sdk), ("raw", run_ours)):
        times, text = [], None
        for _ in range(args.repeat):
            elapsed, content = asyncio.run(run(chunks))
            times.append(elapsed)
            assert text is None or content == text
            text = content
        best[name] = min(times) / len(chunks) * 1e6
    sdk, ours = best["sdk objects"], best["raw"]
    print(
        f"chunk cost over {len(chunks)} chunks, best of {args.repeat} ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}):"
    )
    print(f"  SDK objects (AsyncStream + attribute feed)   {sdk:6.1f} µs/chunk")
    print(f"  raw bytes + orjson (chat.turn.sse now)      {ours:6.1f} µs/chunk   ({sdk / ours:.1f}x cheaper)")
    print(f"  target ≤ 10 µs/chunk: {'met' if ours <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
