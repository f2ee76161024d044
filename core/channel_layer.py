"""The channel layers: Redis with a blocking connection pool, and the in-process one with a cheaper cleanup.

channels-redis builds a plain `ConnectionPool` per host, which either grows without bound (the default) or, with
`max_connections`, raises "Too many connections" when every connection is busy — exactly what a mass disconnect
(thousands of sockets leaving their groups at once) does. A `BlockingConnectionPool` makes the extra callers wait
for a free connection (up to the host's `timeout` seconds) instead. Configured in config/settings/stores.py.

Channels' in-process layer (no REDIS_URL: one process) looks at every queued message and every group member on each
send, group send and receive, to drop what expired (messages after 60 s, group memberships after a day). With a
hundred sockets streaming replies — a frame each ~40 ms, published to the conversation's group — that scan was a
tenth of the process's CPU. `InMemoryChannelLayer` here does it at most once a second: nothing expires sooner than
that matters.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer
from channels_redis.core import RedisChannelLayer
from redis import asyncio as aioredis

CLEAN_EVERY_SECONDS = 1.0


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index: int) -> aioredis.BlockingConnectionPool:
        host = dict(self.hosts[index])
        return aioredis.BlockingConnectionPool.from_url(host.pop("address"), **host)


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at >= CLEAN_EVERY_SECONDS:
            self._cleaned_at = now
            super()._clean_expired()
