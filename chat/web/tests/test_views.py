"""The chat page, a conversation's transcript, and the HTMX actions of the task panel and the sidebar."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from chat.models import Conversation, Message
from chat.turn.limits import acquire_turn_lock, release_turn_lock
from tasks import selectors
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def conversation_with_turns(owner) -> Conversation:
    """A transcript with a tool round, reasoning, a stopped reply and a failed one (stored as the engine does)."""
    conversation = Conversation.objects.create(owner=owner, title="Groceries")
    add = Message.objects.create
    add(conversation=conversation, role="user", content="add a task to buy oat milk")
    add(
        conversation=conversation,
        role="assistant",
        content="",
        reasoning="The user wants a task.",
        tool_calls=[{"id": "call_1", "name": "add_task", "arguments": '{"title": "buy oat milk"}'}],
    )
    add(
        conversation=conversation,
        role="tool",
        tool_call_id="call_1",
        tool_name="add_task",
        content='{"task_id": 7, "status": "created", "title": "buy oat milk"}',
    )
    add(
        conversation=conversation, role="assistant", content="Added **buy oat milk**.", reasoning="Summarise."
    )
    add(conversation=conversation, role="user", content="tell me a long story")
    add(conversation=conversation, role="assistant", content="Once upon a", status="stopped")
    add(conversation=conversation, role="user", content="hello?")
    add(
        conversation=conversation,
        role="assistant",
        content="",
        status="error",
        error_code="upstream_unavailable",
        error_message="The assistant is unavailable right now.",
    )
    return conversation


# --- The page ----------------------------------------------------------------------------------------------
def test_the_page_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_has_the_three_regions_and_the_socket(client_in, user, other_user):
    TaskFactory(owner=user, title="Pending one")
    TaskFactory(owner=user, title="Done one", completed=True, completed_at=timezone.now())
    TaskFactory(owner=other_user, title="Not mine")
    Conversation.objects.create(owner=user, title="My earlier chat")
    Conversation.objects.create(owner=other_user, title="Their chat")

    html = client_in.get("/").content.decode()

    assert 'hx-ext="ws" ws-connect="/ws/chat/"' in html
    assert 'id="sidebar"' in html and "My earlier chat" in html and "Their chat" not in html
    assert 'id="transcript" class="transcript" role="log" aria-live="polite"' in html
    assert '<form id="composer" class="composer" ws-send>' in html
    assert 'name="conversation_id" id="conversation-id" value=""' in html
    assert 'id="task-panel"' in html and "Pending one" in html and "Done one" in html
    assert "Not mine" not in html
    assert re.search(r'id="pending-count">1<', html) and re.search(r'id="completed-count">1<', html)
    assert '"X-CSRFToken": "' in html  # hx-headers on <body> carries the token for hx-post
    assert "vendor/htmx/htmx.min.js" in html and "vendor/htmx-ext-ws/ws.min.js" in html


def test_offline_demo_banner_follows_the_api_key(client_in, settings):
    settings.GROQ_API_KEY = ""
    assert "Offline demo assistant" in client_in.get("/").content.decode()
    settings.GROQ_API_KEY = "gsk_test"
    assert "Offline demo assistant" not in client_in.get("/").content.decode()


def test_a_conversation_opens_with_its_transcript_in_order(client_in, user):
    conversation = conversation_with_turns(user)

    response = client_in.get(f"/c/{conversation.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(s) for s in ("buy oat milk", "Added <strong>", "long story", "Once upon", "hello?")]
    assert order == sorted(order)
    assert f'name="conversation_id" id="conversation-id" value="{conversation.pk}"' in html
    assert 'class="conv active"' in html and 'aria-current="page"' in html
    # the stored tool call and its result as a one-line chip, expanding to its arguments and result
    assert re.search(r'class="tool-chip tool-card done"[^>]*>\s*<details>', html)
    assert re.search(r"Added <em>buy oat milk</em>", html) and "&quot;task_id&quot;: 7" in html
    # the reasoning toggle says "Thought" (no timing stored)
    assert ">Thought</span>" in html
    # reasoning is there but collapsed
    assert '<details class="reasoning"' in html and "The user wants a task." in html
    assert not re.search(r'<details class="reasoning"[^>]*\sopen', html)
    # a stopped reply and a failed one are marked
    assert 'class="msg-status stopped"' in html and "Stopped" in html
    assert 'class="msg-status error"' in html and "The assistant is unavailable right now." in html


def test_a_question_still_waiting_for_its_reply_says_so(client_in, user):
    conversation = Conversation.objects.create(owner=user, title="Waiting")
    Message.objects.create(conversation=conversation, role="user", content="are you there?")
    acquire_turn_lock(conversation.pk)  # its turn is running (in this process or another)

    html = client_in.get(f"/c/{conversation.pk}/").content.decode()

    assert 'id="no-reply-yet"' in html and 'id="reply-interrupted"' not in html
    release_turn_lock(conversation.pk)
    conversation_with_turns(user)  # a finished transcript has no such note
    assert 'id="no-reply-yet"' not in client_in.get(f"/c/{conversation.pk + 1}/").content.decode()


def test_a_question_whose_turn_died_says_interrupted(client_in, user):
    """A worker killed mid-turn leaves a question without a reply and a lock that expires (a lease)."""
    conversation = Conversation.objects.create(owner=user, title="Orphan")
    Message.objects.create(conversation=conversation, role="user", content="are you there?")

    html = client_in.get(f"/c/{conversation.pk}/").content.decode()

    assert 'id="reply-interrupted"' in html and "Interrupted" in html and 'id="no-reply-yet"' not in html


def test_the_c_query_parameter_opens_a_conversation_too(client_in, user):
    conversation = conversation_with_turns(user)
    assert "Once upon a" in client_in.get(f"/?c={conversation.pk}").content.decode()


def test_someone_elses_conversation_is_404(client_in, other_user):
    theirs = conversation_with_turns(other_user)
    assert client_in.get(f"/c/{theirs.pk}/").status_code == 404
    assert client_in.get(f"/?c={theirs.pk}").status_code == 404
    assert client_in.get("/?c=abc").status_code == 404


def test_stored_replies_are_sanitized_markdown(client_in, user):
    conversation = Conversation.objects.create(owner=user, title="x")
    Message.objects.create(conversation=conversation, role="user", content="<b>hi</b>")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        content="See [this](javascript:alert(1)) and <script>alert(1)</script> [docs](https://example.com)",
    )

    html = client_in.get(f"/c/{conversation.pk}/").content.decode()

    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert '<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">docs</a>' in html


# --- Task panel actions ------------------------------------------------------------------------------------
def test_completing_and_reopening_a_task_from_the_panel(client_in, user):
    task = TaskFactory(owner=user, title="Water plants")

    response = client_in.post(f"/tasks/{task.pk}/complete/", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="task-panel-body"')
    assert 'id="completed-count">1<' in html and f'hx-post="/tasks/{task.pk}/reopen/"' in html
    assert 'id="task-count-badge" hx-swap-oob="true">0<' in html
    assert selectors.task_get(owner=user, task_id=task.pk).completed

    client_in.post(f"/tasks/{task.pk}/reopen/", **HTMX)
    assert not selectors.task_get(owner=user, task_id=task.pk).completed


def test_deleting_shows_an_undo_strip_and_undo_restores(client_in, user):
    task = TaskFactory(owner=user, title="Old chore")

    html = client_in.post(f"/tasks/{task.pk}/delete/", **HTMX).content.decode()

    assert "Deleted “Old chore”" in html and f'hx-post="/tasks/{task.pk}/restore/"' in html
    assert 'id="pending-count">0<' in html
    assert not selectors.task_list(owner=user).exists()

    html = client_in.post(f"/tasks/{task.pk}/restore/", **HTMX).content.decode()

    assert "Deleted" not in html and "Old chore" in html
    assert selectors.task_list(owner=user).get().pk == task.pk


def test_adding_a_task_from_the_panel_escapes_the_title(client_in, user):
    html = client_in.post("/tasks/add/", {"title": "<img src=x onerror=alert(1)>"}, **HTMX).content.decode()

    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert selectors.task_list(owner=user).get().title == "<img src=x onerror=alert(1)>"


def test_a_panel_action_on_a_missing_or_foreign_task_shows_a_note(client_in, user, other_user):
    theirs = TaskFactory(owner=other_user, title="Theirs")

    response = client_in.post(f"/tasks/{theirs.pk}/complete/", **HTMX)

    assert response.status_code == 200
    assert 'class="panel-error" role="alert"' in response.content.decode()
    assert not selectors.task_get(owner=other_user, task_id=theirs.pk).completed
    assert "Theirs" not in response.content.decode()


def test_an_empty_title_is_refused_with_a_note(client_in, user):
    html = client_in.post("/tasks/add/", {"title": "  "}, **HTMX).content.decode()
    assert 'class="panel-error"' in html and not selectors.task_list(owner=user).exists()


def test_panel_actions_need_post_and_csrf(user):
    task = TaskFactory(owner=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.get(f"/tasks/{task.pk}/complete/").status_code == 405
    assert client.post(f"/tasks/{task.pk}/complete/", **HTMX).status_code == 403

    page = client.get("/").content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(f"/tasks/{task.pk}/complete/", HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200
    assert selectors.task_get(owner=user, task_id=task.pk).completed


def test_anonymous_htmx_requests_are_sent_to_login(client):
    response = client.post("/tasks/1/complete/", **HTMX)
    assert response["HX-Redirect"] == "/accounts/login/"
    assert client.post("/tasks/1/complete/").status_code == 302


def test_a_plain_post_without_htmx_redirects_back(client_in, user):
    task = TaskFactory(owner=user)
    response = client_in.post(f"/tasks/{task.pk}/complete/")
    assert response.status_code == 302 and response["Location"] == "/"


# --- Conversations in the sidebar ------------------------------------------------------------------------
def test_renaming_a_conversation(client_in, user):
    conversation = Conversation.objects.create(owner=user, title="Old title")

    response = client_in.post(
        f"/c/{conversation.pk}/rename/",
        {"title": "  New   title ", "conversation_id": conversation.pk},
        **HTMX,
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<ul id="conversation-list"') and "New title" in html
    assert 'class="conv active"' in html
    conversation.refresh_from_db()
    assert conversation.title == "New title"


def test_renaming_to_nothing_is_refused(client_in, user):
    conversation = Conversation.objects.create(owner=user, title="Keep me")
    html = client_in.post(f"/c/{conversation.pk}/rename/", {"title": " "}, **HTMX).content.decode()
    assert 'class="conv-error"' in html
    conversation.refresh_from_db()
    assert conversation.title == "Keep me"


def test_deleting_another_conversation_refreshes_the_list(client_in, user):
    keep = Conversation.objects.create(owner=user, title="Keep")
    drop = Conversation.objects.create(owner=user, title="Drop")

    html = client_in.post(f"/c/{drop.pk}/delete/", {"conversation_id": keep.pk}, **HTMX).content.decode()

    assert "Keep" in html and "Drop" not in html
    assert list(Conversation.objects.values_list("title", flat=True)) == ["Keep"]


def test_deleting_the_open_conversation_starts_a_new_chat(client_in, user):
    conversation = Conversation.objects.create(owner=user, title="Open")
    response = client_in.post(f"/c/{conversation.pk}/delete/", {"conversation_id": conversation.pk}, **HTMX)
    assert response["HX-Redirect"] == "/"
    assert not Conversation.objects.exists()


def test_someone_elses_conversation_cannot_be_renamed_or_deleted(client_in, other_user):
    theirs = Conversation.objects.create(owner=other_user, title="Theirs")
    assert client_in.post(f"/c/{theirs.pk}/rename/", {"title": "Mine now"}, **HTMX).status_code == 404
    assert client_in.post(f"/c/{theirs.pk}/delete/", **HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
