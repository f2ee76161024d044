"""Is a login session still the one it was? For long-lived connections (websockets) that authenticated once."""

from __future__ import annotations

import functools
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core import rows

_DB_SESSIONS = "django.contrib.sessions.backends.db"


def session_user(session: SessionBase) -> AbstractBaseUser | AnonymousUser:
    """The user logged in with this session, or AnonymousUser: Django's auth.get_user, decided in two plain queries
    (the live session's data, then the user) where it can be. For websocket connects (core.ws_auth): Django's
    path loads the session store and runs two ORM queries, ~1.1 ms on SQLite and ~1.7 ms on PostgreSQL a connect.
    Where Django's check runs, it runs on `session` itself (it may flush it, or re-sign it under a new key)."""
    user = _short_session_user(session.session_key)
    if user is None:  # a case the short path does not decide
        request = HttpRequest()
        request.session = session
        user = auth.get_user(request)
    return user


def _short_session_user(session_key: str | None) -> AbstractBaseUser | AnonymousUser | None:
    """As auth.get_user decides, or None where deciding would change the session (a hash that does not verify:
    Django flushes the session, or re-signs it when a fallback secret signed it) or where another engine or
    backend is involved."""
    if not session_key:
        return AnonymousUser()
    if settings.SESSION_ENGINE != _DB_SESSIONS:
        return None
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(_session_data_sql(), [session_key, now])
        row = cursor.fetchone()
    if row is None:  # no such live session
        return AnonymousUser()
    session = import_module(_DB_SESSIONS).SessionStore().decode(row[0])
    user_model = auth.get_user_model()
    try:
        user_id = user_model._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None if auth.SESSION_KEY in session else AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = auth.load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        return None
    user = _user_by_pk(user_model, user_id)
    if user is None or not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    return None


def _user_by_pk(user_model: type[AbstractBaseUser], pk: object) -> AbstractBaseUser | None:
    """The user as `_default_manager.get(pk=...)` loads it."""
    names, cols = rows.columns(user_model, "u")
    q, meta = connection.ops.quote_name, user_model._meta
    # Identifiers from the model's metadata, quoted; the value is a parameter.
    sql = f"SELECT {names} FROM {q(meta.db_table)} u WHERE u.{q(meta.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return None if row is None else rows.from_row(user_model, cols, row)


@functools.cache
def _session_data_sql() -> str:
    q, meta = connection.ops.quote_name, Session._meta
    data, expires, key = (
        q(meta.get_field(name).column) for name in ("session_data", "expire_date", "session_key")
    )
    return f"SELECT {data} FROM {q(meta.db_table)} WHERE {key} = %s AND {expires} > %s"  # noqa: S608


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
