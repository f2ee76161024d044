"""Websocket authentication: Channels' session and auth middleware, with the user resolved by core.sessions.

Channels' AuthMiddleware asks Django's auth.get_user, which builds a session store and runs two ORM queries: about
1.1 ms on SQLite and 1.7 ms on PostgreSQL a connect, and the chat opens a socket per page. core.sessions decides
the same in two plain queries, and leaves to Django the cases it does not decide (other session engines or
backends, a hash that does not verify)."""

from __future__ import annotations

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware, SessionMiddleware

from core.sessions import session_user


class SessionAuthMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope: dict) -> None:
        scope["user"]._wrapped = await database_sync_to_async(session_user)(scope["session"])


def SessionAuthMiddlewareStack(inner):  # noqa: N802  (as Channels names its AuthMiddlewareStack)
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(inner)))
