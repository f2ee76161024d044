"""The assistant's tools: the schemas Groq sees, the results the model reads, and owner isolation."""

import json
import re

import pytest
from jsonschema import Draft202012Validator

from chat.turn.tools import TOOLS, run_tool, tool_schemas
from chat.turn.tools.task_tools import LIST_LIMIT
from tasks import selectors
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

TOOL_NAMES = [
    "add_task",
    "list_tasks",
    "complete_task",
    "reopen_task",
    "delete_task",
    "restore_task",
    "update_task",
]
WHEN = {"due_date": None, "due_time": None, "due_label": None, "priority": "none", "repeat": None}
ACK_KEYS = {"task_id", "status", "title", *WHEN}


def _properties(schema: dict):
    """Every (name, sub-schema) pair of every `properties` block, however deeply nested."""
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            yield name, sub
            yield from _properties(sub)
        for value in schema.values():
            if isinstance(value, dict) and value is not schema.get("properties"):
                yield from _properties(value)


# --- Schemas -----------------------------------------------------------------------------------------------
def test_there_are_exactly_the_seven_tools():
    assert [t["function"]["name"] for t in tool_schemas()] == TOOL_NAMES


@pytest.mark.parametrize("schema", tool_schemas(), ids=TOOL_NAMES)
def test_schema_matches_groqs_tools_shape(schema):
    assert set(schema) == {"type", "function"}
    assert schema["type"] == "function"
    function = schema["function"]
    assert set(function) == {"name", "description", "parameters"}
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", function["name"])
    assert isinstance(function["description"], str) and len(function["description"]) > 20
    assert function["parameters"]["type"] == "object"
    json.dumps(schema)  # must travel as JSON


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_parameters_are_valid_draft_2020_12_json_schema(name):
    parameters = TOOLS[name].parameters
    Draft202012Validator.check_schema(parameters)  # raises SchemaError against the 2020-12 metaschema
    assert parameters["additionalProperties"] is False
    assert set(parameters["required"]) <= set(parameters["properties"])


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_no_schema_property_mentions_a_user_or_owner(name):
    properties = list(_properties(TOOLS[name].parameters))
    assert properties or name == "list_tasks"
    for prop, sub in properties:
        text = (prop + json.dumps(sub)).lower()
        for word in ("user", "owner", "account", "username"):
            assert word not in text, f"{name}.{prop} mentions {word!r}"


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("add_task", {"title": "x", "user_id": 2}),
        ("add_task", {"title": "x", "owner": 2}),
        ("list_tasks", {"user_id": 2}),
        ("complete_task", {"task_id": 1, "user_id": 2}),
        ("delete_task", {"task_id": 1, "owner_id": 2}),
        ("update_task", {"task_id": 1, "title": "y", "user": "bob"}),
    ],
)
def test_a_smuggled_user_field_is_refused(user, other_user, name, arguments):
    TaskFactory(owner=other_user, title="Bob's")
    _, result = run_tool(user, name, arguments)
    assert result["error"] == "invalid_arguments"
    assert "additional" in result["message"].lower()
    assert not selectors.task_list(owner=user).exists()
    assert not selectors.task_list(owner=other_user, status="completed").exists()
    assert Task.objects.filter(title="x").count() == 0


# --- Results -----------------------------------------------------------------------------------------------
def test_add_task_result(user):
    params, result = run_tool(user, "add_task", '{"title": "Buy milk", "description": "2 litres"}')
    task = selectors.task_list(owner=user).get()
    assert params == {"title": "Buy milk", "description": "2 litres"}
    assert result == {"task_id": task.pk, "status": "created", "title": "Buy milk", **WHEN}
    assert (task.title, task.description, task.owner) == ("Buy milk", "2 litres", user)


