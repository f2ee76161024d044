"""/settings/tokens/: the user's tokens (prefix, created, expiry), created (shown once) and revoked; and the admin,
which shows prefixes, never tokens."""

import re

import pytest
from knox.models import AuthToken

from users.tests.factories import UserFactory
from users.tokens import token_create

pytestmark = pytest.mark.django_db

PAGE = "/settings/tokens/"


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_lists_my_tokens_by_prefix_only(logged_in, user, other_user):
    _, mine = token_create(user=user)
    _, theirs = token_create(user=other_user)

    html = logged_in.get(PAGE).content.decode()

    assert mine[:8] + "…" in html
    assert mine not in html
    assert theirs[:8] not in html
    assert "Create token" in html and "Revoke" in html


def test_creating_shows_the_full_token_once(logged_in, user):
    response = logged_in.post(f"{PAGE}create/")

    html = response.content.decode()
    token = re.search(r'<code id="new-token">([0-9a-f]{64})</code>', html).group(1)
    assert response["Cache-Control"] == "no-store"
    assert AuthToken.objects.filter(user=user).count() == 1
    assert token not in logged_in.get(PAGE).content.decode()
    assert logged_in.get("/api/tasks/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_htmx_gets_the_fragment(logged_in):
    response = logged_in.post(f"{PAGE}create/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'id="api-tokens"' in html
    assert "<html" not in html


def test_revoking_my_token(logged_in, user):
    row, raw = token_create(user=user)

    response = logged_in.post(f"{PAGE}{row.token_key}/revoke/")

    assert response.status_code == 302 and response["Location"] == PAGE
    assert not AuthToken.objects.filter(user=user).exists()
    assert logged_in.get("/api/tasks/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_someone_elses_token_cannot_be_revoked(logged_in, other_user):
    row, _ = token_create(user=other_user)

    response = logged_in.post(f"{PAGE}{row.token_key}/revoke/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "was not found" in response.content.decode()
    assert AuthToken.objects.filter(pk=row.pk).exists()


def test_actions_need_post(logged_in):
    assert logged_in.get(f"{PAGE}create/").status_code == 405


def test_the_admin_lists_token_prefixes_never_tokens(client, user):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    _, raw = token_create(user=user)

    html = client.get("/admin/knox/authtoken/").content.decode()

    assert raw[:8] + "…" in html and user.username in html
    assert raw not in html
    assert client.get("/admin/knox/authtoken/add/").status_code == 403
