"""Transcript pages: the newest messages first, cut at a turn boundary, and the way back to the start."""

import pytest
from django.utils import timezone

from chat.models import Conversation, Message
from chat.selectors import message_page

pytestmark = pytest.mark.django_db


def long_conversation(owner, turns: int = 100) -> Conversation:
    """300 messages: turns of 2 (question, answer) and 4 (question, tool call, tool result, answer) alternate."""
    conversation = Conversation.objects.create(owner=owner, title="Long")
    messages = []
    for i in range(turns):
        messages.append(Message(conversation=conversation, role="user", content=f"question {i}"))
        if i % 2:
            call = {"id": f"call_{i}", "name": "list_tasks", "arguments": "{}"}
            messages.append(Message(conversation=conversation, role="assistant", tool_calls=[call]))
            messages.append(
                Message(
                    conversation=conversation,
                    role="tool",
                    tool_call_id=f"call_{i}",
                    tool_name="list_tasks",
                    content='{"tasks": [], "total": 0}',
                )
            )
        messages.append(Message(conversation=conversation, role="assistant", content=f"answer {i}"))
    Message.objects.bulk_create(messages)
    return conversation


def test_pages_start_at_a_turn_and_walk_back_to_the_start(user):
    conversation = long_conversation(user)
    everything = list(conversation.messages.order_by("created_at", "id"))
    assert len(everything) == 300

    pages, before = [], None
    while True:
        page, before = message_page(conversation=conversation, before=before)
        pages.append(page)
        if before is None:
            break

    assert len(pages) == 4  # 100 a page at most, never a split turn
    assert all(page[0].role == "user" and len(page) <= 100 for page in pages)
    assert pages[0][-1] == everything[-1]
    assert [m.pk for page in reversed(pages) for m in page] == [m.pk for m in everything]


def test_a_page_also_stops_at_its_text_budget(user):
    conversation = long_conversation(user)
    page, before = message_page(conversation=conversation, max_chars=60)
    assert page[0].role == "user" and page[-1].content == "answer 99"
    assert len(page) < 10 and before == page[0].pk


def test_a_turn_bigger_than_a_page_is_never_split(user):
    conversation = long_conversation(user, turns=4)
    page, before = message_page(conversation=conversation, limit=2)  # the last turn has 4 messages
    assert [m.role for m in page] == ["user", "assistant", "tool", "assistant"]
    assert before == page[0].pk


def test_a_cursor_from_another_conversation_gives_nothing(user, other_user):
    mine, theirs = long_conversation(user, 4), long_conversation(other_user, 4)
    other_message = theirs.messages.last()
    assert message_page(conversation=mine, before=other_message.pk) == ([], None)
    assert message_page(conversation=mine, before="abc") == ([], None)


def test_recent_messages_walk_back_page_by_page_without_gaps_or_repeats(user):
    from chat.selectors import message_list_recent

    conversation = long_conversation(user, turns=20)
    Message.objects.filter(conversation=conversation, content="answer 7").update(replaced_at=timezone.now())
    Message.objects.filter(pk__in=conversation.messages.values("pk")[:40]).update(  # ties on created_at
        created_at=timezone.now()
    )
    current = list(conversation.messages.filter(replaced_at__isnull=True).order_by("created_at", "id"))
    walked, oldest = [], None
    while page := message_list_recent(conversation=conversation, limit=7, before=oldest):
        assert len(page) <= 7
        walked = page + walked
        oldest = page[0]
    assert [m.id for m in walked] == [m.pk for m in current] and len(current) == 59
