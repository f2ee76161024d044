"""A conversation as a file: Markdown to read, JSON to process (the current branch and what was replaced, marked)."""

from __future__ import annotations

import json

from django.template.loader import render_to_string
from django.utils.text import slugify

from chat.models import Conversation, Message


def export_filename(conversation: Conversation, extension: str) -> str:
    return f"{slugify(conversation.title)[:50] or 'conversation'}-{conversation.pk}.{extension}"


def export_json(conversation: Conversation, messages: list[Message]) -> str:
    data = {
        "id": conversation.pk,
        "title": conversation.title,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
        "messages": [
            {
                "id": m.pk,
                "role": m.role,
                "content": m.content,
                "status": m.status,
                "created_at": m.created_at.isoformat(),
                "replaced": m.replaced_at is not None,
                **({"tool_calls": m.tool_calls} if m.tool_calls else {}),
                **(
                    {"tool_name": m.tool_name, "tool_call_id": m.tool_call_id}
                    if m.role == Message.Role.TOOL
                    else {}
                ),
            }
            for m in messages
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def export_markdown(conversation: Conversation, messages: list[Message]) -> str:
    """Markdown from a plain-text template (autoescape off there: it is a text file, never HTML)."""
    return render_to_string("chat/export.md", {"conversation": conversation, "messages": messages})
