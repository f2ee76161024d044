"""The task tools with dates, priorities and repeats: what they store, what the model reads back, with frozen clocks
in several zones."""

import datetime as dt
import json

import pytest

from chat.turn.prompting import estimate_tokens
from chat.turn.tools import run_tool, tool_schemas
from tasks import selectors
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

# Thursday 26 November 2026, 20:00 UTC: already Friday 27 November, 05:00 in Tokyo.
INSTANT = dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC)
TOOL_SCHEMA_TOKEN_BUDGET = 1200


def test_all_tool_schemas_fit_the_token_budget():
    """A size limit, not a timing: the schemas are sent with every request (estimate: JSON characters / 4)."""
    used = sum(estimate_tokens(schema) for schema in tool_schemas())
    assert used < TOOL_SCHEMA_TOKEN_BUDGET, used


def test_add_task_resolves_due_words_in_the_users_zone(tokyo, frozen_clock):
    _, result = run_tool(tokyo, "add_task", {"title": "call mom", "due": "tomorrow 5pm"})
    task = Task.objects.get(pk=result["task_id"])
    assert (task.due_date, task.due_time) == (dt.date(2026, 11, 28), dt.time(17, 0))  # Saturday in Tokyo
    assert result["due_date"] == "2026-11-28" and result["due_time"] == "17:00"
    assert result["due_label"] == "Tomorrow, Saturday 28 November, 17:00"
    _, later = run_tool(tokyo, "add_task", {"title": "dentist", "due": "in 3 days"})
    assert later["due_label"] == "Monday 30 November — in 3 days"


def test_the_same_words_mean_another_day_in_another_zone(user, frozen_clock):
    user.timezone = "America/New_York"  # still Thursday 26 November, 15:00
    user.save()
    _, result = run_tool(user, "add_task", {"title": "dentist", "due": "in 3 days"})
    assert result["due_date"] == "2026-11-29"
    assert result["due_label"] == "Sunday 29 November — in 3 days"


def test_add_task_with_priority_and_repeat(tokyo, frozen_clock):
    _, result = run_tool(
        tokyo, "add_task", {"title": "water plants", "priority": "high", "repeat": "every monday"}
    )
    assert result["priority"] == "high"
    assert result["repeat"] == "every Monday"
    assert result["due_date"] == "2026-11-30"  # a repeat without a date starts on its first day


def test_unreadable_due_is_a_result_the_model_can_read(tokyo, frozen_clock):
    params, result = run_tool(tokyo, "add_task", {"title": "call mom", "due": "tomorrow blorp"})
    assert params["due"] == "tomorrow blorp"
    assert result["error"] == "due_unparseable"
    assert "blorp" in result["message"]
    assert not Task.objects.exists()


def test_unreadable_repeat_is_a_result(tokyo, frozen_clock):
    _, result = run_tool(tokyo, "add_task", {"title": "x", "repeat": "whenever I feel like it"})
    assert result["error"] == "repeat_unparseable"


def test_completing_a_recurring_task_returns_the_next_one(tokyo, frozen_clock):
    _, added = run_tool(tokyo, "add_task", {"title": "standup", "due": "friday", "repeat": "every friday"})
    _, done = run_tool(tokyo, "complete_task", {"task_id": added["task_id"]})
    assert done["status"] == "completed"
    nxt = Task.objects.get(pk=done["next_task_id"])
    assert nxt.pk != added["task_id"] and not nxt.completed
    assert done["next_due_date"] == nxt.due_date.isoformat() == "2026-12-11"
    assert done["next_due_label"].startswith("Friday 11 December")


def test_completing_a_one_off_task_has_no_next_task(tokyo):
    task = TaskFactory(owner=tokyo)
    _, done = run_tool(tokyo, "complete_task", {"task_id": task.pk})
    assert "next_task_id" not in done


def test_update_task_sets_and_clears_due_priority_and_repeat(tokyo, frozen_clock):
    task = TaskFactory(owner=tokyo, title="report")
    _, result = run_tool(tokyo, "update_task", {"task_id": task.pk, "due": "dec 24 9am", "priority": "low"})
    assert (result["due_date"], result["due_time"], result["priority"]) == ("2026-12-24", "09:00", "low")
    _, result = run_tool(tokyo, "update_task", {"task_id": task.pk, "repeat": "every 2 weeks"})
    assert result["repeat"] == "every 2 weeks" and result["due_date"] == "2026-12-24"
    _, result = run_tool(tokyo, "update_task", {"task_id": task.pk, "repeat": None})
    assert result["repeat"] is None and result["due_date"] == "2026-12-24"
    _, result = run_tool(tokyo, "update_task", {"task_id": task.pk, "due": None})
    assert (result["due_date"], result["due_time"], result["due_label"]) == (None, None, None)
    run_tool(tokyo, "update_task", {"task_id": task.pk, "due": "tomorrow"})
    _, result = run_tool(tokyo, "update_task", {"task_id": task.pk, "due": "none"})
    assert result["due_date"] is None
    task.refresh_from_db()
    assert (task.title, task.priority, task.due_date, task.recurrence) == ("report", "low", None, "")


