"""Announces task changes on the channel layer so every open tab of the owner (on any worker) can refresh."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def tasks_group(owner_id: int) -> str:
    return f"tasks.user.{owner_id}"


def announce_task_change(*, owner_id: int, task_id: int, action: str) -> None:
    """Sent after the transaction commits, so listeners never read a change that was rolled back."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(
                tasks_group(owner_id), {"type": "tasks.changed", "task_id": task_id, "action": action}
            )
        except Exception:  # a broken channel layer must not break a saved change
            logger.warning("Could not announce task change", exc_info=True)

    transaction.on_commit(send)
