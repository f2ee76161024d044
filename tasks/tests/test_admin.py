import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tasks/task/"


def change_url(task: Task) -> str:
    return f"/admin/tasks/task/{task.pk}/change/"


def listed_titles(response) -> set[str]:
    return {task.title for task in response.context["cl"].result_list}


@pytest.fixture
def tasks(user, other_user):
    return {
        "pending": TaskFactory(owner=user, title="Buy milk"),
        "done": TaskFactory(owner=user, title="Pay rent", completed=True, completed_at=timezone.now()),
        "deleted": TaskFactory(owner=user, title="Old idea", deleted_at=timezone.now()),
        "theirs": TaskFactory(owner=other_user, title="Walk the dog"),
    }


def test_changelist_lists_every_task_including_deleted(admin_client, tasks):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert listed_titles(response) == {"Buy milk", "Pay rent", "Old idea", "Walk the dog"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("completed__exact=1", {"Pay rent"}),
        ("completed__exact=0", {"Buy milk", "Old idea", "Walk the dog"}),
        ("deleted=yes", {"Old idea"}),
        ("deleted=no", {"Buy milk", "Pay rent", "Walk the dog"}),
        ("q=milk", {"Buy milk"}),
        ("q=MILK", {"Buy milk"}),
        ("q=nothing-matches", set()),
    ],
)
def test_changelist_filters_and_search(admin_client, tasks, query, expected):
    response = admin_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200
    assert listed_titles(response) == expected


def test_changelist_filters_by_owner(admin_client, tasks, other_user):
    response = admin_client.get(f"{CHANGELIST}?owner__id__exact={other_user.pk}")

    assert response.status_code == 200
    assert listed_titles(response) == {"Walk the dog"}


def test_change_page_loads(admin_client, tasks):
    response = admin_client.get(change_url(tasks["pending"]))

    assert response.status_code == 200
    assert b"Buy milk" in response.content


def test_saving_the_change_form_goes_through_the_service(admin_client, tasks, user):
    task = tasks["pending"]

    response = admin_client.post(
        change_url(task), {"owner": user.pk, "title": "Buy oat milk", "description": "  two  "}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.description) == ("Buy oat milk", "two")


def test_adding_a_task_goes_through_the_service(admin_client, user):
    response = admin_client.post("/admin/tasks/task/add/", {"owner": user.pk, "title": "From the admin"})

    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.owner, task.title) == (user, "From the admin")
    assert LogEntry.objects.get().object_id == str(task.pk)


def test_change_page_of_a_deleted_task_loads(admin_client, tasks):
    response = admin_client.get(change_url(tasks["deleted"]))

    assert response.status_code == 200


def test_restore_action_restores_a_soft_deleted_task(admin_client, tasks):
    deleted, live = tasks["deleted"], tasks["pending"]

    response = admin_client.post(
        CHANGELIST, {"action": "restore_tasks", "_selected_action": [deleted.pk, live.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "Restored 1 task(s)." in [str(m) for m in response.context["messages"]]
    deleted.refresh_from_db()
    assert deleted.deleted_at is None


def test_complete_action_completes_live_tasks(admin_client, tasks):
    task = tasks["pending"]

    admin_client.post(CHANGELIST, {"action": "complete_tasks", "_selected_action": [task.pk]})

    task.refresh_from_db()
    assert task.completed is True and task.completed_at is not None


def test_soft_delete_action_keeps_the_rows(admin_client, tasks):
    task = tasks["pending"]

    admin_client.post(CHANGELIST, {"action": "soft_delete_tasks", "_selected_action": [task.pk]})

    task.refresh_from_db()
    assert task.deleted_at is not None


def test_delete_page_soft_deletes(admin_client, tasks):
    task = tasks["pending"]

    response = admin_client.post(f"/admin/tasks/task/{task.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.deleted_at is not None


def test_djangos_delete_selected_action_is_not_offered(admin_client, tasks):
    page = admin_client.get(CHANGELIST).content.decode()
    selected = [tasks["pending"].pk, tasks["done"].pk]

    response = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    )

    assert 'value="delete_selected"' not in page and 'value="soft_delete_tasks"' in page
    assert response.status_code in (200, 302)  # "No action selected": nothing happens
    assert Task.objects.filter(pk__in=selected, deleted_at__isnull=True).count() == 2
    assert Task.objects.count() == 4


def test_admin_requires_staff(client, user, tasks):
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_deleted_task_is_view_only_until_restored(admin_client, tasks, user):
    task = tasks["deleted"]

    page = admin_client.get(change_url(task))
    response = admin_client.post(change_url(task), {"owner": user.pk, "title": "Edited while deleted"})

    assert page.status_code == 200
    assert b'name="title"' not in page.content  # no editable form, just the values
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.title == "Old idea"


def test_the_owner_cannot_be_changed_after_adding(admin_client, tasks, other_user):
    task = tasks["pending"]

    response = admin_client.post(change_url(task), {"owner": other_user.pk, "title": "Renamed"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.owner.username, task.title) == ("alice", "Renamed")


# --- due date, priority, repeat ------------------------------------------------------------------------------


@pytest.fixture
def planned(user):
    import datetime as dt

    return {
        "weekly": TaskFactory(
            owner=user,
            title="Standup",
            due_date=dt.date(2026, 12, 7),
            priority="high",
            recurrence="FREQ=WEEKLY",
        ),
        "plain": TaskFactory(owner=user, title="Someday"),
    }


def test_changelist_shows_due_priority_and_repeat(admin_client, planned):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "every week" in html and "Dec. 7, 2026" in html and "High" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority__exact=high", {"Standup"}),
        ("repeats=yes", {"Standup"}),
        ("repeats=no", {"Someday"}),
        ("due_date__isnull=True", {"Someday"}),
    ],
)
def test_changelist_filters_by_due_priority_and_repeat(admin_client, planned, query, expected):
    response = admin_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200
    assert listed_titles(response) == expected


def test_the_change_form_sets_due_priority_and_repeat_through_the_service(admin_client, planned, user):
    task = planned["plain"]

    response = admin_client.post(
        change_url(task),
        {
            "title": "Someday",
            "due_date": "2026-12-24",
            "due_time": "17:30",
            "priority": "medium",
            "recurrence": "every year",
        },
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (str(task.due_date), str(task.due_time), task.priority, task.recurrence) == (
        "2026-12-24",
        "17:30:00",
        "medium",
        "FREQ=YEARLY",
    )


def test_the_change_form_refuses_an_unreadable_repeat(admin_client, planned):
    task = planned["plain"]

    response = admin_client.post(
        change_url(task), {"title": "Someday", "due_date": "2026-12-24", "recurrence": "sometimes"}
    )

    assert response.status_code == 200
    assert "couldn" in response.content.decode()
    task.refresh_from_db()
    assert task.recurrence == ""
