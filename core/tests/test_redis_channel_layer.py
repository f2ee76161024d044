"""The Redis channel layer: channels-redis's keys and checks, in fewer round trips, on a real Redis."""

import asyncio
import logging
import os
import time
import uuid

import pytest
from channels.exceptions import ChannelFull
from channels_redis.core import RedisChannelLayer
from redis.asyncio.connection import Connection

from core.channel_layer import BlockingPoolRedisChannelLayer

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


@pytest.fixture
def prefix():
    return f"layer-test-{uuid.uuid4().hex[:8]}"


def ours(prefix: str, **config) -> BlockingPoolRedisChannelLayer:
    return BlockingPoolRedisChannelLayer(
        hosts=[{"address": os.environ["REDIS_URL"]}], prefix=prefix, **config
    )


def upstream(prefix: str, **config) -> RedisChannelLayer:
    return RedisChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix=prefix, **config)


@pytest.fixture
def round_trips(monkeypatch):
    """Commands (or pipelines, or scripts) written to Redis: one per round trip."""
    sent = []
    real = Connection.send_packed_command

    async def counting(self, command, check_health=True):
        sent.append(command)
        return await real(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent


async def receive(layer, channel: str) -> dict:
    return await asyncio.wait_for(layer.receive(channel), timeout=5)


async def test_group_send_reaches_every_member_of_every_process(prefix):
    one, two = ours(prefix), ours(prefix)
    a, b, c = await one.new_channel(), await one.new_channel(), await two.new_channel()
    for channel in (a, b, c):
        await one.group_add("conversation.1.2", channel)

    reached = await two.group_send("conversation.1.2", {"type": "turn.frame", "seq": 1})

    assert reached == 3  # a publisher can tell whether anybody listens
    assert [(await receive(layer, ch))["seq"] for layer, ch in ((one, a), (one, b), (two, c))] == [1, 1, 1]
    await one.group_discard("conversation.1.2", b)
    assert await two.group_send("conversation.1.2", {"type": "turn.frame", "seq": 2}) == 2
    assert await two.group_send("conversation.1.3", {"type": "turn.frame", "seq": 1}) == 0
    assert (await receive(one, a))["seq"] == 2 and (await receive(two, c))["seq"] == 2
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(one.receive(b), timeout=0.3)
    await one.flush()


async def test_an_empty_group_costs_one_round_trip_and_a_member_one_more(prefix, round_trips):
    layer = ours(prefix)
    await layer.group_send("nobody.here", {"type": "turn.frame"})  # opens the pool's connection (a handshake)
    round_trips.clear()
    await layer.group_send("nobody.here", {"type": "turn.frame"})
    assert len(round_trips) == 1  # channels-redis: two

    channel = await layer.new_channel()
    round_trips.clear()
    await layer.group_add("conversation.3.4", channel)
    assert len(round_trips) == 1
    round_trips.clear()
    await layer.group_send("conversation.3.4", {"type": "turn.frame"})
    assert len(round_trips) == 2  # channels-redis: four
    round_trips.clear()
    await layer.send(channel, {"type": "turn.listen_end"})
    assert len(round_trips) == 1  # channels-redis: four
    assert (await receive(layer, channel))["type"] == "turn.frame"
    await layer.flush()


async def test_a_full_channel_refuses_a_send_and_is_skipped_by_a_group_send(prefix, caplog):
    layer = ours(prefix, capacity=1)
    full, other = await layer.new_channel(), await layer.new_channel()
    await layer.send(full, {"type": "first"})
    with pytest.raises(ChannelFull):
        await layer.send(full, {"type": "second"})
    await layer.group_add("g", full)
    await layer.group_add("g", other)

    with caplog.at_level(logging.INFO, logger="core.channel_layer"):
        await layer.group_send("g", {"type": "third"})

    # Both channels of this process share one Redis key, as in channels-redis: its capacity is the key's.
    assert "over capacity in group g" in caplog.text
    assert (await receive(layer, full))["type"] == "first"
    await layer.flush()


async def test_expired_members_and_messages_are_dropped(prefix):
    layer = ours(prefix, group_expiry=1, expiry=1)
    gone, kept = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("g", gone)
    await layer.send(kept, {"type": "stale"})
    await asyncio.sleep(2.1)
    await layer.group_add("g", kept)

    await layer.group_send("g", {"type": "fresh"})

    members = await layer.connection(0).zrange(layer._group_key("g"), 0, -1)
    assert members == [kept.encode()]
    assert (await receive(layer, kept))["type"] == "fresh"  # the stale message expired before it
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(gone), timeout=0.3)
    await layer.flush()


