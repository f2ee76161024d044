"""The model client's network layer: httpcore's network backend on plain asyncio, with paced reads.

Why: httpcore's default network layer (anyio) hands over one received packet per read, and each read pays an
anyio cancel scope for its timeout and a pause/resume of the socket's reader. A streamed reply arrives as hundreds
of small packets, so that path was about half the CPU of a turn. Here a read takes everything that has arrived
(up to httpcore's read size), without a timer when data is already waiting. chat.turn.transport puts httpcore's
pool (httpcore2's) on top; it still parses HTTP.

Paced reads: once a reply's first text is out, chat.turn.llm asks the stream for a `pace` (`PacedStream.set_pace`).
A read then hands over what arrived within that window in one piece, instead of waking the whole chain (httpcore,
the SDK's body iterator, SSE decoding, the turn's listeners) for each ~6 ms packet; the page's frames are
coalesced to 40 ms anyway. The end of the reply (`[DONE]`, end of file, an error) is never held back.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore2 as httpcore

from chat.turn.chunked import ChunkMerger

_HIGH_WATER = 256 * 1024  # received but unread bytes above which the socket stops reading (back-pressure)
_END = b"data: [DONE]"  # the last event of a streamed completion


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future | None = None
        self.paused = False
        self.drained: asyncio.Future | None = None
        self.holding = False  # a paced read is waiting for its window: only the reply's end wakes it early

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _HIGH_WATER and not self.paused and self.transport is not None:
            self.transport.pause_reading()
            self.paused = True
        # The end may straddle two packets: look at what just came and the few bytes before it.
        start = len(self.buffer) - len(data) - len(_END)
        if not self.holding or self.paused or self.buffer.find(_END, max(start, 0)) >= 0:
            self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def pause_writing(self) -> None:
        self.drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)
        self.drained = None

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


class PacedStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport, self._protocol = transport, protocol
        self._pace = 0.0  # seconds between hand-overs; 0: each read returns as soon as anything arrived
        self._ended = False  # this reply's [DONE] was handed over: nothing after it waits for a pace
        self._handed_at = 0.0
        self._chunks = ChunkMerger()

    def set_pace(self, seconds: float) -> None:
        """From now until the next request on this connection, hand data over at most every `seconds` — unless
        the reply's end was already handed over (a short reply: its first text and [DONE] came in one read)."""
        if not self._ended:
            self._pace = seconds

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        loop = asyncio.get_running_loop()
        await self._arrival(loop, timeout)
        if self._pace and not protocol.eof and _END not in protocol.buffer:
            await self._hold(loop, self._handed_at + self._pace)
        self._handed_at = loop.time()
        while protocol.buffer:
            data = self._chunks.take(protocol.buffer, max_bytes)
            if data is None and not protocol.eof:  # only part of a chunk: wait for the rest
                await self._arrival(loop, timeout, more=True)
                continue
            if data is None:
                data = ChunkMerger.cut(protocol.buffer, max_bytes)  # cut short: h11 reports it
            if _END in data:
                self._pace, self._ended = 0.0, True  # what follows the reply's end (its last chunk): at once
            if protocol.paused and len(protocol.buffer) <= _HIGH_WATER // 4:
                protocol.paused = False
                self._transport.resume_reading()
            return data
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error)) from protocol.error
        return b""  # the peer closed the connection

    async def _arrival(
        self, loop: asyncio.AbstractEventLoop, timeout: float | None, more: bool = False
    ) -> None:
        """Wait until bytes are waiting (or, with `more`, until more arrive), or the connection ended."""
        protocol = self._protocol
        if (protocol.buffer and not more) or protocol.eof:
            return
        protocol.waiter = loop.create_future()
        try:
            async with asyncio.timeout(timeout):
                await protocol.waiter
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "read timed out") from exc
        finally:
            protocol.waiter = None

    async def _hold(self, loop: asyncio.AbstractEventLoop, until: float) -> None:
        """Let more of the reply arrive until `until` (or its end, or back-pressure)."""
        if until <= loop.time():
            return
        protocol = self._protocol
        protocol.waiter, protocol.holding = loop.create_future(), True
        timer = loop.call_at(until, protocol._wake)
        try:
            await protocol.waiter
        finally:
            timer.cancel()
            protocol.waiter, protocol.holding = None, False

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._pace, self._ended = 0.0, False  # a new request: its reply starts unpaced
        if not buffer:
            return
        self._chunks.request_sent(buffer)
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        drained = self._protocol.drained
        if drained is not None:
            try:
                async with asyncio.timeout(timeout):
                    await drained
            except TimeoutError as exc:
                raise httpcore.WriteTimeout(str(exc) or "write timed out") from exc

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> PacedStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.close()
            raise httpcore.ConnectTimeout(str(exc) or "TLS handshake timed out") from exc
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        if transport is None:
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._protocol.transport = transport  # type: ignore[assignment]
        return PacedStream(transport, self._protocol)  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        if info == "is_readable":  # an idle keep-alive connection with news: closed, or data nobody asked for
            protocol = self._protocol
            return protocol.eof or bool(protocol.buffer)
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> PacedStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_connection(
                    lambda: protocol, host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock: socket.socket | None = transport.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return PacedStream(transport, protocol)  # type: ignore[arg-type]

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> PacedStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_unix_connection(lambda: protocol, path)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return PacedStream(transport, protocol)  # type: ignore[arg-type]

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