def test_update_task_leaves_what_is_not_given(tokyo, frozen_clock):
    task = TaskFactory(owner=tokyo, title="report")
    run_tool(tokyo, "update_task", {"task_id": task.pk, "due": "friday", "repeat": "weekly"})
    _, result = run_tool(tokyo, "update_task", {"task_id": task.pk, "title": "Report v2"})
    assert (result["title"], result["due_date"], result["repeat"]) == (
        "Report v2",
        "2026-12-04",
        "every week",
    )


def test_list_filters(tokyo, frozen_clock):
    today = TaskFactory(owner=tokyo, title="Pay taxes", due_date=dt.date(2026, 11, 27), priority="high")
    late = TaskFactory(
        owner=tokyo, title="Late one", due_date=dt.date(2026, 11, 20), description="about taxes"
    )
    TaskFactory(owner=tokyo, title="Undated")
    done = TaskFactory(owner=tokyo, title="Done taxes", completed=True, due_date=dt.date(2026, 11, 27))

    def ids(**arguments) -> list[int]:
        _, result = run_tool(tokyo, "list_tasks", arguments)
        assert result["total"] == len(result["tasks"])
        return [t["id"] for t in result["tasks"]]

    assert sorted(ids(due="today")) == sorted([today.pk, done.pk])
    assert ids(status="pending", due="today") == [today.pk]
    assert ids(due="overdue") == [late.pk]
    assert ids(priority="high") == [today.pk]
    assert sorted(ids(query="taxes")) == sorted([today.pk, late.pk, done.pk])
    assert ids(status="pending", query="taxes", priority="high") == [today.pk]
    assert len(ids(due="no_date")) == 1
    _, result = run_tool(tokyo, "list_tasks", {"status": "pending", "due": "today"})
    assert result["due"] == "today" and "priority" not in result
    [item] = result["tasks"]
    assert item == {
        "id": today.pk,
        "title": "Pay taxes",
        "completed": False,
        "due_date": "2026-11-27",
        "due_time": None,
        "due_label": "Today, Friday 27 November",
        "priority": "high",
        "repeat": None,
    }


def test_list_items_keep_descriptions_short(tokyo):
    TaskFactory(owner=tokyo, title="Long", description="x" * 500)
    _, result = run_tool(tokyo, "list_tasks", {})
    assert len(result["tasks"][0]["description"]) <= 121


@pytest.mark.parametrize(("field", "value"), [("due", "someday"), ("priority", "urgent"), ("status", "late")])
def test_list_filters_outside_the_enums_are_invalid_arguments(tokyo, field, value):
    _, result = run_tool(tokyo, "list_tasks", {field: value})
    assert result["error"] == "invalid_arguments" and result["message"].startswith(f"{field}:")


def test_reopen_and_restore(tokyo):
    task = TaskFactory(owner=tokyo, title="Again", completed=True)
    _, result = run_tool(tokyo, "reopen_task", {"task_id": task.pk})
    assert result["status"] == "reopened"
    task.refresh_from_db()
    assert not task.completed
    run_tool(tokyo, "delete_task", {"task_id": task.pk})
    assert not selectors.task_list(owner=tokyo).exists()
    _, result = run_tool(tokyo, "restore_task", {"task_id": str(task.pk)})
    assert result["status"] == "restored" and result["task_id"] == task.pk
    assert selectors.task_list(owner=tokyo).get() == task


@pytest.mark.parametrize("name", ["reopen_task", "restore_task"])
def test_reopen_and_restore_never_reach_another_users_task(tokyo, other_user, name):
    theirs = TaskFactory(owner=other_user, title="Bob's", completed=True)
    _, result = run_tool(tokyo, name, {"task_id": theirs.pk})
    assert result["error"] == "task_not_found" and "Bob" not in json.dumps(result)


def test_invalid_priority_is_invalid_arguments(tokyo):
    _, result = run_tool(tokyo, "add_task", {"title": "x", "priority": "urgent"})
    assert result["error"] == "invalid_arguments" and result["message"].startswith("priority:")
    assert not Task.objects.exists()
