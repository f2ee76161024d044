"""API tokens (knox): hashed at rest, expiring, revocable by their holder, revoked by a password change."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from users.authentication import BearerTokenAuthentication
from users.tests.factories import USER_PASSWORD
from users.tokens import token_create

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(user) -> str:
    response = APIClient().post(
        TOKEN_URL, {"username": user.username, "password": USER_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def test_delete_revokes_the_callers_token_only(user):
    revoked, kept = login(user), login(user)

    response = bearer(revoked).delete(TOKEN_URL)

    assert response.status_code == 204
    after = bearer(revoked).get("/api/tasks/")
    assert after.status_code == 401 and after.json()["code"] == "authentication_failed"
    assert bearer(kept).get("/api/tasks/").status_code == 200


def test_delete_needs_a_bearer_token(auth_client):
    anonymous = APIClient().delete(TOKEN_URL)
    with_a_session = auth_client.delete(TOKEN_URL)  # a session is not a token: nothing to revoke

    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    assert with_a_session.status_code == 401


def test_tokens_expire_after_the_configured_days(user):
    token = login(user)
    row = AuthToken.objects.get(user=user)

    assert abs(row.expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)

    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = bearer(token).get("/api/tasks/")

    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.exists()  # knox deletes an expired token when it is used


def test_a_password_change_revokes_every_token(user):
    first, second = login(user), login(user)

    user.set_password("a-brand-new-password-2026")
    user.save()

    assert [bearer(t).get("/api/tasks/").status_code for t in (first, second)] == [401, 401]
    assert not AuthToken.objects.filter(user=user).exists()


def test_saving_the_user_without_a_new_password_keeps_the_tokens(user, other_user):
    token = login(user)
    theirs = login(other_user)
    user.timezone = "Europe/Paris"
    user.save()
    other_user.set_password("another-new-password-2026")
    other_user.save()

    assert bearer(token).get("/api/tasks/").status_code == 200
    assert bearer(theirs).get("/api/tasks/").status_code == 401


def test_logging_in_on_the_page_keeps_the_tokens(client, user):
    token = login(user)

    client.post(
        "/accounts/login/", {"username": user.username, "password": USER_PASSWORD}
    )  # saves last_login

    assert bearer(token).get("/api/tasks/").status_code == 200


def test_no_raw_token_is_stored(user):
    token = login(user)

    row = AuthToken.objects.get(user=user)
    assert row.digest == hashlib.sha512(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored
    assert token[:15] in stored and token[15:] not in stored  # knox keeps a lookup prefix, never the rest


def test_a_non_utf8_token_is_a_401_not_a_500(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer \xff\xfe")

    response = client.get("/api/tasks/")

    assert response.status_code == 401


def test_the_token_fixture_and_helper_make_working_tokens(token_client, user):
    _, raw = token_create(user=user, ttl=timedelta(hours=1))

    assert token_client.get("/api/tasks/").status_code == 200
    assert bearer(raw).get("/api/tasks/").status_code == 200


def test_a_request_checks_its_token_in_one_query(user, other_user, django_assert_num_queries):
    token = login(user)
    login(other_user)
    AuthToken.objects.filter(user=other_user).update(expiry=timezone.now() - timedelta(seconds=1))

    with django_assert_num_queries(1):
        authenticated, row = BearerTokenAuthentication().authenticate_credentials(token.encode())

    assert authenticated == user and row.user_id == user.pk


def test_the_token_and_its_user_are_loaded_whole(user):
    token = login(user)
    user.refresh_from_db()

    authenticated, row = BearerTokenAuthentication().authenticate_credentials(token.encode())

    stored = AuthToken.objects.get(user=user)
    for instance, expected in ((authenticated, user), (row, stored)):
        assert not instance._state.adding
        for field in type(expected)._meta.concrete_fields:
            assert getattr(instance, field.attname) == getattr(expected, field.attname), field.name
    assert row.user is authenticated and row.expiry.tzinfo is not None


def test_a_new_token_clears_the_users_expired_ones(user, other_user):
    old = login(user)
    login(other_user)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    fresh = login(user)

    assert bearer(fresh).get("/api/tasks/").status_code == 200
    assert AuthToken.objects.filter(user=user).count() == 1  # the expired one went with the new login
    assert AuthToken.objects.filter(user=other_user).count() == 1  # nobody else's
    assert bearer(old).get("/api/tasks/").status_code == 401
