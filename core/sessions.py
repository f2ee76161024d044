"""Is a login session still the one it was? For long-lived connections (websockets) that authenticated once."""

from __future__ import annotations

import functools
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

_DB_SESSIONS = "django.contrib.sessions.backends.db"


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
    verdict = _is_users_session(session_key, user_id)
    if verdict is None:  # a case the short path does not decide: Django's own check
        verdict = session_user_id(session_key) == user_id
    if not verdict:
        raise SessionEnded


def _is_users_session(session_key: str | None, user_id: int) -> bool | None:
    """Django's check (auth.get_user) for a user known in advance, in one query that reads only the session's data
    and the user's password hash and flag, instead of two that build a session store and a whole user: ~40% of a
    websocket turn's first database hop. None where it would differ from Django's: sessions not in the database,
    a backend with its own get_user, a hash that only a fallback secret key signed (Django then rotates it)."""
    if not session_key:
        return False
    if settings.SESSION_ENGINE != _DB_SESSIONS:
        return None
    user_model = auth.get_user_model()
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(_session_and_user_sql(user_model), [session_key, now, user_id])
        row = cursor.fetchone()
    if row is None:  # no such live session, or no such user
        return False
    data, password, is_active = row
    session = import_module(_DB_SESSIONS).SessionStore().decode(data)
    backend_path = session.get(auth.BACKEND_SESSION_KEY)
    if (
        str(session.get(auth.SESSION_KEY)) != str(user_id)
        or backend_path not in settings.AUTHENTICATION_BACKENDS
    ):
        return False
    backend = auth.load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        return None
    user = user_model(pk=user_id, password=password, is_active=is_active)
    if not backend.user_can_authenticate(user):
        return False
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return None if session_hash else False


@functools.cache
def _session_and_user_sql(user_model: type) -> str:
    """The live session's data and the user's password hash and flag: one row, or none (plain SQL: building the
    ORM query cost more than the query itself)."""
    q = connection.ops.quote_name
    session, user = Session._meta, user_model._meta
    data, expires, key = (
        q(session.get_field(name).column) for name in ("session_data", "expire_date", "session_key")
    )
    password, active, pk = (
        q(user.get_field(name).column) for name in ("password", "is_active", user.pk.name)
    )
    tables = f"{q(session.db_table)} s, {q(user.db_table)} u"
    # Identifiers from the models' metadata, quoted; every value is a parameter.
    return f"SELECT s.{data}, u.{password}, u.{active} FROM {tables} WHERE s.{key} = %s AND s.{expires} > %s AND u.{pk} = %s"  # noqa: E501, S608
