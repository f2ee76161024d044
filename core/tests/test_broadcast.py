"""Announcements made inside a database hop under a running loop go out after commit, in commit order."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from core import broadcast

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def test_announcements_from_a_hop_arrive_in_commit_order():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(broadcast.user_group(7), channel)

    def hop():
        for task_id in range(20):
            with transaction.atomic():
                broadcast.tasks_changed(7, task_id=task_id, action="updated")
        broadcast.conversations_changed(7)

    await database_sync_to_async(hop)()
    got = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(21)]

    assert [m.get("task_id") for m in got[:20]] == list(range(20))
    assert got[-1]["type"] == broadcast.CONVERSATIONS_CHANGED


async def test_nothing_is_announced_for_a_rolled_back_change():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(broadcast.user_group(8), channel)

    def hop():
        try:
            with transaction.atomic():
                broadcast.tasks_changed(8, task_id=1, action="deleted")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with transaction.atomic():
            broadcast.tasks_changed(8, task_id=2, action="updated")

    await database_sync_to_async(hop)()
    assert (await asyncio.wait_for(layer.receive(channel), 5))["task_id"] == 2
