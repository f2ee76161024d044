"""The Redis cache with one client (and connection pool) per process.

Django makes a cache object per thread and per async context, and each `RedisCache` builds its own connection pool.
A chat turn and its stream run in fresh contexts (chat.turn.engine, chat.web.streams), and so does every request:
each got a new pool and opened a new Redis connection (a TCP connect and redis-py's handshake, whose driver-info
lookup alone was ~4% of the process's CPU under load), never reused. Here every cache object of one configuration
shares one client, whose `BlockingConnectionPool` (config/settings/stores.py) bounds the connections. redis-py's
clients are thread-safe. Configured in config/settings/stores.py.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_clients: dict[str, RedisCacheClient] = {}
_lock = threading.Lock()


class SharedClientRedisCache(RedisCache):
    @cached_property
    def _cache(self) -> Any:
        key = repr((self._servers, sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]