@pytest.mark.parametrize(
    ("name", "extra", "status"),
    [
        ("complete_task", {}, "completed"),
        ("delete_task", {}, "deleted"),
        ("update_task", {"title": "Renamed"}, "updated"),
    ],
)
def test_action_results_are_acks(user, name, extra, status):
    task = TaskFactory(owner=user, title="Original")
    _, result = run_tool(user, name, {"task_id": task.pk, **extra})
    assert set(result) == ACK_KEYS
    assert result["task_id"] == task.pk
    assert result["status"] == status
    task.refresh_from_db()
    assert result["title"] == task.title
    assert task.completed is (name == "complete_task")
    assert (task.deleted_at is not None) is (name == "delete_task")
    assert task.title == ("Renamed" if name == "update_task" else "Original")


def test_update_description_only_keeps_the_title(user):
    task = TaskFactory(owner=user, title="Keep me", description="old")
    _, result = run_tool(user, "update_task", {"task_id": task.pk, "description": "new"})
    task.refresh_from_db()
    assert result == {"task_id": task.pk, "status": "updated", "title": "Keep me", **WHEN}
    assert task.description == "new"


def test_list_tasks_shape_and_filter(user):
    done = TaskFactory(owner=user, title="Done one", completed=True)
    older = TaskFactory(owner=user, title="Older", description="d")
    newer = TaskFactory(owner=user, title="Newer")
    _, result = run_tool(user, "list_tasks", {"status": "pending"})
    assert result == {
        "status": "pending",
        "total": 2,
        "tasks": [
            {"id": newer.pk, "title": "Newer", "completed": False, **WHEN},
            {"id": older.pk, "title": "Older", "completed": False, **WHEN, "description": "d"},
        ],
    }
    _, completed = run_tool(user, "list_tasks", {"status": "completed"})
    assert [t["id"] for t in completed["tasks"]] == [done.pk]
    _, everything = run_tool(user, "list_tasks", None)  # no arguments: status defaults to all
    assert everything["status"] == "all"
    assert everything["total"] == 3


def test_list_tasks_is_capped_with_total_and_note(user):
    TaskFactory.create_batch(LIST_LIMIT + 5, owner=user)
    _, result = run_tool(user, "list_tasks", {})
    assert LIST_LIMIT == 50
    assert result["total"] == 55
    assert len(result["tasks"]) == 50
    assert "50" in result["note"] and "55" in result["note"]
    newest = selectors.task_list(owner=user).first()
    assert result["tasks"][0]["id"] == newest.pk


def test_list_tasks_has_no_note_at_the_cap(user):
    TaskFactory.create_batch(LIST_LIMIT, owner=user)
    _, result = run_tool(user, "list_tasks", {})
    assert result["total"] == len(result["tasks"]) == 50
    assert "note" not in result


# --- Isolation ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "extra"),
    [("complete_task", {}), ("delete_task", {}), ("update_task", {"title": "Hijacked"})],
)
def test_another_users_task_is_not_found_and_unchanged(user, other_user, name, extra):
    theirs = TaskFactory(owner=other_user, title="Bob's secret", description="private")
    before = Task.objects.values().get(pk=theirs.pk)
    params, result = run_tool(user, name, {"task_id": theirs.pk, **extra})
    assert params["task_id"] == theirs.pk
    assert result["error"] == "task_not_found"
    assert "Bob's secret" not in json.dumps(result)
    assert Task.objects.values().get(pk=theirs.pk) == before


def test_list_tasks_only_shows_the_callers_tasks(user, other_user):
    mine = TaskFactory(owner=user, title="Mine")
    TaskFactory(owner=other_user, title="Theirs")
    _, result = run_tool(user, "list_tasks", {"status": "all"})
    assert [t["id"] for t in result["tasks"]] == [mine.pk]
    assert result["total"] == 1


def test_add_task_always_belongs_to_the_caller(user, other_user):
    _, result = run_tool(user, "add_task", {"title": "Mine"})
    assert Task.objects.get(pk=result["task_id"]).owner == user
    assert not selectors.task_list(owner=other_user).exists()


