"""HTTP edges: everything under /api/ answers JSON (CSRF failures, unknown paths with any method), a bad or
foreign Referer never becomes a 500 or an open redirect, and a NUL in a form is a clear 400."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from chat.models import Conversation
from core.api_errors import csrf_failure
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


# --- /api/ is JSON ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/nope/", "/api/nope", "/api/tasks/1/nope/", "/api/schema/nope/"])
def test_unknown_api_paths_are_json_404_for_every_method(token_client, method, path):
    response = getattr(token_client, method)(path, {"x": 1}, format="json")

    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_a_session_post_to_an_unknown_api_path_is_a_404_not_a_csrf_failure(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/api/nope/", {"x": "1"})

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def _plain_view(request):
    return HttpResponse("changed")


urlpatterns = [path("api/plain/", _plain_view)]  # a Django view under /api/ that is not csrf-exempt


@override_settings(ROOT_URLCONF=__name__)
def test_csrf_failures_under_api_are_json(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/api/plain/", {"x": "1"})

    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "message": "CSRF verification failed. API clients send `Authorization: Bearer <token>`.",
        "code": "csrf_failed",
    }


def test_the_csrf_failure_view_is_configured(settings):
    assert settings.CSRF_FAILURE_VIEW == "core.api_errors.csrf_failure"
    response = csrf_failure(RequestFactory().post("/api/x/"), reason="CSRF cookie not set.")
    assert response.status_code == 403 and json.loads(response.content)["code"] == "csrf_failed"


def test_csrf_failures_elsewhere_are_djangos_page(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/tasks/add/", {"title": "x"})

    assert response.status_code == 403 and b"CSRF" in response.content
    assert response["Content-Type"].startswith("text/html")


# --- Referer ----------------------------------------------------------------------------------------------------
@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("referer", "location"),
    [
        ("javascript:alert(document.cookie)", "/"),
        ("https://evil.test/phish", "/"),
        ("//evil.test/phish", "/"),
        ("http://testserver/c/7/", "http://testserver/c/7/"),
        (None, "/"),
    ],
)
def test_panel_posts_go_back_only_to_our_own_pages(logged_in, user, referer, location):
    task = TaskFactory(owner=user)
    headers = {"HTTP_REFERER": referer} if referer else {}

    response = logged_in.post(f"/tasks/{task.pk}/complete/", **headers)

    assert response.status_code == 302 and response["Location"] == location


@pytest.mark.parametrize("referer", ["javascript:alert(1)", "https://evil.test/"])
def test_conversation_actions_go_back_only_to_our_own_pages(logged_in, user, referer):
    conversation = Conversation.objects.create(owner=user, title="Old")

    response = logged_in.post(f"/c/{conversation.pk}/rename/", {"title": "New"}, HTTP_REFERER=referer)

    assert response.status_code == 302 and response["Location"] == "/"


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_an_https_page_is_not_sent_back_to_http(logged_in, user):
    task = TaskFactory(owner=user)

    response = logged_in.post(
        f"/tasks/{task.pk}/complete/", HTTP_REFERER="http://testserver/", HTTP_X_FORWARDED_PROTO="https"
    )

    assert response["Location"] == "/"


# --- NUL ------------------------------------------------------------------------------------------------------
def test_a_nul_in_a_panel_form_is_a_clear_400(logged_in, user):
    response = logged_in.post("/tasks/add/", {"title": "milk\x00"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400 and b"NUL" in response.content
    assert not Task.objects.exists()


def test_a_nul_in_a_form_field_name_or_query_string_is_a_400(logged_in):
    assert logged_in.post("/tasks/add/", {"ti\x00tle": "milk"}).status_code == 400
    assert logged_in.get("/?c=1%00").status_code == 400


def test_a_nul_in_an_api_form_is_a_json_400(token_client):
    response = token_client.post("/api/tasks/", {"title": "milk\x00"})

    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_nul_in_api_json_is_refused_by_the_serializer(token_client):
    response = token_client.post("/api/tasks/", {"title": "milk\x00"}, format="json")

    assert response.status_code == 400
    assert not Task.objects.exists()
