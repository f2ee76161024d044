"""The model client's network layer (chat.turn.network): a read hands over everything that has arrived; a paced
read hands over a window's packets at once, and the reply's end goes at once."""

import asyncio

import httpcore2 as httpcore
import pytest

from chat.turn import network


async def test_a_read_takes_everything_that_has_arrived():
    async def serve(reader, writer):
        for piece in (b"data: 1\n\n", b"data: 2\n\n", b"data: 3\n\n"):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.01)
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    stream = await network.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
    await asyncio.sleep(0.2)  # three packets are waiting
    assert await stream.read(65536, timeout=1) == b"data: 1\n\ndata: 2\n\ndata: 3\n\n"
    with pytest.raises(httpcore.ReadTimeout):
        await stream.read(65536, timeout=0.05)
    await stream.aclose()
    server.close()


async def _paced_reads(pieces: list[bytes], gap: float, pace: float) -> list[bytes]:
    async def serve(reader, writer):
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(gap)
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    stream = await network.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
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
    stream = await network.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
    stream.set_pace(5.0)
    await stream.write(b"ping")
    started = asyncio.get_running_loop().time()
    assert await stream.read(65536, timeout=1) == b"HTTP/1.1 204 No Content\r\n\r\n"
    assert asyncio.get_running_loop().time() - started < 1.0
    await stream.aclose()
    server.close()


async def _body_ending_late(events: bytes) -> tuple[asyncio.Server, network.PacedStream]:
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
    stream = await network.AsyncioBackend().connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
    await stream.write(b"ping")
    return server, stream


async def _read_to_the_last_chunk(stream: network.PacedStream, body: bytes) -> tuple[bytes, float]:
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
