"""The model client's HTTP transport (chat.turn.transport, over chat.turn.network): the SDK's requests, streams and
errors over it are what they were over httpx's default transport."""

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess

import httpcore2 as httpcore
import httpx
import pytest

from chat.turn import llm, network, transport
from chat.turn.chunked import ChunkMerger
from groq_emulator import Fault, Reply

MESSAGES = [{"role": "user", "content": "hi"}]


async def read_all(stream: llm.ModelStream) -> str:
    try:
        return "".join([d.content async for d in stream])
    finally:
        await stream.close()


async def test_the_model_client_streams_over_it(emulator, monkeypatch):
    connects = []
    original = network.AsyncioBackend.connect_tcp

    async def counting(self, host, port, *args, **kwargs):
        connects.append(port)
        return await original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(network.AsyncioBackend, "connect_tcp", counting)
    emulator.push_reply(Reply(content="one two three " * 50))
    emulator.push_reply(Reply(content="again"))

    first = await read_all(await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open())
    second = await read_all(await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open())

    assert first == "one two three " * 50 and second == "again"
    assert connects == [emulator.port]  # one connection, kept alive: the first reply was read to its end
    assert len(emulator.requests_snapshot()) == 2


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault(kind="stall", seconds=1.5, after_chunks=2), "upstream_timeout"),
        (Fault(kind="break", after_chunks=2), "upstream_error"),
    ],
    ids=["stalls-midway", "breaks-midway"],
)
async def test_a_stream_failing_midway_is_an_upstream_error(emulator, settings, fault, code):
    settings.AGENT_TIMEOUT = 0.5
    emulator.push_fault(fault)
    emulator.push_reply(Reply(content="word " * 40))
    stream = await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open()
    with pytest.raises(llm.UpstreamError) as caught:
        await read_all(stream)
    assert caught.value.code == code


