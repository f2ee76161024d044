"""Announces task changes to the owner's open tabs (on any worker), which re-render their task panel."""

from config.live import announce_to_user, user_group


def tasks_group(owner_id: int) -> str:
    """The channel-layer group that hears about the owner's task changes (the owner's tabs)."""
    return user_group(owner_id)


def announce_task_change(*, owner_id: int, task_id: int, action: str) -> None:
    announce_to_user(owner_id, {"type": "tasks.changed", "task_id": task_id, "action": action})
