"""The settings page (time zone, calendar feed) and the chat page's time zone prompt."""

import re

import pytest
from django.test import Client

from users.models import User

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


def calendar_url(html: str) -> str:
    return re.search(r'id="calendar-url" value="([^"]+)"', html).group(1)


def test_settings_needs_a_login(client):
    response = client.get("/settings/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/settings/"


def test_the_settings_page_shows_the_zone_a_searchable_list_and_the_calendar_url(client_in, user):
    html = client_in.get("/settings/").content.decode()

    assert '<label for="timezone-input">' in html
    assert 'id="timezone-input" name="timezone" list="timezone-list" value="UTC"' in html
    assert '<option value="Europe/Paris">' in html and '<option value="Asia/Tokyo">' in html
    assert '<label for="calendar-url">' in html
    url = calendar_url(html)
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    assert calendar_url(client_in.get("/settings/").content.decode()) == url  # stable until regenerated
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_chat_page_links_to_settings(client_in):
    assert 'href="/settings/" id="settings-link"' in client_in.get("/").content.decode()


def test_saving_a_zone_marks_it_chosen(client_in, user):
    response = client_in.post("/settings/timezone/", {"timezone": "Europe/Paris"})

    assert response.status_code == 302 and response["Location"] == "/settings/"
    user.refresh_from_db()
    assert (user.timezone, user.timezone_chosen) == ("Europe/Paris", True)
    html = client_in.get("/settings/").content.decode()
    assert "Your time zone is now Europe/Paris." in html and 'value="Europe/Paris"' in html
    assert " in Europe/Paris." in html  # the local time there


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "europe/paris", "<script>"])
def test_an_unknown_zone_is_refused_and_kept_in_the_field(client_in, user, zone):
    response = client_in.post("/settings/timezone/", {"timezone": zone})

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        'class="form-error" id="timezone-error" role="alert"' in html and "is not a known time zone" in html
    )
    assert 'aria-invalid="true"' in html
    assert "<script>" not in html.split("<body", 1)[1].replace("<script src=", "")
    user.refresh_from_db()
    assert (user.timezone, user.timezone_chosen) == ("UTC", False)


def test_regenerate_makes_a_new_url_and_the_old_one_stops_working(client_in, user):
    old = calendar_url(client_in.get("/settings/").content.decode())
    assert client_in.get(old.removeprefix("http://testserver")).status_code == 200

    response = client_in.post("/settings/calendar/regenerate/")

    assert response.status_code == 302 and response["Location"] == "/settings/#calendar"
    html = client_in.get("/settings/").content.decode()
    new = calendar_url(html)
    assert new != old and "The old one no longer works." in html
    assert client_in.get(old.removeprefix("http://testserver")).status_code == 404
    assert client_in.get(new.removeprefix("http://testserver")).status_code == 200


def test_settings_posts_need_post_and_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/settings/timezone/").status_code == 405
    assert client.get("/settings/calendar/regenerate/").status_code == 405
    assert client.post("/settings/timezone/", {"timezone": "Asia/Tokyo"}).status_code == 403
    assert client.post("/settings/calendar/regenerate/").status_code == 403

    page = client.get("/settings/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post("/settings/timezone/", {"timezone": "Asia/Tokyo", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).timezone == "Asia/Tokyo"


# --- The chat page's prompt ----------------------------------------------------------------------------------
def test_the_prompt_is_on_the_chat_page_until_a_zone_is_chosen(client_in, user):
    html = client_in.get("/").content.decode()
    assert 'id="tz-prompt"' in html and 'data-current="UTC"' in html and ">Keep UTC</button>" in html
    assert html.count('hx-post="/settings/timezone/"') == 2

    user.timezone_chosen = True
    user.save()
    assert 'id="tz-prompt"' not in client_in.get("/").content.decode()


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC"])  # use the browser's, or keep the current one
def test_answering_the_prompt_stores_a_choice_and_refreshes_the_panel(client_in, user, zone):
    response = client_in.post("/settings/timezone/", {"timezone": zone}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        html.lstrip().startswith('<div id="tz-prompt"')
        and f'<strong id="tz-saved-zone">{zone}</strong>' in html
    )
    assert response["HX-Trigger"] == '{"timezone-changed": {}}'
    user.refresh_from_db()
    assert (user.timezone, user.timezone_chosen) == (zone, True)


def test_a_prompt_answer_the_server_refuses_says_so(client_in, user):
    response = client_in.post("/settings/timezone/", {"timezone": "Nowhere/Land"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and "tz-error" in html and "is not a known time zone" in html
    assert "HX-Trigger" not in response
    user.refresh_from_db()
    assert user.timezone_chosen is False
