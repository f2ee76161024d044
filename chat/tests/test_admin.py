"""Transcripts and usage in the admin."""

import datetime
from decimal import Decimal

import pytest

from chat import services
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


def test_cache_hits_cost_the_cached_price(settings):
    settings.GROQ_PRICE_CACHED_INPUT_PER_M = 0.075
    # 1M prompt tokens of which 600k cached: 400k × 0.15 + 600k × 0.075 = 0.105; 100k out × 0.60 = 0.06.
    assert estimate_cost(1_000_000, 100_000, 600_000) == Decimal("0.105000") + Decimal("0.060000")


def _spend(user, day, **usage):
    services.usage_record(user_id=user.pk, day=datetime.date.fromisoformat(day), usage=usage)


def test_usage_per_user_sums_the_users_days_and_survives_deletion(admin_client, transcript, user, other_user):
    _spend(user, "2026-11-25", prompt_tokens=600_000, completion_tokens=200_000, cached_tokens=0)
    _spend(user, "2026-11-26", prompt_tokens=400_000, completion_tokens=300_000, reasoning_tokens=7)
    services.conversation_delete(owner=user, conversation_id=transcript.pk)  # the spend stays
    page = admin_client.get("/admin/chat/userusage/").content.decode()
    assert user.username in page and other_user.username in page
    assert "$0.450000" in page and "1000000" in page and "500000" in page
    assert admin_client.get("/admin/chat/userusage/add/").status_code == 403


def test_usage_per_day_has_a_date_hierarchy(admin_client, user):
    _spend(user, "2026-11-25", prompt_tokens=1_000_000, completion_tokens=0, cached_tokens=1_000_000)
    _spend(user, "2026-10-02", prompt_tokens=10, completion_tokens=10)
    page = admin_client.get("/admin/chat/usageday/?day__year=2026&day__month=11").content.decode()
    assert "Nov. 25, 2026" in page and "Oct. 2, 2026" not in page
    assert "$0.075000" in page  # all cached
    assert "day__day=25" in page  # the date hierarchy, drilled down to the month
