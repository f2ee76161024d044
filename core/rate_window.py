"""A sliding window per key (a minute unless told), in the shared cache, correct across processes: the chat's turns
per minute (chat.turn.limits) and the REST API's throttles (core.throttling).

With Django's RedisCache (production, several workers) it is a sorted set of the events of the window, trimmed,
counted and added to by one Lua script: atomic in Redis and timed by Redis's own clock, so every worker agrees.
Without Redis the settings use the local-memory cache, which is per process anyway: the same log is kept in it under
a process lock. Either way a burst straddling a window's boundary does not get twice the limit.

`take(key, limit, window_seconds)` returns 0 when a slot was taken, else the seconds until one frees (at least 1).
"""

from __future__ import annotations

import math
import threading
import time
import uuid

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

WINDOW_SECONDS = 60
_LOCAL_LOCK = threading.Lock()

# KEYS[1]: the sorted set; ARGV: window (ms), limit, member suffix. Returns {taken, retry_after_ms}.
_TAKE_LUA = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - window)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  redis.call('ZADD', KEYS[1], now_ms, now_ms .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local freeing = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
return {0, tonumber(freeing[2]) + window - now_ms}
"""


def take(key: str, limit: int, window_seconds: int = WINDOW_SECONDS) -> int:
    if limit <= 0:
        return window_seconds
    backend = caches[DEFAULT_CACHE_ALIAS]  # `cache` is a proxy to it
    if isinstance(backend, RedisCache):
        return _take_redis(backend, key, limit, window_seconds)
    return _take_log(key, limit, time.time(), window_seconds)


def _take_redis(redis_cache: RedisCache, key: str, limit: int, window_seconds: int) -> int:
    full_key = redis_cache.make_and_validate_key(key)
    # Django's RedisCache has no public way to reach its client; `_cache.get_client` is the one it uses itself.
    client = redis_cache._cache.get_client(full_key, write=True)
    taken, retry_ms = client.eval(_TAKE_LUA, 1, full_key, window_seconds * 1000, limit, uuid.uuid4().hex)
    return 0 if taken else max(1, math.ceil(int(retry_ms) / 1000))


def _take_log(key: str, limit: int, now: float, window_seconds: int = WINDOW_SECONDS) -> int:
    with _LOCAL_LOCK:
        sent = [t for t in cache.get(key) or [] if t > now - window_seconds]
        if len(sent) < limit:
            cache.set(key, [*sent, now], timeout=window_seconds + 1)
            return 0
    return max(1, math.ceil(sent[len(sent) - limit] + window_seconds - now))
