"""Search, export and feedback from the chat page (plain Django views with CSRF)."""

import csv
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from chat.models import Conversation, Message, MessageFeedback
from chat.web.search import highlight

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def chat(user):
    conversation = Conversation.objects.create(owner=user, title="Groceries <b>")
    Message.objects.create(conversation=conversation, role="user", content="add oat milk")
    old = Message.objects.create(
        conversation=conversation, role="assistant", content="Old", replaced_at=timezone.now()
    )
    reply = Message.objects.create(conversation=conversation, role="assistant", content="Added **oat milk**.")
    return conversation, old, reply


def test_search_marks_the_matched_words_and_escapes_the_rest(client_in, chat, other_user):
    theirs = Conversation.objects.create(owner=other_user, title="oat milk for them")
    html = client_in.get("/search/?q=OAT", **HTMX).content.decode()
    assert "<mark>oat</mark>" in html and "Groceries &lt;b&gt;" in html
    assert f"/c/{chat[0].pk}/" in html and f"/c/{theirs.pk}/" not in html
    assert "No conversation matches" in client_in.get("/search/?q=zebra", **HTMX).content.decode()
    assert 'id="conversation-list"' in client_in.get("/search/?q=", **HTMX).content.decode()


def test_highlight_cuts_long_text_around_the_match():
    pieces = highlight("x " * 100 + "the <Milk> here", "milk")
    assert ("Milk", True) in pieces and pieces[0][0].startswith("…")


def test_export_markdown_and_json_parse_back(client_in, chat):
    conversation, old, reply = chat
    md = client_in.get(f"/c/{conversation.pk}/export.md")
    assert md["Content-Disposition"].startswith('attachment; filename="groceries-b-')
    text = md.content.decode()
    assert text.startswith("# Groceries <b>") and "Added **oat milk**." in text and "(replaced)" in text

    data = json.loads(client_in.get(f"/c/{conversation.pk}/export.json").content)
    assert data["title"] == "Groceries <b>"
    assert [(m["role"], m["content"], m["replaced"]) for m in data["messages"]] == [
        ("user", "add oat milk", False),
        ("assistant", "Old", True),
        ("assistant", "Added **oat milk**.", False),
    ]


def test_export_is_owner_scoped(chat, other_user):
    client = Client()
    client.force_login(other_user)
    assert client.get(f"/c/{chat[0].pk}/export.json").status_code == 404
    assert client.get(f"/c/{chat[0].pk}/export.txt").status_code == 404


def test_feedback_is_stored_and_shown_pressed(client_in, chat):
    reply = chat[2]
    r = client_in.post(f"/m/{reply.pk}/feedback/", {"rating": "good"}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'aria-label="Good response" title="Good response" aria-pressed="true"' in html
    assert "Add a comment" in html
    client_in.post(f"/m/{reply.pk}/feedback/", {"rating": "good", "comment": "spot on"}, **HTMX)
    assert MessageFeedback.objects.get().comment == "spot on"
    page = client_in.get(f"/c/{chat[0].pk}/").content.decode()
    assert 'aria-pressed="true"' in page and "spot on" in page
    assert client_in.post(f"/m/{reply.pk}/feedback/", {"rating": "nope"}, **HTMX).status_code == 400


def test_feedback_needs_csrf(user, chat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(f"/m/{chat[2].pk}/feedback/", {"rating": "good"}).status_code == 403


def test_admin_feedback_list_per_day_and_exports(admin_client, chat):
    reply = chat[2]
    MessageFeedback.objects.create(message=reply, rating="bad", comment="wrong, task")
    assert (
        "wrong, task" in admin_client.get("/admin/chat/messagefeedback/?rating__exact=bad").content.decode()
    )
    per_day = admin_client.get("/admin/chat/feedbackperday/").content.decode()
    assert 'id="feedback-per-day"' in per_day and "<td>1</td>" in per_day
    transcript = admin_client.get(f"/admin/chat/conversation/{chat[0].pk}/change/").content.decode()
    assert "👎 Bad" in transcript and "replaced" in transcript
    filtered = admin_client.get("/admin/chat/conversation/?messages__feedback__rating=bad").content.decode()
    assert "Groceries &lt;b&gt;" in filtered
    pk = MessageFeedback.objects.get().pk
    for action, parse in (
        ("export_json", json.loads),
        ("export_csv", lambda t: list(csv.DictReader(io.StringIO(t)))),
    ):
        r = admin_client.post("/admin/chat/messagefeedback/", {"action": action, "_selected_action": [pk]})
        rows = parse(r.content.decode())
        assert (
            rows[0]["rating"] == "bad"
            and rows[0]["comment"] == "wrong, task"
            and rows[0]["reply"].startswith("Added")
        )
