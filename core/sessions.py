"""Is a login session still the one it was? For long-lived connections (websockets) that authenticated once."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest


def session_user_id(session_key: str | None) -> int | None:
    """The id of the user logged in with this session now, or None: logged out, expired, deleted, or its password
    changed since (Django's own check: the session's auth hash, an active user)."""
    if not session_key:
        return None
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = auth.get_user(request)
    return user.pk if user.is_authenticated else None


class SessionEnded(Exception):
    """A connection's login session is no longer its user's (see session_user_id)."""


def require_session(session_key: str | None, user_id: int) -> None:
    """Raise SessionEnded unless this session is still `user_id`'s: a check run inside a larger database hop
    (a websocket's turn start runs it first, before anything is saved)."""
    if session_user_id(session_key) != user_id:
        raise SessionEnded