async def test_nobody_listening_is_unreachable(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    settings.GROQ_BASE_URL, settings.GROQ_API_KEY, settings.GROQ_MAX_RETRIES = (
        f"http://127.0.0.1:{port}",
        "k",
        0,
    )
    with pytest.raises(llm.UpstreamError) as caught:
        await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open()
    assert caught.value.code == "upstream_unreachable"


async def test_a_large_body_arrives_whole():
    body = bytes(range(256)) * 8192  # 2 MB: over the mark where the socket stops reading until it is read

    async def serve(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = httpx.AsyncClient(transport=transport.ModelTransport())
    async with client, client.stream("GET", f"http://127.0.0.1:{port}/") as response:
        await asyncio.sleep(0.2)  # let it all arrive unread
        received = b"".join([part async for part in response.aiter_raw()])
    server.close()
    assert received == body


async def test_a_connection_freed_during_a_burst_serves_the_next_request(monkeypatch):
    """More replies at once than idle connections kept: one that ends leaves its connection for the next request.
    (httpcore 1.0.9's pool closed it, since the pool then held more connections than the keep-alive limit, busy ones
    included: above the limit every request reconnected, over TLS a handshake each.)"""
    monkeypatch.setattr(transport, "MAX_KEEPALIVE", 2)
    accepted, release = [], asyncio.Queue()

    async def serve(reader, writer):
        accepted.append(writer)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await release.get()  # each response waits for its turn
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    client = httpx.AsyncClient(transport=transport.ModelTransport())
    async with client:
        busy = [asyncio.create_task(client.get(url)) for _ in range(5)]
        while len(accepted) < 5:
            await asyncio.sleep(0.01)
        release.put_nowait(None)  # one of the five ends; four stay busy
        done, _ = await asyncio.wait(busy, return_when=asyncio.FIRST_COMPLETED)
        assert [task.result().text for task in done] == ["ok"]
        late = asyncio.create_task(client.get(url))
        for _ in range(5):
            release.put_nowait(None)
        responses = await asyncio.gather(*busy, late)
    server.close()
    assert [r.text for r in responses] == ["ok"] * 6
    assert len(accepted) == 5  # the sixth request went over the freed connection


def test_a_proxy_in_the_environment_keeps_httpxs_own_transport(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert not transport.proxy_configured()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert transport.proxy_configured()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_tls_is_verified_and_its_connections_are_kept_alive(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
        ]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
    )
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    body = b"x" * 300_000

    async def serve(reader, writer):
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_tls)
    url = f"https://localhost:{server.sockets[0].getsockname()[1]}/"
    backend = network.AsyncioBackend()
    trusting = httpcore.AsyncConnectionPool(
        ssl_context=ssl.create_default_context(cafile=str(cert)), network_backend=backend
    )
    first, second = await trusting.request("GET", url), await trusting.request("GET", url)
    assert first.content == body and second.content == body
    assert first.extensions["network_stream"] is second.extensions["network_stream"]  # one connection
    assert first.extensions["network_stream"].get_extra_info("ssl_object") is not None
    await trusting.aclose()

    default = httpcore.AsyncConnectionPool(ssl_context=transport.ssl_context(), network_backend=backend)
    with pytest.raises(httpcore.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        await default.request("GET", url)
    await default.aclose()
    server.close()


async def test_the_model_stream_paces_its_connection_after_the_first_text(emulator, monkeypatch):
    paces = []
    monkeypatch.setattr(network.PacedStream, "set_pace", lambda self, seconds: paces.append(seconds))
    emulator.push_reply(Reply(content="one two three " * 20, reasoning="thinking first"))

    stream = await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open()
    seen = []
    async for delta in stream:
        seen.append((delta.reasoning, delta.content, list(paces)))
    await stream.close()

    first_text = next(i for i, (_, content, _) in enumerate(seen) if content)
    assert all(not p for _, _, p in seen[: first_text + 1])  # unpaced through reasoning and the first text
    assert paces == [llm.PACE_SECONDS]


async def test_a_paced_stream_reaches_the_sdk_whole_in_merged_chunks(emulator, monkeypatch):
    """Over a real socket from the emulator: reads merge the events that arrived together; the text is the same."""
    reads = []
    original = ChunkMerger.take

    def counting(self, buffer, max_bytes):
        data = original(self, buffer, max_bytes)
        if data is not None and self.state == ChunkMerger.CHUNKED:
            reads.append(data)
        return data

    monkeypatch.setattr(ChunkMerger, "take", counting)
    text = "one two three four five six seven eight nine ten " * 12
    emulator.push_reply(Reply(content=text))

    assert await read_all(await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open()) == text
    assert reads and any(
        data.count(b"data: ") > 1 for data in reads
    )  # at least one read merged several events


async def test_a_body_held_open_after_done_costs_its_connection_not_the_turn(settings, monkeypatch):
    """The end of the body is read after [DONE] so the connection can be reused, but a server that never ends it
    only loses the connection: the reply is complete after DRAIN_SECONDS."""
    monkeypatch.setattr(llm, "DRAIN_SECONDS", 0.2)
    held = asyncio.Event()

    async def serve(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        event = b'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\n'
        done = b"data: [DONE]\n\n"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n%s\r\n%x\r\n%s\r\n" % (len(event), event, len(done), done)
        )  # ... and never the terminating chunk
        await writer.drain()
        await held.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    settings.GROQ_BASE_URL = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    started = asyncio.get_running_loop().time()
    try:
        text = await read_all(await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open())
    finally:
        held.set()
        server.close()
    assert text == "hi"
    assert asyncio.get_running_loop().time() - started < 2.0


async def test_a_short_reply_from_the_model_ends_without_waiting_for_the_pace(emulator, monkeypatch):
    monkeypatch.setattr(llm, "PACE_SECONDS", 2.0)
    monkeypatch.setattr(llm, "DRAIN_SECONDS", 5.0)  # the body's end is awaited, not given up on
    emulator.push_reply(Reply(content="Done.", reasoning="The user wants it done."))
    loop = asyncio.get_running_loop()
    started = loop.time()

    assert await read_all(await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open()) == "Done."
    assert loop.time() - started < 1.0  # the whole reply, not the 2 s window
