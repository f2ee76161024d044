"""A Groq-wire upstream for load tests: asyncio, so one process holds hundreds of streams at a fixed token rate.

    .venv/bin/python bench/upstream.py --port 0 --rate 500 --tokens 60 --tokens-per-chunk 3

Answers every POST /openai/v1/chat/completions with a streamed text reply (SSE, chunked transfer, keep-alive):
a role chunk, then `tokens` words at `rate` tokens/s, `tokens-per-chunk` words a chunk, then the finishing chunk
with `x_groq.usage` and `data: [DONE]`. It never calls tools. For each request it records (monotonic clock,
system-wide on Linux, so comparable with the load driver's) when the request arrived and when the first text
chunk went out, keyed by the `[bench:<id>]` marker in the last user message; GET /timings returns and clears them.
The first line printed on stdout is `PORT <n>`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time

MARKER = re.compile(r"\[bench:([\w-]+)\]")


class Upstream:
    def __init__(self, *, rate: float, tokens: int, tokens_per_chunk: int):
        self.rate, self.tokens, self.per_chunk = rate, tokens, tokens_per_chunk
        self.timings: dict[str, dict] = {}
        self.streams = 0

    @property
    def model_seconds(self) -> float:
        return self.tokens / self.rate

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrived = time.monotonic()
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
                body = await reader.readexactly(int(headers.get("content-length", 0) or 0))
                if method == "GET" and path.startswith("/timings"):
                    data, self.timings = json.dumps(self.timings).encode(), {}
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(data)}\r\n\r\n".encode()
                        + data
                    )
                    await writer.drain()
                    continue
                await self.stream(writer, json.loads(body or b"{}"), arrived)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def stream(self, writer: asyncio.StreamWriter, request: dict, arrived: float) -> None:
        user = [m for m in request.get("messages", []) if m.get("role") == "user"]
        found = MARKER.search(str(user[-1].get("content", ""))) if user else None
        key = found.group(1) if found else None
        self.streams += 1
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
            b"x-request-id: req_bench\r\n\r\n"
        )
        base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = request.get("model", "openai/gpt-oss-120b")

        def chunk(delta: dict, finish: str | None = None, **extra) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            data = json.dumps({**base, "choices": [choice], **extra}, separators=(",", ":"))
            event = f"data: {data}\n\n".encode()
            return f"{len(event):x}\r\n".encode() + event + b"\r\n"

        writer.write(chunk({"role": "assistant", "content": ""}, x_groq={"id": "req_bench"}))
        start, sent, first = time.monotonic(), 0, None
        while sent < self.tokens:
            n = min(self.per_chunk, self.tokens - sent)
            due = start + (sent + n) / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(chunk({"content": "word " * n}))
            await writer.drain()
            if first is None:
                first = time.monotonic()
            sent += n
        usage = {"prompt_tokens": 500, "completion_tokens": self.tokens, "total_tokens": 500 + self.tokens}
        writer.write(chunk({}, "stop", x_groq={"id": "req_bench", "usage": usage}))
        done = b"data: [DONE]\n\n"
        writer.write(f"{len(done):x}\r\n".encode() + done + b"\r\n0\r\n\r\n")
        await writer.drain()
        if key:
            self.timings[key] = {"arrived": arrived, "first_token": first, "done": time.monotonic()}


async def serve(port: int, upstream: Upstream) -> None:
    server = await asyncio.start_server(upstream.handle, "127.0.0.1", port, backlog=2048)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=500.0, help="tokens per second per stream")
    parser.add_argument("--tokens", type=int, default=60)
    parser.add_argument("--tokens-per-chunk", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(
        serve(args.port, Upstream(rate=args.rate, tokens=args.tokens, tokens_per_chunk=args.tokens_per_chunk))
    )


if __name__ == "__main__":
    main()
