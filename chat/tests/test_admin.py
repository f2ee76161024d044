"""Transcripts and usage in the admin."""

from decimal import Decimal

import pytest

from chat.models import Conversation, Message
from chat.usage import estimate_cost

pytestmark = pytest.mark.django_db


@pytest.fixture
def transcript(user):
    conversation = Conversation.objects.create(owner=user, title="Groceries")
    Message.objects.create(conversation=conversation, role="user", content="add <b>milk</b>")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        reasoning="The user wants milk.",
        tool_calls=[{"id": "call_1", "name": "add_task", "arguments": '{"title": "milk"}'}],
        prompt_tokens=1_000_000,
        completion_tokens=500_000,
    )
    Message.objects.create(
        conversation=conversation,
        role="tool",
        tool_call_id="call_1",
        tool_name="add_task",
        content='{"task_id": 1}',
    )
    Message.objects.create(
        conversation=conversation, role="assistant", content="Partly", status="partial", error_code="upstream_error",
        error_message="The answer was cut off.",
    )  # fmt: skip
    return conversation


def test_cost_uses_the_prices_in_settings(settings):
    settings.GROQ_PRICE_INPUT_PER_M = 0.15
    settings.GROQ_PRICE_OUTPUT_PER_M = 0.60
    assert estimate_cost(1_000_000, 500_000) == Decimal("0.450000")
    assert estimate_cost(None, None) == Decimal("0")


def test_conversation_list_shows_tokens_and_cost(admin_client, transcript):
    page = admin_client.get("/admin/chat/conversation/").content.decode()
    assert "Groceries" in page and "$0.450000" in page


def test_transcript_is_read_only_and_escaped(admin_client, transcript):
    r = admin_client.get(f"/admin/chat/conversation/{transcript.pk}/change/")
    page = r.content.decode()
    assert r.status_code == 200
    assert "add &lt;b&gt;milk&lt;/b&gt;" in page  # user content is escaped
    assert "<details><summary>Thinking…</summary>The user wants milk.</details>" in page
    assert "add_task" in page and "The answer was cut off." in page
    assert "Partial" in page  # the status label
    assert 'name="messages-0-content"' not in page  # inline is read-only
    assert admin_client.get("/admin/chat/conversation/add/").status_code == 403


def test_usage_per_user(admin_client, transcript, user):
    page = admin_client.get("/admin/chat/userusage/").content.decode()
    assert user.username in page and "$0.450000" in page and "1000000" in page
