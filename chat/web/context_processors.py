"""Template context the assistant's pages need on every render."""

from django.http import HttpRequest

from chat.turn.llm import is_offline_demo


def assistant(request: HttpRequest) -> dict:
    return {"assistant_offline_demo": is_offline_demo()}
