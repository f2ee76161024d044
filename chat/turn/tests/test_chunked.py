"""chat.turn.chunked: merged chunks carry the same body, judged by h11 (the parser httpcore uses), in fewer events;
anything unusual passes through untouched."""

import random

import h11
import pytest

from chat.turn.chunked import ChunkMerger


def h11_body(wire: list[bytes]) -> tuple[bytes, int]:
    """What h11 (httpcore's parser) reads from these pieces of a response: the body and its number of Data events."""
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="POST", target="/", headers=[("Host", "x"), ("Content-Length", "0")]))
    client.send(h11.EndOfMessage())
    body, events = b"", 0
    for piece in wire:
        client.receive_data(piece)
        while (event := client.next_event()) not in (h11.NEED_DATA, h11.PAUSED):
            if isinstance(event, h11.Data):
                body, events = body + event.data, events + 1
    assert isinstance(event, h11.PAUSED) or client.their_state is h11.DONE
    return body, events


def merged_reads(response: bytes, arrivals: list[int], max_bytes: int = 65536) -> list[bytes]:
    """The reads _ChunkMerger hands over when the response arrives in pieces of these sizes."""
    merger, buffer, reads, at = ChunkMerger(), bytearray(), [], 0
    merger.request_sent(b"POST / HTTP/1.1\r\n")
    for size in [*arrivals, len(response)]:
        buffer += response[at : at + size]
        at += size
        while buffer and (data := merger.take(buffer, max_bytes)) is not None:
            reads.append(data)
    return reads + ([bytes(buffer)] if buffer else [])


def chunked(
    parts: list[bytes], head: bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
) -> bytes:
    return head + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


@pytest.mark.parametrize("seed", range(40))
def test_merged_chunks_carry_the_same_body_in_fewer_events(seed):
    rng = random.Random(seed)
    parts = [
        bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(rng.randrange(1, 60))
    ]
    response = chunked(parts)
    arrivals = [rng.randrange(1, 400) for _ in range(rng.randrange(0, 30))]

    body, events = h11_body(merged_reads(response, arrivals))
    assert body == b"".join(parts)
    assert events <= len(parts)
    if not arrivals:  # everything arrived before the first read: one chunk for the whole body
        assert events == 1


@pytest.mark.parametrize(
    "response",
    [
        chunked([b"a" * 10, b"b" * 10], head=b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"),  # not chunked
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",  # malformed size
        chunked([b"x" * 70000, b"y"]),  # a chunk over the read size
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nTrailer: 1\r\n\r\n",
    ],
)
def test_anything_unusual_passes_through_as_it_came(response):
    assert b"".join(merged_reads(response, [7, 13, 50])) == response


def test_after_an_interim_100_the_real_head_is_found():
    response = b"HTTP/1.1 100 Continue\r\n\r\n" + chunked([b"one", b"two", b"three"])
    assert h11_body(merged_reads(response, [])) == (b"onetwothree", 1)
