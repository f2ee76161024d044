"""core.sessions: the one-query session check decides exactly as Django's own (auth.get_user) in every case."""

import datetime

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.sessions import SessionEnded, _is_users_session, require_session, session_user, session_user_id
from users.models import User

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


def passes(session_key: str | None, user_id: int) -> bool:
    try:
        require_session(session_key, user_id)
    except SessionEnded:
        return False
    return True


@pytest.fixture
def alice():
    return User.objects.create_user(username="alice", password="pw-alice-1")


@pytest.fixture
def bob():
    return User.objects.create_user(username="bob", password="pw-bob-1")


def test_a_live_session_of_the_user_passes_in_one_query(alice):
    key = logged_in(alice)
    with CaptureQueriesContext(connection) as queries:
        assert passes(key, alice.pk)
    assert len(queries) == 1


def _logged_out(alice, bob):
    key = logged_in(alice)
    Session.objects.filter(session_key=key).delete()
    return key, alice.pk


def _expired(alice, bob):
    key = logged_in(alice)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    return key, alice.pk


def _password_changed(alice, bob):
    key = logged_in(alice)
    alice.set_password("a-new-one-2")
    alice.save()
    return key, alice.pk


def _deactivated(alice, bob):
    key = logged_in(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    return key, alice.pk


def _someone_elses(alice, bob):
    return logged_in(bob), alice.pk


def _user_deleted(alice, bob):
    key = logged_in(alice)
    pk = alice.pk
    alice.delete()
    return key, pk


def _no_hash(alice, bob):
    key = logged_in(alice)
    session = Session.objects.get(session_key=key)
    data = session.get_decoded()
    del data[HASH_SESSION_KEY]
    Session.objects.filter(session_key=key).update(session_data=Session.objects.encode(data))
    return key, alice.pk


def _unknown_backend(alice, bob):
    key = logged_in(alice)
    session = Session.objects.get(session_key=key)
    data = session.get_decoded()
    data["_auth_user_backend"] = "somewhere.else.Backend"
    Session.objects.filter(session_key=key).update(session_data=Session.objects.encode(data))
    return key, alice.pk


def _no_such_key(alice, bob):
    return "x" * 32, alice.pk


def _no_key(alice, bob):
    return None, alice.pk


def _valid(alice, bob):
    return logged_in(alice), alice.pk


@pytest.mark.parametrize(
    "case",
    [
        _valid,
        _logged_out,
        _expired,
        _password_changed,
        _deactivated,
        _someone_elses,
        _user_deleted,
        _no_hash,
        _unknown_backend,
        _no_such_key,
        _no_key,
    ],
)
def test_the_short_check_agrees_with_djangos(alice, bob, case):
    key, user_id = case(alice, bob)
    ours = passes(key, user_id)
    djangos = session_user_id(key) == user_id  # Django's auth.get_user may flush the session: asked last
    assert ours == djangos == (case is _valid)


@pytest.mark.parametrize(
    "case",
    [
        _valid,
        _logged_out,
        _expired,
        _password_changed,
        _deactivated,
        _user_deleted,
        _no_hash,
        _unknown_backend,
        _no_such_key,
        _no_key,
    ],
)
def test_the_connect_check_finds_the_user_django_finds(alice, bob, case):
    key, _ = case(alice, bob)
    ours = session_user(SessionStore(key))
    djangos = session_user_id(key)  # Django's auth.get_user may flush the session: asked last
    assert (ours.pk if ours.is_authenticated else None) == djangos
    assert (djangos is not None) == (case is _valid)


def test_the_connect_check_loads_the_whole_user_in_two_queries(alice):
    User.objects.filter(pk=alice.pk).update(timezone="Asia/Tokyo", last_login=timezone.now())
    key = logged_in(alice)
    expected = User.objects.get(pk=alice.pk)
    with CaptureQueriesContext(connection) as queries:
        user = session_user(SessionStore(key))
    assert len(queries) == 2
    assert type(user) is User and not user._state.adding
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    assert user.last_login.tzinfo is not None and user.is_active is True


def test_a_hash_signed_with_a_fallback_secret_is_left_to_django(alice, settings):
    """Django rotates such a session to the current key; the short path does not decide it."""
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    old = logged_in_with_hash_of(alice, settings.SECRET_KEY_FALLBACKS[0])
    assert _is_users_session(old, alice.pk) is None
    session = SessionStore(old)
    assert session_user(session) == alice  # Django's check accepts it, and re-signs it under a new key
    assert session.session_key != old and passes(session.session_key, alice.pk)


def logged_in_with_hash_of(user: User, secret: str) -> str:
    from django.utils.crypto import salted_hmac

    key = logged_in(user)
    session = Session.objects.get(session_key=key)
    data = session.get_decoded()
    data[HASH_SESSION_KEY] = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        user.password,
        secret=secret,
        algorithm="sha256",
    ).hexdigest()
    Session.objects.filter(session_key=key).update(session_data=Session.objects.encode(data))
    return key
