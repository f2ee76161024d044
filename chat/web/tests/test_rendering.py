"""Markdown replies rendered and sanitized; transcripts grouped into bubbles."""

from html.parser import HTMLParser

import pytest

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
            assert name in ("href", "rel") and not (value or "").startswith("javascript")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


def test_links_get_noopener_noreferrer():
    html = render_markdown("[docs](https://example.com/a?b=1)")
    assert html == '<p><a href="https://example.com/a?b=1" rel="noopener noreferrer">docs</a></p>\n'


def test_big_headings_are_toned_down_and_empty_text_is_empty():
    assert render_markdown("# Title").startswith("<h3>Title</h3>")
    assert render_markdown("  \n") == ""


def test_tool_card_summaries():
    assert ToolCard("a", "add_task", {"title": "x"}).state == "pending"
    done = ToolCard("a", "add_task", {"title": "x"}, {"task_id": 3, "status": "created", "title": "x"})
    assert (done.state, done.label, done.summary) == ("done", "Add task", "Created: task #3 “x”")
    listed = ToolCard("b", "list_tasks", {}, {"status": "all", "total": 1, "tasks": [{"id": 1}]})
    assert listed.summary == "1 task found"
    failed = ToolCard(
        "c", "complete_task", {"task_id": 9}, {"error": "task_not_found", "message": "No task 9."}
    )
    assert (failed.state, failed.summary) == ("error", "No task 9.")
    assert failed.params_items == [("task_id", "9")]


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
    kinds = [getattr(p, "kind", None) or p.state for p in reply.parts]
    assert kinds == ["text", "done", "error", "error", "text"]
    assert reply.parts[2].params == {"raw": "{not json"}
    assert len({p.dom_id for p in reply.parts}) == 5
