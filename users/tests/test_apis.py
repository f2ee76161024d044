import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tasks.tests.factories import TaskFactory
from users.tests.factories import USER_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def test_good_credentials_get_a_new_token_and_its_expiry(api_client, user):
    response = api_client.post(
        TOKEN_URL, {"username": user.username, "password": USER_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    assert len(body["token"]) == 64
    assert AuthToken.objects.get(user=user).expiry.isoformat().replace("+00:00", "Z") == body["expiry"]


def test_asking_again_gives_another_token_and_both_work(api_client, user):
    credentials = {"username": user.username, "password": USER_PASSWORD}

    first = api_client.post(TOKEN_URL, credentials, format="json").json()["token"]
    second = api_client.post(TOKEN_URL, credentials).json()["token"]

    assert first != second
    for token in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/api/tasks/").status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [{"username": "alice", "password": "wrong"}, {"username": "nobody", "password": USER_PASSWORD}],
    ids=["wrong-password", "unknown-user"],
)
def test_bad_credentials_get_401_json(api_client, user, credentials):
    response = api_client.post(TOKEN_URL, credentials, format="json")

    assert response.status_code == 401
    assert response.json() == {"message": "Wrong username or password.", "code": "invalid_credentials"}
    assert not AuthToken.objects.exists()


def test_inactive_user_gets_no_token(api_client, user):
    user.is_active = False
    user.save()

    response = api_client.post(
        TOKEN_URL, {"username": user.username, "password": USER_PASSWORD}, format="json"
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "missing"),
    [
        ({}, {"username", "password"}),
        ({"username": "alice"}, {"password"}),
        ({"password": "x"}, {"username"}),
    ],
)
def test_missing_fields_get_400_naming_them(api_client, payload, missing):
    response = api_client.post(TOKEN_URL, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == missing


def test_token_endpoint_only_accepts_post(api_client):
    response = api_client.get(TOKEN_URL)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_the_token_works_as_a_bearer_header(api_client, user):
    TaskFactory(owner=user, title="Mine")
    token = api_client.post(TOKEN_URL, {"username": user.username, "password": USER_PASSWORD}).json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/tasks/")

    assert response.status_code == 200
    assert [t["title"] for t in response.json()["results"]] == ["Mine"]


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-real-token", "Bearer", "Bearer two words"],
    ids=["unknown-token", "no-token", "spaces"],
)
def test_a_bad_bearer_token_gets_401_json(api_client, user, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get("/api/tasks/")

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "authentication_failed"
    assert body["message"]


def test_a_token_of_a_deactivated_user_stops_working(token_client, user):
    user.is_active = False
    user.save()

    response = token_client.get("/api/tasks/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_login_is_throttled_with_json_429(api_client, user, monkeypatch):
    # DRF copies DEFAULT_THROTTLE_RATES into the class when it is imported, so overriding settings is too late.
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "login": "3/min"}
    )
    wrong = {"username": user.username, "password": "guess"}

    statuses = [api_client.post(TOKEN_URL, wrong, format="json").status_code for _ in range(3)]
    throttled = api_client.post(
        TOKEN_URL, {"username": user.username, "password": USER_PASSWORD}, format="json"
    )

    assert statuses == [401, 401, 401]
    assert throttled.status_code == 429
    body = throttled.json()
    assert body["code"] == "throttled"
    assert body["message"].startswith("Request was throttled.")
    assert int(throttled["Retry-After"]) > 0


def test_the_configured_login_rate_applies_to_good_logins_too(api_client, user):
    limit, _ = ScopedRateThrottle().parse_rate(
        ScopedRateThrottle.THROTTLE_RATES["login"]
    )  # 10/min by default
    good = {"username": user.username, "password": USER_PASSWORD}

    statuses = [api_client.post(TOKEN_URL, good, format="json").status_code for _ in range(limit + 1)]

    assert statuses == [200] * limit + [429]


@pytest.mark.parametrize(("proxies", "last_status"), [(0, 429), (1, 200)])
def test_x_forwarded_for_counts_only_behind_trusted_proxies(
    api_client, user, monkeypatch, settings, proxies, last_status
):
    settings.TRUSTED_PROXIES = proxies
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "login": "3/min"}
    )
    good = {"username": user.username, "password": USER_PASSWORD}

    statuses = [
        api_client.post(TOKEN_URL, good, format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, last_status]


# --- schema and docs -----------------------------------------------------------------------------------------


def test_openapi_schema_lists_the_endpoints(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Todo Assistant API"
    assert {
        "/api/auth/token/",
        "/api/tasks/",
        "/api/tasks/{task_id}/",
        "/api/tasks/{task_id}/complete/",
        "/api/tasks/{task_id}/reopen/",
        "/api/tasks/{task_id}/restore/",
    } <= set(schema["paths"])


def test_swagger_docs_page_loads(api_client):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"/api/schema/" in response.content


def test_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert "/api/tasks/{task_id}/complete/" in out.read_text()