@pytest.mark.parametrize("name", ["complete_task", "delete_task", "update_task"])
def test_a_deleted_task_is_not_found(user, name):
    task = TaskFactory(owner=user, title="Gone")
    run_tool(user, "delete_task", {"task_id": task.pk})
    _, result = run_tool(
        user, name, {"task_id": task.pk, **({"title": "x"} if name == "update_task" else {})}
    )
    assert result["error"] == "task_not_found"
    _, listed = run_tool(user, "list_tasks", {})
    assert listed["total"] == 0


def test_a_missing_task_is_not_found(user):
    _, result = run_tool(user, "complete_task", {"task_id": 999_999})
    assert result == {"error": "task_not_found", "message": "Task 999999 was not found."}


# --- Bad calls become results, never exceptions ------------------------------------------------------------
def test_unknown_tool(user):
    params, result = run_tool(user, "drop_database", {"now": True})
    assert params == {}
    assert result["error"] == "unknown_tool"
    assert all(name in result["message"] for name in TOOL_NAMES)


@pytest.mark.parametrize(
    "arguments",
    ['{"title": "oops"', "not json", "[1, 2]", '"a string"', "42", "null", "true"],
    ids=["truncated", "garbage", "array", "string", "number", "null", "bool"],
)
def test_arguments_that_are_not_a_json_object(user, arguments):
    params, result = run_tool(user, "add_task", arguments)
    assert params == {}
    assert result["error"] == "invalid_arguments"
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("name", "arguments", "where"),
    [
        ("add_task", {}, "arguments"),
        ("add_task", {"title": 5}, "title"),
        ("add_task", {"title": ""}, "title"),
        ("add_task", {"title": "x" * 201}, "title"),
        ("add_task", {"title": "ok", "description": ["a"]}, "description"),
        ("list_tasks", {"status": "archived"}, "status"),
        ("complete_task", {}, "arguments"),
        ("update_task", {"task_id": "1", "title": 7}, "title"),
    ],
)
def test_wrong_types_are_invalid_arguments(user, name, arguments, where):
    task = TaskFactory(owner=user, title="Untouched")
    _, result = run_tool(user, name, arguments)
    assert result["error"] == "invalid_arguments"
    assert result["message"].startswith(f"{where}:")
    task.refresh_from_db()
    assert (task.title, task.completed, task.deleted_at) == ("Untouched", False, None)
    assert Task.objects.count() == 1


def test_empty_update_is_an_error(user):
    task = TaskFactory(owner=user, title="Same")
    _, result = run_tool(user, "update_task", {"task_id": task.pk})
    assert result["error"] == "nothing_to_update"


def test_domain_errors_from_services_become_results(user):
    _, result = run_tool(user, "add_task", {"title": "   "})
    assert result == {"error": "title_required", "message": "A task needs a title."}
    assert not Task.objects.exists()


def test_quoted_numeric_ids_are_accepted(user):
    task = TaskFactory(owner=user)
    params, result = run_tool(user, "complete_task", json.dumps({"task_id": str(task.pk)}))
    assert params == {"task_id": task.pk}
    assert result["status"] == "completed"
    task.refresh_from_db()
    assert task.completed


@pytest.mark.parametrize("task_id", ["abc", 1.5, 1.0, True, 0, -1, None, " {id} ", "#{id}", "1e3", "١"])
def test_anything_but_an_id_is_task_not_found(user, task_id):
    """The one id rule (core.ids): a positive integer or ASCII digits; anything else is "not found"."""
    task = TaskFactory(owner=user, id=1)
    if isinstance(task_id, str):
        task_id = task_id.format(id=task.pk)
    _, result = run_tool(user, "complete_task", {"task_id": task_id})
    assert result["error"] == "task_not_found"
    task.refresh_from_db()
    assert not task.completed


def test_empty_arguments_string_means_no_arguments(user):
    TaskFactory(owner=user)
    _, result = run_tool(user, "list_tasks", "")
    assert result["total"] == 1
