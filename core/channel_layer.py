"""The Redis channel layer with a blocking connection pool.

channels-redis builds a plain `ConnectionPool` per host, which either grows without bound (the default) or, with
`max_connections`, raises "Too many connections" when every connection is busy — exactly what a mass disconnect
(thousands of sockets leaving their groups at once) does. A `BlockingConnectionPool` makes the extra callers wait
for a free connection (up to the host's `timeout` seconds) instead. Configured in config/settings/stores.py.
"""

from __future__ import annotations

from channels_redis.core import RedisChannelLayer
from redis import asyncio as aioredis


class BlockingPoolRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index: int) -> aioredis.BlockingConnectionPool:
        host = dict(self.hosts[index])
        return aioredis.BlockingConnectionPool.from_url(host.pop("address"), **host)
