"""The in-process channel layer drops what expired, as Channels' does, but scans for it at most once a second."""

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

from core import channel_layer
from core.channel_layer import InMemoryChannelLayer


async def test_a_burst_of_group_sends_scans_for_expired_messages_once(monkeypatch):
    scans = []
    real = ChannelsInMemoryChannelLayer._clean_expired
    monkeypatch.setattr(
        ChannelsInMemoryChannelLayer, "_clean_expired", lambda self: scans.append(1) or real(self)
    )
    layer = InMemoryChannelLayer()
    await layer.group_add("conversation.1.2", "tab.inmemory!one")
    for seq in range(50):
        await layer.group_send("conversation.1.2", {"type": "turn.frame", "seq": seq})

    assert len(scans) == 1
    assert [(await layer.receive("tab.inmemory!one"))["seq"] for _ in range(50)] == list(range(50))


async def test_expired_messages_and_members_are_still_dropped(monkeypatch):
    monkeypatch.setattr(channel_layer, "CLEAN_EVERY_SECONDS", 0.05)
    layer = InMemoryChannelLayer(expiry=0.01)
    await layer.group_add("user.1", "tab.inmemory!gone")
    await layer.send("tab.inmemory!gone", {"type": "tasks.changed"})
    await asyncio.sleep(0.1)

    await layer.group_send("user.1", {"type": "tasks.changed"})  # scans: the old message expired

    assert "tab.inmemory!gone" not in layer.groups.get("user.1", {})  # and with it the channel's memberships
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive("tab.inmemory!gone"), timeout=0.1)


async def test_a_group_send_tells_how_many_channels_it_reached():
    layer = InMemoryChannelLayer()
    assert await layer.group_send("conversation.1.2", {"type": "turn.frame"}) == 0
    for _ in range(2):
        await layer.group_add("conversation.1.2", await layer.new_channel())
    assert await layer.group_send("conversation.1.2", {"type": "turn.frame"}) == 2
