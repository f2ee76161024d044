import pytest
from django.utils import timezone

from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

TASK_KEYS = {
    *("id", "title", "description", "completed", "completed_at", "created_at", "updated_at"),
    *("due_date", "due_time", "due_label", "priority", "repeat", "recurrence"),
}


def detail(task_id, action: str = "") -> str:
    return f"/api/tasks/{task_id}/{action + '/' if action else ''}"


# --- authentication ------------------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/tasks/"),
    ("post", "/api/tasks/"),
    ("get", "/api/tasks/1/"),
    ("patch", "/api/tasks/1/"),
    ("delete", "/api/tasks/1/"),
    ("post", "/api/tasks/1/complete/"),
    ("post", "/api/tasks/1/reopen/"),
    ("post", "/api/tasks/1/restore/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_requests_get_401_json(api_client, method, url):
    response = getattr(api_client, method)(url, {}, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("client_fixture", ["auth_client", "token_client"])
def test_session_and_bearer_token_both_authenticate(request, user, client_fixture):
    TaskFactory(owner=user, title="Mine")
    client = request.getfixturevalue(client_fixture)

    response = client.get("/api/tasks/")

    assert response.status_code == 200
    assert [t["title"] for t in response.json()["results"]] == ["Mine"]


# --- list ----------------------------------------------------------------------------------------------------


def test_list_is_paginated_and_shows_only_my_live_tasks(token_client, user, other_user):
    mine = TaskFactory(owner=user, title="Mine", description="desc")
    TaskFactory(owner=user, title="Gone", deleted_at=timezone.now())
    TaskFactory(owner=other_user, title="Theirs")

    response = token_client.get("/api/tasks/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    (task,) = body["results"]
    assert set(task) == TASK_KEYS
    assert (task["id"], task["title"], task["description"], task["completed"]) == (
        mine.pk,
        "Mine",
        "desc",
        False,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["done", "todo"]),
        ("?status=all", ["done", "todo"]),
        ("?status=pending", ["todo"]),
        ("?status=completed", ["done"]),
    ],
)
def test_list_filters_by_status(token_client, user, query, expected):
    TaskFactory(owner=user, title="todo")
    TaskFactory(owner=user, title="done", completed=True, completed_at=timezone.now())

    response = token_client.get(f"/api/tasks/{query}")

    assert response.status_code == 200
    assert [t["title"] for t in response.json()["results"]] == expected


def test_list_refuses_an_unknown_status_naming_the_field(token_client):
    response = token_client.get("/api/tasks/?status=done")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("status: ")
    assert set(body["fields"]) == {"status"}


def test_list_pages_hold_50_tasks(token_client, user):
    TaskFactory.create_batch(51, owner=user)

    first = token_client.get("/api/tasks/").json()
    second = token_client.get(first["next"]).json()

    assert first["count"] == 51 and len(first["results"]) == 50
    assert first["next"].endswith("/api/tasks/?page=2") and first["previous"] is None
    assert len(second["results"]) == 1 and second["next"] is None
    assert {t["id"] for t in first["results"]}.isdisjoint({t["id"] for t in second["results"]})


def test_list_page_out_of_range_is_json_404(token_client, user):
    TaskFactory(owner=user)

    response = token_client.get("/api/tasks/?page=9")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- create --------------------------------------------------------------------------------------------------


def test_create_returns_201_with_the_task(token_client, user):
    response = token_client.post("/api/tasks/", {"title": "  Buy milk ", "description": "2 l"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == TASK_KEYS
    assert (body["title"], body["description"], body["completed"], body["completed_at"]) == (
        "Buy milk",
        "2 l",
        False,
        None,
    )
    assert Task.objects.get(pk=body["id"]).owner == user


def test_create_accepts_form_data_too(auth_client):
    response = auth_client.post("/api/tasks/", {"title": "From a form"})

    assert response.status_code == 201
    assert response.json()["description"] == ""


def test_create_without_title_names_the_field(token_client):
    response = token_client.post("/api/tasks/", {"description": "no title"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "title: This field is required."
    assert body["fields"] == {"title": ["This field is required."]}
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"title": "   "}, "title_required", "title"),
        ({"title": "t" * 201}, "title_too_long", "title"),
        ({"title": "ok", "description": "d" * 2001}, "description_too_long", "description"),
    ],
    ids=["blank-title", "title-201", "description-2001"],
)
def test_create_refuses_bad_input_with_a_stable_code(token_client, payload, code, field):
    response = token_client.post("/api/tasks/", payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    assert not Task.objects.exists()


def test_create_refuses_a_non_string_title(token_client):
    response = token_client.post("/api/tasks/", {"title": {"nested": 1}}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title"}


# --- detail: get / patch / delete ----------------------------------------------------------------------------


def test_get_one_task(token_client, user):
    task = TaskFactory(owner=user, title="One")

    response = token_client.get(detail(task.pk))

    assert response.status_code == 200
    assert response.json()["id"] == task.pk and response.json()["title"] == "One"


def test_patch_changes_given_fields(token_client, user):
    task = TaskFactory(owner=user, title="Old", description="keep")

    response = token_client.patch(detail(task.pk), {"title": " New "}, format="json")

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["description"]) == ("New", "keep")
    task.refresh_from_db()
    assert task.title == "New"


@pytest.mark.parametrize(
    ("payload", "code"), [({"title": ""}, "title_required"), ({"title": "t" * 201}, "title_too_long")]
)
def test_patch_refuses_bad_titles(token_client, user, payload, code):
    task = TaskFactory(owner=user, title="Old")

    response = token_client.patch(detail(task.pk), payload, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, "title")
    task.refresh_from_db()
    assert task.title == "Old"


def test_delete_is_soft_and_answers_204(token_client, user):
    task = TaskFactory(owner=user)

    response = token_client.delete(detail(task.pk))

    assert response.status_code == 204
    assert response.content == b""
    task.refresh_from_db()
    assert task.deleted_at is not None
    assert token_client.get(detail(task.pk)).status_code == 404


# --- actions -------------------------------------------------------------------------------------------------


def test_complete_and_reopen(token_client, user):
    task = TaskFactory(owner=user)

    completed = token_client.post(detail(task.pk, "complete"))
    assert completed.status_code == 200
    assert completed.json()["completed"] is True and completed.json()["completed_at"]

    reopened = token_client.post(detail(task.pk, "reopen"))
    assert reopened.status_code == 200
    assert reopened.json()["completed"] is False and reopened.json()["completed_at"] is None
    task.refresh_from_db()
    assert task.completed is False


def test_restore_brings_a_deleted_task_back(token_client, user):
    task = TaskFactory(owner=user, deleted_at=timezone.now())

    response = token_client.post(detail(task.pk, "restore"))

    assert response.status_code == 200
    assert response.json()["id"] == task.pk
    assert [t["id"] for t in token_client.get("/api/tasks/").json()["results"]] == [task.pk]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_deleted_task_is_404_on_detail(token_client, user, method):
    task = TaskFactory(owner=user, deleted_at=timezone.now())

    response = getattr(token_client, method)(detail(task.pk), {"title": "x"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "task_not_found"


# --- someone else's task: 404, never 403, and nothing changes ------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("post", "complete"),
        ("post", "reopen"),
        ("post", "restore"),
    ],
)
def test_another_users_task_is_404_and_untouched(token_client, other_user, method, action):
    theirs = TaskFactory(owner=other_user, title="Theirs")

    response = getattr(token_client, method)(detail(theirs.pk, action), {"title": "hijack"}, format="json")

    assert response.status_code == 404
    assert response.json() == {
        "message": f"Task {theirs.pk} was not found.",
        "code": "task_not_found",
        "field": "task_id",
    }
    theirs.refresh_from_db()
    assert (theirs.title, theirs.completed, theirs.deleted_at) == ("Theirs", False, None)


# --- unknown paths and methods -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/nope/", "/api/tasks/abc/", "/api/tasks/1/explode/", "/api/"])
def test_unknown_api_paths_are_json_404(token_client, url):
    response = token_client.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_unknown_api_path_is_json_404_even_anonymous(api_client):
    response = api_client.post("/api/does-not-exist/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_json_405(token_client):
    response = token_client.put("/api/tasks/", {}, format="json")

    assert response.status_code == 405
    assert response.json() == {"message": 'Method "PUT" not allowed.', "code": "method_not_allowed"}


def test_malformed_json_is_json_400(token_client):
    response = token_client.generic("POST", "/api/tasks/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
