"""Markdown replies rendered and sanitized; transcripts grouped into bubbles."""

from html.parser import HTMLParser

import pytest
from django.utils import timezone

from chat.models import Conversation, Message
from chat.web.rendering import render_markdown
from chat.web.transcript import AssistantBubble, ToolCard, UserBubble, transcript_bubbles


def test_markdown_is_rendered():
    html = render_markdown("**bold** and *it*\n\n- one\n- two\n\n`code`")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<ul>\n<li>one</li>" in html and "<code>code</code>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "![x](https://example.com/a.png)",
        '<iframe src="https://example.com"></iframe>',
        "<div onclick=alert(1)>x</div>",
    ],
)
def test_html_from_the_model_never_survives(source):
    tags = Tags()
    tags.feed(render_markdown(source))
    assert {tag for tag, _ in tags.seen} <= {"p", "a"}
    for _, attrs in tags.seen:
        for name, value in attrs:
            assert name in ("href", "rel", "target") and not (value or "").startswith("javascript")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


def test_links_get_noopener_noreferrer():
    html = render_markdown("[docs](https://example.com/a?b=1)")
    assert (
        html
        == '<p><a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow">docs</a></p>\n'
    )


def test_big_headings_are_toned_down_and_empty_text_is_empty():
    assert render_markdown("# Title").startswith("<h3>Title</h3>")
    assert render_markdown("  \n") == ""


def test_tool_chips_read_as_one_line():
    running = ToolCard("a", "add_task", {"title": "x"})
    assert (running.state, running.icon, running.verb, running.subject) == ("pending", "…", "Adding", "x")
    done = ToolCard("a", "add_task", {"title": "x"}, {"task_id": 3, "status": "created", "title": "buy milk"})
    assert (done.state, done.icon, done.verb, done.subject) == ("done", "✓", "Added", "buy milk")
    listed = ToolCard("b", "list_tasks", {}, {"status": "pending", "total": 5, "tasks": [{"id": 1}] * 5})
    assert (listed.summary, listed.subject) == ("Listed 5 pending", "")
    assert (
        ToolCard("b", "list_tasks", {}, {"status": "all", "total": 1, "tasks": [{}]}).summary
        == "Listed 1 task"
    )
    failed = ToolCard(
        "c", "complete_task", {"task_id": 9}, {"error": "task_not_found", "message": "Task 9 was not found."}
    )
    assert (failed.state, failed.icon, failed.summary) == ("error", "✗", "Task 9 was not found.")
    assert failed.params_items == [("task_id", "9")]
    by_id = ToolCard("d", "complete_task", {"task_id": 4}, {"task_id": 4, "status": "completed"})
    assert by_id.summary == "Completed task 4"


def test_links_open_in_a_new_tab_and_stay_sanitized():
    html = render_markdown("see https://example.com/a?b=1 or [x](javascript:alert(1)) <a href=x>y</a>")
    assert (
        '<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow">'
        "https://example.com/a?b=1</a>"
    ) in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert "&lt;a href=x&gt;" in html


@pytest.mark.django_db
def test_transcript_groups_a_turn_into_one_assistant_bubble(user):
    conversation = Conversation.objects.create(owner=user)
    add = Message.objects.create
    first = add(conversation=conversation, role="user", content="add x and y")
    add(
        conversation=conversation,
        role="assistant",
        content="On it.",
        reasoning="r1",
        tool_calls=[
            {"id": "c1", "name": "add_task", "arguments": '{"title": "x"}'},
            {"id": "c2", "name": "add_task", "arguments": "{not json"},
        ],
    )
    add(
        conversation=conversation,
        role="tool",
        tool_call_id="c1",
        tool_name="add_task",
        content='{"task_id": 1}',
    )
    add(
        conversation=conversation,
        role="tool",
        tool_call_id="c2",
        tool_name="add_task",
        content='{"error": "e"}',
    )
    add(
        conversation=conversation,
        role="tool",
        tool_call_id="",
        tool_name="",
        content='{"error": "malformed"}',
    )
    add(conversation=conversation, role="assistant", content="Both added.", reasoning="r2")

    bubbles = transcript_bubbles(conversation.messages.order_by("id"))

    assert [type(b) for b in bubbles] == [UserBubble, AssistantBubble]
    reply = bubbles[1]
    assert reply.key == f"turn-{first.pk}"
    assert reply.reasoning == "r1\n\nr2"
    # the three calls in a row read as one short list of chips, between the two texts
    assert [p.kind for p in reply.parts] == ["text", "tools", "text"]
    chips = reply.parts[1].cards
    assert [c.state for c in chips] == ["done", "error", "error"]
    assert chips[1].params == {"raw": "{not json"}
    assert len({c.dom_id for c in chips} | {p.dom_id for p in reply.parts}) == 6
    assert reply.message_id == conversation.messages.last().pk and reply.markdown == "On it.\n\nBoth added."


@pytest.mark.django_db
def test_a_regenerated_reply_stays_marked_replaced_before_the_current_one(user):
    conversation = Conversation.objects.create(owner=user)
    add = Message.objects.create
    question = add(conversation=conversation, role="user", content="hi")
    old = add(conversation=conversation, role="assistant", content="old", replaced_at=timezone.now())
    new = add(conversation=conversation, role="assistant", content="new", reasoning="hm", thought_ms=2600)

    user_bubble, replaced, current = transcript_bubbles(conversation.messages.order_by("id"))

    assert (replaced.replaced, replaced.key, replaced.message_id) == (
        True,
        f"turn-{question.pk}-v{old.pk}",
        old.pk,
    )
    assert (current.replaced, current.key, current.message_id) == (False, f"turn-{question.pk}", new.pk)
    assert current.thought_label == "Thought for 3 s" and replaced.thought_label == "Thought"
    assert current.question_id == question.pk
