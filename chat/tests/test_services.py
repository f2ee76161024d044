"""Regenerate, edit, feedback and rename through chat.services; search through chat.selectors."""

import datetime as dt

import pytest
from django.utils import timezone

from chat import errors, services
from chat.models import Conversation, Message, MessageFeedback
from chat.selectors import conversation_search
from chat.turn.tests.prompts import build_messages

pytestmark = pytest.mark.django_db


def _turn(conversation, question: str, answer: str) -> tuple[Message, Message]:
    q = Message.objects.create(conversation=conversation, role="user", content=question)
    a = Message.objects.create(conversation=conversation, role="assistant", content=answer)
    return q, a


@pytest.fixture
def chat(user):
    conversation = Conversation.objects.create(owner=user, title="Groceries")
    first = _turn(conversation, "add milk", "Added milk.")
    last = _turn(conversation, "add eggs", "Added eggs.")
    return conversation, first, last


def test_regenerate_marks_the_last_reply_replaced_and_keeps_the_question(user, chat):
    conversation, first, (question, answer) = chat

    again = services.reply_replace(owner=user, conversation_id=conversation.pk, message_id=question.pk)

    assert again == question
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.replaced_at is not None and question.replaced_at is None
    assert Message.objects.filter(replaced_at__isnull=False).count() == 1


def test_edit_replaces_the_question_and_its_reply_with_a_new_question(user, chat):
    conversation, first, (question, answer) = chat

    new = services.user_message_edit(
        owner=user, conversation_id=conversation.pk, message_id=question.pk, content="add brown eggs"
    )

    assert (new.content, new.role, new.replaced_at) == ("add brown eggs", "user", None)
    replaced = set(Message.objects.filter(replaced_at__isnull=False).values_list("pk", flat=True))
    assert replaced == {question.pk, answer.pk}


def test_the_model_sees_only_the_current_branch(user, chat):
    conversation, first, (question, answer) = chat
    services.user_message_edit(
        owner=user, conversation_id=conversation.pk, message_id=question.pk, content="add brown eggs"
    )
    Message.objects.create(conversation=conversation, role="assistant", content="Added brown eggs.")

    sent = build_messages(conversation.messages.order_by("created_at", "id"), "native", 6000)

    assert [(m["role"], m["content"]) for m in sent[1:]] == [
        ("user", "add milk"),
        ("assistant", "Added milk."),
        ("user", "add brown eggs"),
        ("assistant", "Added brown eggs."),
    ]


def test_only_the_last_question_and_only_ones_own(user, other_user, chat):
    conversation, (first_q, first_a), _ = chat
    with pytest.raises(errors.NotLastQuestion):
        services.reply_replace(owner=user, conversation_id=conversation.pk, message_id=first_q.pk)
    with pytest.raises(errors.MessageNotFound):
        services.reply_replace(owner=user, conversation_id=conversation.pk, message_id=first_a.pk)
    with pytest.raises(errors.ConversationNotFound):
        services.reply_replace(owner=other_user, conversation_id=conversation.pk, message_id=first_q.pk)


def test_feedback_is_stored_changed_and_removed(user, other_user, chat):
    _, (_, answer), (question, _) = chat

    services.message_feedback_set(owner=user, message_id=answer.pk, rating="good")
    feedback = services.message_feedback_set(
        owner=user, message_id=answer.pk, rating="bad", comment=" too short "
    )

    assert (feedback.rating, feedback.comment) == ("bad", "too short")
    assert MessageFeedback.objects.count() == 1
    with pytest.raises(errors.FeedbackInvalid):
        services.message_feedback_set(owner=user, message_id=answer.pk, rating="meh")
    with pytest.raises(errors.MessageNotFound):  # not a reply
        services.message_feedback_set(owner=user, message_id=question.pk, rating="good")
    with pytest.raises(errors.MessageNotFound):  # not theirs
        services.message_feedback_set(owner=other_user, message_id=answer.pk, rating="good")
    assert services.message_feedback_set(owner=user, message_id=answer.pk, rating="") is None
    assert MessageFeedback.objects.count() == 0


def test_rename_keeps_the_conversation_where_it_was(user, chat):
    conversation = chat[0]
    older = timezone.now() - dt.timedelta(days=3)
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=older)

    services.conversation_rename(owner=user, conversation_id=conversation.pk, title="Shopping")

    conversation.refresh_from_db()
    assert (conversation.title, conversation.updated_at) == ("Shopping", older)


def test_search_finds_titles_and_message_text_of_ones_own_conversations(user, other_user, chat):
    conversation = chat[0]
    theirs = Conversation.objects.create(owner=other_user, title="milk run")
    _turn(theirs, "add milk", "Added milk.")
    plain = Conversation.objects.create(owner=user, title="Work")
    _turn(plain, "remind me about the report", "Done.")

    assert conversation_search(owner=user, query="groceries") == [(conversation, "Groceries")]
    assert conversation_search(owner=user, query="eggs") == [(conversation, "add eggs")]
    assert [c for c, _ in conversation_search(owner=user, query="report")] == [plain]
    assert conversation_search(owner=user, query="   ") == []


def test_a_question_moves_its_conversation_up_in_one_narrow_update(user, chat, django_assert_max_num_queries):
    conversation, _, _ = chat
    before = conversation.updated_at
    with django_assert_max_num_queries(10) as captured:
        message = services.user_message_create(owner=user, conversation=conversation, content="and bread")
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert [sql.split()[0] for sql in statements] == ["UPDATE", "INSERT"]  # not read again, then the message
    assert "owner_id" not in statements[0] and "created_at" not in statements[0]  # only title and time
    conversation.refresh_from_db()
    assert conversation.updated_at > before and conversation.title == "Groceries"
    assert message.conversation_id == conversation.pk and message.role == "user"


def test_a_question_never_lands_in_someone_elses_conversation(user, other_user, chat):
    conversation, _, _ = chat
    with pytest.raises(errors.ConversationNotFound):
        services.user_message_create(owner=other_user, conversation=conversation, content="mine now")
    assert not conversation.messages.filter(content="mine now").exists()
