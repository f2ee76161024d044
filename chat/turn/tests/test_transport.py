"""The model client's network layer (chat.turn.transport): the SDK's requests, streams and errors over it are what
they were over httpx's default transport; it hands over everything that has arrived in one read."""

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess

import httpcore
import httpx
import pytest

from chat.turn import llm, transport
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
    original = transport.AsyncioBackend.connect_tcp

    async def counting(self, host, port, *args, **kwargs):
        connects.append(port)
        return await original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(transport.AsyncioBackend, "connect_tcp", counting)
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


async def test_a_read_takes_everything_that_has_arrived():
    async def serve(reader, writer):
        for piece in (b"data: 1\n\n", b"data: 2\n\n", b"data: 3\n\n"):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.01)
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    stream = await transport.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
    await asyncio.sleep(0.2)  # three packets are waiting
    assert await stream.read(65536, timeout=1) == b"data: 1\n\ndata: 2\n\ndata: 3\n\n"
    with pytest.raises(httpcore.ReadTimeout):
        await stream.read(65536, timeout=0.05)
    await stream.aclose()
    server.close()


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
    backend = transport.AsyncioBackend()
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


async def _paced_reads(pieces: list[bytes], gap: float, pace: float) -> list[bytes]:
    async def serve(reader, writer):
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(gap)
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    stream = await transport.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
    reads = [await stream.read(65536, timeout=1)]  # the first piece: at once
    stream.set_pace(pace)
    while b"[DONE]" not in reads[-1]:
        reads.append(await stream.read(65536, timeout=1))
    await stream.aclose()
    server.close()
    return reads


async def test_a_paced_stream_hands_over_several_packets_at_once():
    pieces = [b"data: %d\n\n" % n for n in range(20)] + [b"data: [DONE]\n\n"]

    reads = await _paced_reads(pieces, gap=0.005, pace=0.05)

    assert b"".join(reads) == b"".join(pieces)  # nothing lost, nothing reordered
    assert reads[0] == pieces[0]
    assert len(reads) <= 8  # ~20 packets 5 ms apart, handed over every 50 ms (not one read per packet)


async def test_the_end_of_a_paced_reply_is_not_held_back():
    loop = asyncio.get_running_loop()
    pieces = [b"data: 1\n\n", b"data: [DONE]\n\n"]
    started = loop.time()

    reads = await _paced_reads(pieces, gap=0.0, pace=5.0)

    assert b"".join(reads) == b"".join(pieces)
    assert loop.time() - started < 1.0  # not the 5 s window


async def test_an_end_split_across_two_packets_is_not_held_back():
    loop = asyncio.get_running_loop()
    pieces = [b"data: 1\n\n", b"data: 2\n\ndata: [DO", b"NE]\n\n"]
    started = loop.time()

    reads = await _paced_reads(pieces, gap=0.02, pace=5.0)

    assert b"".join(reads) == b"".join(pieces)
    assert loop.time() - started < 1.0  # not the 5 s window


async def test_a_new_request_on_the_connection_starts_unpaced():
    async def serve(reader, writer):
        await reader.readuntil(b"ping")
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    stream = await transport.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
    stream.set_pace(5.0)
    await stream.write(b"ping")
    started = asyncio.get_running_loop().time()
    assert await stream.read(65536, timeout=1) == b"HTTP/1.1 204 No Content\r\n\r\n"
    assert asyncio.get_running_loop().time() - started < 1.0
    await stream.aclose()
    server.close()


async def test_the_model_stream_paces_its_connection_after_the_first_text(emulator, monkeypatch):
    paces = []
    monkeypatch.setattr(transport._Stream, "set_pace", lambda self, seconds: paces.append(seconds))
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


async def _body_ending_late(events: bytes) -> tuple[asyncio.Server, transport._Stream]:
    """A server answering "ping" with a chunked body: `events` at once, its terminating chunk 50 ms later; and a
    stream that has sent the ping."""

    async def serve(reader, writer):
        await reader.readuntil(b"ping")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        writer.write(b"%x\r\n%s\r\n" % (len(events), events))
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    stream = await transport.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
    await stream.write(b"ping")
    return server, stream


async def _read_to_the_last_chunk(stream: transport._Stream, body: bytes) -> tuple[bytes, float]:
    """The rest of the body, and how long it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not body.endswith(b"0\r\n\r\n"):
        body += await stream.read(65536, timeout=5)
    return body, loop.time() - started


async def test_nothing_after_the_end_of_a_reply_waits_for_the_pace():
    """[DONE] is never held back, and neither is the body's last chunk behind it: the connection goes back to the
    pool at once (the turn's end waited one pace window for it)."""
    done = b"data: [DONE]\n\n"
    server, stream = await _body_ending_late(done)
    assert (await stream.read(65536, timeout=1)).startswith(b"HTTP/1.1 200")
    stream.set_pace(2.0)

    body, took = await _read_to_the_last_chunk(stream, b"")

    assert done in body
    assert took < 1.0
    await stream.aclose()
    server.close()


async def test_a_reply_that_ended_in_the_read_of_its_first_text_is_not_paced_after():
    """A short reply (its first text and [DONE] in one read, so the pace is asked for after the end was handed
    over): the body's last chunk behind it is read at once, not one pace window later."""
    server, stream = await _body_ending_late(
        b'data: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n'
    )
    body = await stream.read(65536, timeout=1)
    while b"[DONE]" not in body:
        body += await stream.read(65536, timeout=1)
    stream.set_pace(2.0)  # as chat.turn.llm does on seeing the first text in what was just read

    _, took = await _read_to_the_last_chunk(stream, body)

    assert took < 1.0  # not the 2 s window
    await stream.aclose()
    server.close()


async def test_a_short_reply_from_the_model_ends_without_waiting_for_the_pace(emulator, monkeypatch):
    monkeypatch.setattr(llm, "PACE_SECONDS", 2.0)
    monkeypatch.setattr(llm, "DRAIN_SECONDS", 5.0)  # the body's end is awaited, not given up on
    emulator.push_reply(Reply(content="Done.", reasoning="The user wants it done."))
    loop = asyncio.get_running_loop()
    started = loop.time()

    assert await read_all(await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open()) == "Done."
    assert loop.time() - started < 1.0  # the whole reply, not the 2 s window
