"""Daphne's sockets send a write at once when nothing is waiting to be sent before it.

Daphne serves on twisted, whose TCP transport never sends in `write()`: it appends to a buffer and registers the
socket as a writer with the event loop (an epoll_ctl call); on the loop's next turn the socket reports writable,
twisted sends, and unregisters it (another epoll_ctl). Every websocket frame and every server-sent event of a chat
reply paid that round: a py-spy profile at 25 + 25 streams put the registering alone at 4% of daphne's samples,
and the loop turns and callbacks around the deferred send cost more (A/B in bench/RESULTS.md, thirteenth round).
asyncio's own transports send at once when their buffer is empty; so does this.

What does not change: order (a write waits behind anything already buffered), back-pressure (what the kernel does
not take is buffered and sent by twisted as before, with its producer pausing), errors (a failed send leaves the
data to twisted, which finds the lost connection on its next write attempt), and TLS connections (left to
twisted's TLS layer entirely).
"""

from __future__ import annotations

from collections.abc import Iterable

from twisted.internet import tcp

_buffered_write = tcp.Connection.write


def _write(self: tcp.Connection, data: bytes) -> None:
    if (
        data
        and not self.TLS
        and self.connected
        and not self._writeDisconnected
        and not self._tempDataLen
        and len(self.dataBuffer) == self.offset  # nothing buffered: sending now keeps the order
        and type(data) is bytes  # anything else goes to twisted's write, which refuses it as before
    ):
        sent = self.writeSomeData(data)  # an int, or the lost connection's exception (twisted handles it)
        if type(sent) is int:
            if sent == len(data):
                return
            data = data[sent:]
    _buffered_write(self, data)


def _write_sequence(self: tcp.Connection, iovec: Iterable[bytes]) -> None:
    _write(self, b"".join(iovec))


def send_writes_at_once() -> None:
    """Install on twisted's TCP connections (daphne's); call once per process, before serving. Idempotent."""
    tcp.Connection.write = _write  # type: ignore[method-assign]
    tcp.Connection.writeSequence = _write_sequence  # type: ignore[method-assign]
