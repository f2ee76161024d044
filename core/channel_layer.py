"""The channel layers: Redis with a blocking connection pool and fewer round trips, and the in-process one with a
cheaper cleanup.

channels-redis builds a plain `ConnectionPool` per host, which either grows without bound (the default) or, with
`max_connections`, raises "Too many connections" when every connection is busy — exactly what a mass disconnect
(thousands of sockets leaving their groups at once) does. A `BlockingConnectionPool` makes the extra callers wait
for a free connection (up to the host's `timeout` seconds) instead. Configured in config/settings/stores.py.

It also awaits each Redis command on its own: a send is four round trips, a group send two plus two per Redis
server holding members, a group add two. Every turn sends its frames to the conversation's group every 150 ms, and
each round trip is a few hundred microseconds of redis-py on the event loop. Here the same commands go in one
pipeline or one Lua script: a send and a group add are one round trip; a group send one to read the members
(then nothing more when nobody is listening) and one per server to deliver. Same keys, scores, expiries and
capacity checks as channels-redis, so processes running either can share a Redis.

Receiving cost channels-redis four round trips a message (restore a backup queue, BZPOPMIN, copy to the backup
queue, remove from it). Here the process's own channels (the "!" ones every consumer has) are read with one BZMPOP
of up to RECEIVE_BATCH messages (Redis 7.0+): one round trip for whatever has queued since the last. The pop runs as
a task of its own, so a receiver cancelled while it waits (a socket closing, a stop listener ending) leaves the pop,
and what it brings, to the next receiver instead of dropping it.

Channels' in-process layer (no REDIS_URL: one process) looks at every queued message and every group member on each
send, group send and receive, to drop what expired (messages after 60 s, group memberships after a day). With a
hundred sockets streaming replies — a frame each ~40 ms, published to the conversation's group — that scan was a
tenth of the process's CPU. `InMemoryChannelLayer` here does it at most once a second: nothing expires sooner than
that matters.
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer
from channels_redis.core import RedisChannelLayer
from redis import asyncio as aioredis

logger = logging.getLogger(__name__)

CLEAN_EVERY_SECONDS = 1.0
RECEIVE_BATCH = 100

# channels-redis's steps, in one script: drop expired messages, check capacity, add the message, renew the expiry.
# KEYS: channel keys; ARGV: one message per key, one capacity per key, then now, expiry and the expired cutoff.
_DELIVER = """
local n = #KEYS
local now, expiry, cutoff = ARGV[2 * n + 1], ARGV[2 * n + 2], ARGV[2 * n + 3]
local over_capacity = 0
for i = 1, n do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, cutoff)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pops: dict[str, asyncio.Task] = {}  # channel key → its pop under way

    def create_pool(self, index: int) -> aioredis.BlockingConnectionPool:
        host = dict(self.hosts[index])
        return aioredis.BlockingConnectionPool.from_url(host.pop("address"), **host)

    async def _deliver(
        self, index: int, keys: list[str], messages: list[bytes], capacities: list[int]
    ) -> int:
        """Add each message to its channel key on server `index`; returns how many keys were full."""
        now = time.time()
        cutoff = int(now) - int(self.expiry)
        args = [*messages, *capacities, now, int(self.expiry), cutoff]
        return await self.connection(index).eval(_DELIVER, len(keys), *keys, *args)

    async def send(self, channel: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        assert "__asgi_channel__" not in message
        non_local = channel
        if "!" in channel:
            message = {**message, "__asgi_channel__": channel}
            non_local = self.non_local_name(channel)
        index = self.consistent_hash(channel) if "!" in channel else next(self._send_index_generator)
        key = self.prefix + non_local
        if await self._deliver(index, [key], [self.serialize(message)], [self.get_capacity(channel)]):
            raise ChannelFull()

    async def group_add(self, group: str, channel: str) -> None:
        assert self.require_valid_group_name(group), "Group name not valid"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        key = self._group_key(group)
        async with self.connection(self.consistent_hash(group)).pipeline(transaction=False) as pipe:
            pipe.zadd(key, {channel: time.time()})
            pipe.expire(key, self.group_expiry)
            await pipe.execute()

    async def group_send(self, group: str, message: dict) -> int:
        """As channels-redis; returns the number of channels in the group (a publisher can tell nobody watches)."""
        assert self.require_valid_group_name(group), "Group name not valid"
        key = self._group_key(group)
        async with self.connection(self.consistent_hash(group)).pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
            pipe.zrange(key, 0, -1)
            _, members = await pipe.execute()
        if not members:
            return 0
        names = [member.decode("utf8") for member in members]
        by_server, messages, capacities = self._map_channel_keys_to_connection(names, message)
        for index, keys in by_server.items():
            full = await self._deliver(
                index, keys, [messages[k] for k in keys], [capacities[k] for k in keys]
            )
            if full:
                logger.info("%s of %s channels over capacity in group %s", full, len(names), group)
        return len(names)

    async def receive_single(self, channel: str) -> tuple[str | list[str], dict]:
        """The next message of the process's channels (called by one receiver at a time, which puts the message
        returned in its channel's buffer); the others popped with it go to their channels' buffers first."""
        if "!" not in channel:
            return await super().receive_single(channel)
        key = self.prefix + channel
        task = self._pops.get(key)
        if task is None or task.cancelled() or task.get_loop() is not asyncio.get_running_loop():
            task = self._pops[key] = asyncio.ensure_future(self._pop(self.consistent_hash(channel), key))
        try:
            members = await asyncio.shield(task)
        except asyncio.CancelledError:
            raise  # this receiver is cancelled: the pop, under way or done, stays for the next one
        except BaseException:
            if self._pops.get(key) is task:
                del self._pops[key]
            raise
        if self._pops.get(key) is task:
            del self._pops[key]
        received = [self._unpack(member, channel) for member in members]
        for names, message in received[:-1]:  # a group send names all its channels in one process at once
            for name in names if isinstance(names, list) else [names]:
                self.receive_buffer[name].put_nowait(message)
        return received[-1]  # the caller buffers it after these: each channel's messages stay in order

    async def _pop(self, index: int, key: str) -> list[bytes]:
        while True:
            popped = await self.connection(index).bzmpop(
                self.brpop_timeout, 1, [key], min=True, count=RECEIVE_BATCH
            )
            if popped:
                return [member for member, _score in popped[1]]

    async def close_pools(self) -> None:
        for task in self._pops.values():
            task.cancel()
        self._pops.clear()
        await super().close_pools()

    def _unpack(self, content: bytes, channel: str) -> tuple[str | list[str], dict]:
        message = self.deserialize(content)
        return message.pop("__asgi_channel__", channel), message


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _cleaned_at = 0.0

    async def group_send(self, group: str, message: dict) -> int:
        """As channels'; returns the number of channels in the group (as the Redis layer above does)."""
        await super().group_send(group, message)
        return len(self.groups.get(group, ()))

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at >= CLEAN_EVERY_SECONDS:
            self._cleaned_at = now
            super()._clean_expired()
