"""The Redis cache with one client (and connection pool) per process, and one redis-py client per pool.

Django makes a cache object per thread and per async context, and each `RedisCache` builds its own connection pool.
A chat turn and its stream run in fresh contexts (chat.turn.engine, chat.web.streams), and so does every request:
each got a new pool and opened a new Redis connection (a TCP connect and redis-py's handshake, whose driver-info
lookup alone was ~4% of the process's CPU under load), never reused. Here every cache object of one configuration
shares one client, whose `BlockingConnectionPool` (config/settings/stores.py) bounds the connections. redis-py's
clients are thread-safe. Configured in config/settings/stores.py.

Django's client also builds a new `redis.Redis` for every operation, and its constructor fills a table of ~170
response callbacks: ~0.1 ms, about 40% of a `cache.get` against a local Redis (cProfile, 2,000 gets). A turn makes
several cache calls in the database hop before the model is called (the rate window, the turn lock). Here each
pool's `redis.Redis` is made once.

`aset` is asynchronous for real: Django's runs `set` in a thread (~0.3 ms of CPU for the hop and the set, against
~0.15 ms for redis.asyncio on the event loop), and a live turn saves its snapshot with every publication
(chat.web.snapshots). Same server, key, serialization and expiry as `set`; a pool per event loop.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis import asyncio as aioredis

_clients: dict[str, RedisCacheClient] = {}
_lock = threading.Lock()
# Per event loop, per server and pool options: the asyncio client `aset` uses.
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, aioredis.Redis]] = (
    weakref.WeakKeyDictionary()
)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._redis_clients: dict[int, Any] = {}  # id(pool) → its redis.Redis (pools live as long as this)

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._redis_clients.get(id(pool))
        if client is None:
            client = self._redis_clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    @cached_property
    def _cache(self) -> Any:
        key = repr((self._servers, sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]

    async def aset(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        client = self._async_client()
        if timeout == 0:
            await client.delete(key)
        else:
            await client.set(key, self._cache._serializer.dumps(value), ex=timeout)

    def _async_client(self) -> aioredis.Redis:
        server = self._servers[0]  # where Django's client writes
        per_loop = _async_clients.setdefault(asyncio.get_running_loop(), {})
        if server not in per_loop:
            options = ("max_connections", "timeout", "driver_info")
            pool_options = {k: self._options[k] for k in options if k in self._options}
            pool = aioredis.BlockingConnectionPool.from_url(server, **pool_options)
            per_loop[server] = aioredis.Redis(connection_pool=pool)
        return per_loop[server]
