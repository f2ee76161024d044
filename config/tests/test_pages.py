"""The server-rendered pages wired in config/urls.py: login, logout and the home page behind them."""

import pytest
from django.utils import timezone

from tasks.tests.factories import TaskFactory
from users.tests.factories import USER_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders_a_form(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" action="/accounts/login/">' in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_home_sends_anonymous_visitors_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_logging_in_with_the_form_lands_on_home(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": USER_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_shows_the_form_again_with_an_error(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": "nope"})

    assert response.status_code == 200
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
    assert client.get("/").status_code == 302


def test_login_page_sends_a_logged_in_user_home(client, user):
    client.force_login(user)

    response = client.get("/accounts/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_home_shows_my_tasks_only(client, user, other_user):
    TaskFactory(owner=user, title="My pending task")
    TaskFactory(owner=user, title="My finished task", completed=True, completed_at=timezone.now())
    TaskFactory(owner=user, title="My deleted task", deleted_at=timezone.now())
    TaskFactory(owner=other_user, title="Someone else's task")
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "My pending task" in html and "My finished task" in html
    assert "My deleted task" not in html
    assert "Someone else" not in html


def test_logout_ends_the_session(client, user):
    client.force_login(user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_unknown_page_outside_the_api_is_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
