"""Template context the assistant's pages need on every render."""

from django.conf import settings
from django.http import HttpRequest


def assistant(request: HttpRequest) -> dict:
    return {"assistant_offline_demo": not settings.GROQ_API_KEY}
