"""/api/me/: the user's zone and calendar URL; PATCH the zone; regenerate the calendar secret."""

import pytest

from users.models import User

pytestmark = pytest.mark.django_db


def test_me_requires_login(api_client):
    assert api_client.get("/api/me/").status_code == 401


def test_get_me(token_client, user):
    response = token_client.get("/api/me/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"username", "timezone", "calendar_url"}
    assert (body["username"], body["timezone"]) == ("alice", "UTC")
    assert body["calendar_url"].startswith("http://testserver/calendar/") and body["calendar_url"].endswith(
        ".ics"
    )
    assert (
        token_client.get("/api/me/").json()["calendar_url"] == body["calendar_url"]
    )  # stable until regenerated


def test_patch_timezone_marks_it_chosen(token_client, user):
    response = token_client.patch("/api/me/", {"timezone": "Asia/Kolkata"}, format="json")

    assert response.status_code == 200
    assert response.json()["timezone"] == "Asia/Kolkata"
    user.refresh_from_db()
    assert (user.timezone, user.timezone_chosen) == ("Asia/Kolkata", True)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "utc+2"])
def test_unknown_zone_is_400_naming_the_field(token_client, user, zone):
    response = token_client.patch("/api/me/", {"timezone": zone}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_timezone", "timezone") and body["message"]
    user.refresh_from_db()
    assert (user.timezone, user.timezone_chosen) == ("UTC", False)


def test_regenerate_makes_the_old_url_404(token_client, api_client, user):
    old = token_client.get("/api/me/").json()["calendar_url"]
    assert api_client.get(old.removeprefix("http://testserver")).status_code == 200

    response = token_client.post("/api/me/calendar/regenerate/")

    new = response.json()["calendar_url"]
    assert response.status_code == 200 and new != old
    assert api_client.get(old.removeprefix("http://testserver")).status_code == 404
    assert api_client.get(new.removeprefix("http://testserver")).status_code == 200


def test_the_token_is_stored_with_its_digest(token_client, user):
    token_client.get("/api/me/")
    user = User.objects.get(pk=user.pk)
    assert len(user.calendar_token) >= 43 and len(user.calendar_token_digest) == 64


def test_me_is_in_the_openapi_schema(token_client):
    schema = token_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"get", "patch"} <= set(schema["paths"]["/api/me/"])
    assert "post" in schema["paths"]["/api/me/calendar/regenerate/"]
