"""Live updates: news for one user's open tabs, sent on the channel layer after the transaction commits.

Every websocket of a user joins `user_group(user.pk)`; with REDIS_URL set that reaches tabs on every worker.
Messages carry a `type` that names the consumer's handler ("tasks.changed" → `tasks_changed`).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def announce_to_user(user_id: int, message: dict) -> None:
    """Sent after commit, so listeners never read a change that was rolled back."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(user_group(user_id), message)
        except Exception:  # a broken channel layer must not break a saved change
            logger.warning("Could not announce %s to user %s", message.get("type"), user_id, exc_info=True)

    transaction.on_commit(send)
