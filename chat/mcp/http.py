"""MCP over Streamable HTTP at /mcp/: the API's Bearer tokens, its hosts and its per-user rate limit.

Before any MCP processing, every request passes, in order:
    Host      must be one of ALLOWED_HOSTS, as for every Django page (this path bypasses Django) → 400
    Origin    when present (browsers send it), http(s) on an allowed host: the spec's DNS-rebinding advice → 403
    token     `Authorization: Bearer <token>`, the REST API's own authentication class → 401 + WWW-Authenticate
    throttle  the REST API's default throttles (UserRateThrottle: same rate, cache and counter key) → 429
Errors are the API's JSON `{"message", "code"}`. The token's user then rides in the ASGI scope (`scope["user"]`,
as Channels does for websockets) into the SDK, which hands the starlette Request of the very POST that carried
a message to its handler (`ctx.request`): each call acts as the user of its own request, never of another.

The SDK's session manager runs stateless with JSON responses: no session to pin to one daphne worker, and the
tools need no server-to-client requests. It still needs a task group running (`run()`), which a Starlette
app would start from ASGI lifespan; daphne sends no lifespan events, so it is started lazily on the first
request, once per event loop, and restarted if it ever stops.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from dataclasses import dataclass
from types import SimpleNamespace

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http.request import split_domain_port, validate_host
from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.settings import api_settings

from chat.mcp.server import build_server
from core.origins import origin_allowed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    code: str
    headers: tuple[tuple[bytes, bytes], ...] = ()


def _allowed_hosts() -> list[str]:
    if settings.DEBUG and not settings.ALLOWED_HOSTS:  # Django's own fallback
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def _check_host_and_origin(headers: dict[bytes, bytes], scheme: str = "http") -> Refusal | None:
    host, _ = split_domain_port(headers.get(b"host", b"").decode("latin-1"))
    if not host or not validate_host(host, _allowed_hosts()):
        return Refusal(400, "Invalid Host header.", "bad_request")
    origin = headers.get(b"origin")
    if origin is not None and not origin_allowed(
        origin.decode("latin-1"), host=headers.get(b"host", b"").decode("latin-1"), scheme=scheme
    ):  # the websocket's rule: scheme, host and port must match (the spec's DNS-rebinding advice)
        return Refusal(403, "Requests from this origin are not allowed.", "forbidden_origin")
    return None


def _token_authentication() -> BaseAuthentication:
    """The REST API's header authentication (Bearer tokens), found in its settings, not re-declared: the first
    class that answers a WWW-Authenticate challenge (the session one has none)."""
    for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if cls().authenticate_header(None):
            return cls()
    raise RuntimeError("REST_FRAMEWORK has no token authentication class for MCP to share.")


def _refusal(exc: exceptions.APIException, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Refusal:
    return Refusal(exc.status_code, str(exc.detail), str(exc.get_codes()), headers)


def authenticate(authorization: bytes | None) -> AbstractBaseUser | Refusal:
    """The token's user, or why not. Synchronous (the token table and the throttle cache): run it in a thread."""
    auth = _token_authentication()
    challenge = ((b"www-authenticate", auth.authenticate_header(None).encode()),)
    request = SimpleNamespace(headers={"authorization": authorization or b""}, META={})
    try:
        found = auth.authenticate(request)
    except exceptions.AuthenticationFailed as exc:
        return _refusal(exc, challenge)
    if found is None:
        return _refusal(exceptions.NotAuthenticated(), challenge)
    user = found[0]
    # The same throttles as every API view (DRF's check_throttles): MCP calls spend the user's API budget.
    request.user = user
    throttles = [cls() for cls in api_settings.DEFAULT_THROTTLE_CLASSES]
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, None)]
    if waits:
        throttled = exceptions.Throttled(max((w for w in waits if w is not None), default=None))
        retry = ((b"retry-after", b"%d" % throttled.wait),) if throttled.wait is not None else ()
        return _refusal(throttled, retry)
    return user


def user_of(ctx: ServerRequestContext) -> AbstractBaseUser:
    """The acting user of one MCP message: the user this app authenticated for the HTTP request carrying it."""
    if ctx.request is None or "user" not in ctx.request.scope:
        raise RuntimeError("An MCP message arrived without an authenticated HTTP request.")
    return ctx.request.scope["user"]


async def _refuse(send, refusal: Refusal) -> None:
    body = json.dumps({"message": refusal.message, "code": refusal.code}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        *refusal.headers,
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class _Running:
    manager: StreamableHTTPSessionManager
    ready: asyncio.Event
    task: asyncio.Task


class McpHttpApp:
    """The ASGI app for /mcp and /mcp/ (config/asgi.py routes those paths here, before Django)."""

    def __init__(self) -> None:
        self.server = build_server(user_of)
        self._running: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Running] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"MCP serves HTTP only, not {scope['type']!r}.")
        headers = dict(scope["headers"])  # ASGI header names are lower-case; a repeated header: the last wins
        refusal = _check_host_and_origin(headers, scope.get("scheme") or "http")
        if refusal is None:
            user = await database_sync_to_async(authenticate)(headers.get(b"authorization"))
            if not isinstance(user, Refusal):
                manager = await self._manager()
                await manager.handle_request({**scope, "user": user}, receive, send)
                return
            refusal = user
        await _refuse(send, refusal)

    async def _manager(self) -> StreamableHTTPSessionManager:
        loop = asyncio.get_running_loop()
        running = self._running.get(loop)
        if running is None or running.task.done():
            # A manager runs once (the SDK's rule): a new one for a new loop or after one stopped.
            manager = StreamableHTTPSessionManager(app=self.server, stateless=True, json_response=True)
            ready = asyncio.Event()
            task = loop.create_task(self._run(manager, ready), name="mcp-session-manager")
            running = self._running[loop] = _Running(manager, ready, task)
        await running.ready.wait()
        if running.task.done():
            raise RuntimeError("The MCP session manager did not start (see the log).")
        return running.manager

    @staticmethod
    async def _run(manager: StreamableHTTPSessionManager, ready: asyncio.Event) -> None:
        try:
            async with manager.run():
                ready.set()
                await asyncio.Future()  # until the loop shuts down
        except Exception:
            logger.exception("The MCP session manager stopped")
        finally:
            ready.set()  # wake the waiters; they see the task is done and fail this request, the next restarts it
