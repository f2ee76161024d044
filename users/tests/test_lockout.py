"""Login lockout (django-axes, settings AXES_*): the same policy on the login page, the admin login and the token
endpoint; per username and per client IP; a clear 429 (never a 500); it lifts on its own."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from users.tests.factories import USER_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"
LIMIT = 5  # LOGIN_FAILURE_LIMIT's default


def post_login(client: Client, url: str, username: str, password: str, **extra):
    if url == TOKEN_URL:
        return client.post(url, {"username": username, "password": password}, format="json", **extra)
    return client.post(url, {"username": username, "password": password}, **extra)


@pytest.fixture
def staff(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    ("url", "wrong_status"),
    [("/accounts/login/", 200), ("/admin/login/", 200), (TOKEN_URL, 401)],
    ids=["login-page", "admin", "token-endpoint"],
)
def test_the_fifth_failure_locks_and_even_the_right_password_is_then_refused(staff, url, wrong_status):
    client = APIClient()

    answers = [post_login(client, url, staff.username, f"guess-{n}") for n in range(LIMIT)]
    sixth = post_login(client, url, staff.username, USER_PASSWORD)

    assert [a.status_code for a in answers] == [wrong_status] * (LIMIT - 1) + [429]
    assert sixth.status_code == 429
    assert int(sixth["Retry-After"]) == 15 * 60
    text = sixth.content.decode()
    assert "Too many failed login attempts. Try again in 15 minutes." in text
    if url == TOKEN_URL:
        assert sixth.json() == {
            "message": "Too many failed login attempts. Try again in 15 minutes.",
            "code": "locked_out",
        }
    else:
        assert "<html" in text and "_auth_user_id" not in client.session


def test_the_lockout_is_shared_between_the_three_doors(user):
    client = APIClient()
    for url in ["/accounts/login/", "/admin/login/", TOKEN_URL, "/accounts/login/", TOKEN_URL]:
        post_login(client, url, user.username, "guess")

    assert post_login(client, TOKEN_URL, user.username, USER_PASSWORD).status_code == 429
    assert post_login(client, "/accounts/login/", user.username, USER_PASSWORD).status_code == 429


def test_one_ip_is_locked_out_whatever_usernames_it_tries(user):
    client = APIClient()
    for n in range(LIMIT):
        post_login(client, TOKEN_URL, f"nobody{n}", "guess")

    assert post_login(client, TOKEN_URL, user.username, USER_PASSWORD).status_code == 429


def test_one_username_is_locked_out_from_every_ip(user):
    for n in range(LIMIT):
        post_login(APIClient(), TOKEN_URL, user.username, "guess", REMOTE_ADDR=f"10.0.0.{n + 1}")

    response = post_login(APIClient(), TOKEN_URL, user.username, USER_PASSWORD, REMOTE_ADDR="10.9.9.9")

    assert response.status_code == 429


def test_rotating_x_forwarded_for_does_not_help_without_trusted_proxies(user, settings):
    settings.TRUSTED_PROXIES = 0
    client = APIClient()
    for n in range(LIMIT):
        post_login(client, TOKEN_URL, f"nobody{n}", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = post_login(
        client, TOKEN_URL, user.username, USER_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    assert response.status_code == 429


def test_behind_one_trusted_proxy_x_forwarded_for_names_the_client(user, settings):
    settings.TRUSTED_PROXIES = 1
    client = APIClient()
    for n in range(LIMIT):  # one client behind the proxy, guessing many usernames
        post_login(client, TOKEN_URL, f"nobody{n}", "guess", HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.5")

    locked = post_login(client, TOKEN_URL, "someone", "guess", HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = post_login(client, TOKEN_URL, user.username, USER_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert locked.status_code == 429
    assert other.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_the_lockout_lifts_on_its_own_after_the_cool_off(user):
    client = APIClient()
    for _ in range(LIMIT):
        post_login(client, TOKEN_URL, user.username, "guess")
    assert post_login(client, TOKEN_URL, user.username, USER_PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert post_login(client, TOKEN_URL, user.username, USER_PASSWORD).status_code == 200


def test_a_few_mistakes_then_the_right_password_logs_in(client, user):
    for _ in range(LIMIT - 1):
        post_login(client, "/accounts/login/", user.username, "guess")

    response = post_login(client, "/accounts/login/", user.username, USER_PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/"


def test_authenticate_without_a_request_still_checks_the_password(user):
    assert authenticate(username=user.username, password=USER_PASSWORD) == user
    assert authenticate(username=user.username, password="guess") is None