async def test_processes_on_channels_redis_and_on_ours_share_groups_and_channels(prefix):
    theirs, mine = upstream(prefix), ours(prefix)
    their_channel, my_channel = await theirs.new_channel(), await mine.new_channel()
    await mine.group_add("user.7", their_channel)
    await theirs.group_add("user.7", my_channel)

    await mine.group_send("user.7", {"type": "tasks.changed", "at": time.time()})
    await theirs.send(my_channel, {"type": "direct"})

    assert (await receive(theirs, their_channel))["type"] == "tasks.changed"
    assert [(await receive(mine, my_channel))["type"] for _ in range(2)] == ["tasks.changed", "direct"]
    await mine.flush()


def popped(round_trips: list) -> int:
    """The blocking pops among the commands sent."""
    return sum(
        b"BZMPOP" in b"".join(command if isinstance(command, list) else [command]) for command in round_trips
    )


async def test_what_queued_for_this_process_arrives_in_one_round_trip_in_order(prefix, round_trips):
    layer = ours(prefix)
    a, b = await layer.new_channel(), await layer.new_channel()
    for channel, n in ((a, 1), (b, 1), (a, 2), (a, 3)):
        await layer.send(channel, {"type": "news", "n": n})
    round_trips.clear()

    from_a = [(await receive(layer, a))["n"] for _ in range(3)]
    from_b = (await receive(layer, b))["n"]

    assert (from_a, from_b) == ([1, 2, 3], 1)
    assert len(round_trips) == 1 and popped(round_trips) == 1  # channels-redis: four per message
    await layer.flush()


async def test_a_receiver_cancelled_while_it_waits_leaves_the_pop_to_the_next(prefix, round_trips):
    layer, sender = ours(prefix), ours(prefix)
    a, b = await layer.new_channel(), await layer.new_channel()
    first = asyncio.create_task(layer.receive(a))  # the first receiver pops for the whole process
    second = asyncio.create_task(layer.receive(b))
    await asyncio.sleep(0.2)
    assert popped(round_trips) == 1

    first.cancel()  # a socket closing while its receive leads the pop
    await asyncio.sleep(0.05)
    await sender.send(b, {"type": "after"})

    assert (await asyncio.wait_for(second, timeout=5))["type"] == "after"
    assert popped(round_trips) == 1  # the same pop, handed over: nothing it takes can be dropped
    assert first.cancelled()
    await layer.flush()
    await sender.flush()


async def test_a_receiver_cancelled_just_as_its_pop_returns_leaves_what_it_popped_to_the_next(prefix):
    layer, sender = ours(prefix), ours(prefix)
    a, b = await layer.new_channel(), await layer.new_channel()
    first = asyncio.create_task(layer.receive(a))
    second = asyncio.create_task(layer.receive(b))
    await asyncio.sleep(0.2)
    (pop,) = layer._pops.values()
    # The pop returns with b's message, and the receiver leading it is cancelled before it resumes (a stop
    # listener closing as the turn's last frames arrive).
    pop.add_done_callback(lambda _: first.cancel())

    await sender.send(b, {"type": "last frame"})

    assert (await asyncio.wait_for(second, timeout=5))["type"] == "last frame"
    assert first.cancelled()
    await layer.flush()
    await sender.flush()
