"""Fewer trips up the HTTP stack for a streamed reply: chat.turn.network's reads hand h11 the complete chunks
of a chunked response body as one chunk. Bytes in, bytes out; no asyncio, no Django."""

from __future__ import annotations

_HEX = b"0123456789abcdefABCDEF"


class ChunkMerger:
    """Merges the complete HTTP/1.1 chunks of a `Transfer-Encoding: chunked` response body that a read hands
    over into one chunk. h11 turns every chunk into an event that then climbs httpcore, httpx and the SDK one by
    one, and a streamed reply is one chunk per SSE event (~100 a reply): with paced reads (~5 chunks a read)
    that chain now runs once a read. The bytes of the body are unchanged; h11 still parses the framing. Anything
    unusual (a chunk extension, a malformed size, a chunk over the read size) is passed through untouched."""

    HEAD, CHUNKED, PASS = 0, 1, 2

    def __init__(self) -> None:
        self.state = self.PASS

    def request_sent(self, head: bytes) -> None:
        self.state = self.PASS if head.startswith(b"HEAD ") else self.HEAD

    def take(self, buffer: bytearray, max_bytes: int) -> bytes | None:
        """What the next read hands over from `buffer` (removed from it); None: wait for more bytes."""
        if self.state == self.HEAD:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:  # the head comes in one piece or not at all: wait (an odd one is passed through)
                if len(buffer) <= max_bytes:
                    return None
                self.state = self.PASS
                return self.cut(buffer, max_bytes)
            head = bytes(buffer[: end + 4])
            del buffer[: end + 4]
            status = head[9:12]
            if not status.startswith(b"1"):  # an interim 100 response: the real head follows
                chunked = any(
                    line.partition(b":")[0].strip().lower() == b"transfer-encoding"
                    and line.partition(b":")[2].strip().lower().endswith(b"chunked")
                    for line in head.split(b"\r\n")[1:]
                )
                self.state = self.CHUNKED if chunked and status not in (b"204", b"304") else self.PASS
            return head
        if self.state == self.PASS:
            return self.cut(buffer, max_bytes)
        parts, at = [], 0
        while True:
            line_end = buffer.find(b"\r\n", at)
            if line_end < 0:
                break
            size_text = bytes(buffer[at:line_end])
            try:
                size = int(size_text, 16)
            except ValueError:
                size = -1
            if size <= 0 or size > max_bytes or size_text.strip(_HEX):
                if not parts:  # the last chunk, an extension or anything odd: h11 takes it from here
                    self.state = self.PASS
                    return self.cut(buffer, max_bytes)
                break
            end = line_end + 2 + size
            if len(buffer) < end + 2 or sum(map(len, parts)) + size > max_bytes:
                break
            parts.append(bytes(buffer[line_end + 2 : end]))
            at = end + 2
        if not parts:
            return None  # an incomplete chunk: more is on its way
        del buffer[:at]
        body = b"".join(parts)
        return b"%x\r\n%s\r\n" % (len(body), body)

    @staticmethod
    def cut(buffer: bytearray, max_bytes: int) -> bytes:
        data = bytes(buffer[:max_bytes])
        del buffer[:max_bytes]
        return data
