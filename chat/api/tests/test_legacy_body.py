"""POST /api/{user_id}/chat takes the original README's curl request: a JSON object whatever the Content-Type."""

import json
from urllib.parse import quote

import pytest

from chat.models import Message

# Turns run in their own thread: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

BODY = json.dumps({"message": "Add a task to buy milk + eggs (100%)"})


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (BODY, "application/x-www-form-urlencoded"),  # curl -d '{"message": ...}'
        (BODY, "application/json"),
        (BODY, "text/plain"),
        (quote(BODY), "application/x-www-form-urlencoded"),  # curl --data-urlencode
    ],
    ids=["curl-d", "json", "text-plain", "urlencoded-json"],
)
def test_the_original_curl_request_works(token_client, user, emulator, body, content_type):
    response = token_client.generic("POST", f"/api/{user.pk}/chat", body, content_type=content_type)

    assert response.status_code == 200, response.content
    assert response.json()["tool_calls"][0]["tool"] == "add_task"
    saved = Message.objects.get(role="user")
    assert saved.content == "Add a task to buy milk + eggs (100%)"  # no "+" turned into a space


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[1, 2]", "application/json"),
        ('"just a string"', "application/x-www-form-urlencoded"),
        ("message=hello", "application/x-www-form-urlencoded"),
        ("{not json", "application/x-www-form-urlencoded"),
        ("a=1&b=2", "application/x-www-form-urlencoded"),
        ("\xff\xfe", "application/octet-stream"),
    ],
)
def test_anything_but_a_json_object_is_a_clear_400(token_client, user, emulator, body, content_type):
    response = token_client.generic("POST", f"/api/{user.pk}/chat", body, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == {
        "message": 'The body must be a JSON object, e.g. {"message": "Add a task to buy milk"}.',
        "code": "parse_error",
    }
    assert not Message.objects.exists()


@pytest.mark.parametrize("length", [4097, 100_001])
@pytest.mark.parametrize("url", ["/api/chat/", "legacy"])
def test_any_message_over_the_limit_is_message_too_long(token_client, user, emulator, length, url):
    url = f"/api/{user.pk}/chat" if url == "legacy" else url

    response = token_client.post(url, {"message": "x" * length}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "message_too_long"


def test_the_limit_counts_after_trimming(token_client, emulator):
    response = token_client.post(
        "/api/chat/", {"message": "  " + "add a task to buy milk" + " " * 5000}, format="json"
    )

    assert response.status_code == 200
    assert Message.objects.get(role="user").content == "add a task to buy milk"


def test_a_lone_surrogate_is_a_clear_400(token_client, emulator):
    response = token_client.generic(
        "POST", "/api/chat/", '{"message": "milk \\ud800"}', content_type="application/json"
    )

    assert (
        response.status_code == 400 and "Surrogate characters" in response.json()["message"]
    )  # DRF's CharField says so
    assert not Message.objects.exists()
