"""The model client's HTTP transport: the stack the SDK uses by default (httpx over an httpcore connection pool:
HTTP/1.1, TLS, keep-alive, the request's timeouts), over chat.turn.network's plain-asyncio network layer with paced
reads. The SDK still builds the request, authenticates, retries and maps errors; httpcore still parses HTTP. Used
by chat.turn.llm when no HTTP proxy is configured (a proxy needs httpx's own transport, which the SDK then uses as
before).

The pool is httpcore2's: pydantic's maintained fork of httpcore, the same API. httpcore 1.0.9's pool re-scans every
connection for each idle one and for each queued request whenever a request starts or ends (quadratic in a burst),
and closes an idle connection whenever the pool holds more connections than the keep-alive limit, busy ones
included, so a burst above the limit kept reconnecting. httpcore2's assigns in one pass and keeps idle connections
up to the limit. A 3-token reply through ModelStream cost ~1.0-1.2 ms of CPU at 25-100 requests at once, against
1.6-2.0 ms over httpcore (a probe alternating the two trees, recorded in bench/RESULTS.md, thirteenth round).
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpcore2 as httpcore
import httpx

from chat.turn.network import AsyncioBackend

# The SDK's own defaults for its client (groq.DefaultAsyncHttpxClient), but for the idle connections kept. Over
# httpcore 1.0.9's pool, the SDK's 100 cost a burst of 100 streams ~21 ms of CPU a stream against ~6 ms with 20; over
# httpcore2's, 4.7 against 4.0 ms (bench/model_client_cost.py, 2 cores), so 20 stays.
MAX_CONNECTIONS, MAX_KEEPALIVE, KEEPALIVE_EXPIRY = 1000, 20, 5.0


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CAs), built once per process: ~20 ms each time."""
    return httpx.create_ssl_context()


def proxy_configured() -> bool:
    """An HTTP(S) proxy in the environment: httpx's own transport honours it, this one does not."""
    return any(key in ("http", "https", "all") for key in urllib.request.getproxies())


# httpcore's errors as httpx's (the SDK maps httpx's to its own: timeouts, connection errors), most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for theirs, ours in _ERRORS:
            if isinstance(exc, theirs):
                raise ours(str(exc)) from exc
        raise


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        with _httpx_errors():
            await self._stream.aclose()


class ModelTransport(httpx.AsyncBaseTransport):
    """httpx's AsyncHTTPTransport, request for request (HTTP/1.1), over AsyncioBackend."""

    def __init__(self) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context(),
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_KEEPALIVE,
            keepalive_expiry=KEEPALIVE_EXPIRY,
            http1=True,
            http2=False,
            network_backend=AsyncioBackend(),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
