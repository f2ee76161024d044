"""The Redis cache: every cache object of the process shares one client, so a new thread or context (a turn, a
request) reuses the pooled connections instead of opening its own."""

import asyncio
import contextvars
import os
import threading

import pytest
from django.core.cache import caches

from core.cache import SharedClientRedisCache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


def test_cache_objects_of_other_contexts_share_one_client_and_its_pool():
    async def cache_object():
        return caches["default"]

    async def in_a_fresh_context():
        return await asyncio.get_running_loop().create_task(cache_object(), context=contextvars.Context())

    here = caches["default"]
    there = asyncio.run(in_a_fresh_context())

    assert isinstance(here, SharedClientRedisCache) and here is not there  # Django's per-context objects
    assert here._cache is there._cache
    there.set("shared-client-check", 1, 5)
    assert here.get("shared-client-check") == 1


def test_a_differently_configured_cache_gets_its_own_client():
    url = os.environ["REDIS_URL"]
    first = SharedClientRedisCache(url, {"OPTIONS": {"db": 1}})
    second = SharedClientRedisCache(url, {"OPTIONS": {"db": 2}})
    same = SharedClientRedisCache(url, {"OPTIONS": {"db": 1}})

    assert first._cache is not second._cache and first._cache is same._cache


def test_every_operation_reuses_the_pools_redis_client_from_any_thread():
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    from_threads = []

    def in_a_thread():
        cache.set("reused-client-check", 2, 5)
        from_threads.append(cache._cache.get_client(write=True))

    threads = [threading.Thread(target=in_a_thread) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert from_threads == [client] * 4  # Django's own client builds a new redis.Redis per call
    assert cache._cache.get_client(write=False) is client  # one server: reads use the same pool
    assert cache.get("reused-client-check") == 2


async def test_aset_writes_from_the_event_loop_what_the_sync_side_reads(monkeypatch):
    cache = caches["default"]

    def no_thread_hop(*args, **kwargs):
        raise AssertionError("aset went through the synchronous set")

    monkeypatch.setattr(SharedClientRedisCache, "set", no_thread_hop)
    await cache.aset("aset-check", {"seq": 3, "html": "<p>é</p>"}, 30)

    assert await asyncio.to_thread(cache.get, "aset-check") == {"seq": 3, "html": "<p>é</p>"}
    key = cache.make_and_validate_key("aset-check")
    assert 0 < await asyncio.to_thread(cache._cache.get_client().ttl, key) <= 30
    await cache.aset("aset-check", "gone", 0)  # as Django's set: a timeout of 0 deletes
    assert await asyncio.to_thread(cache.get, "aset-check") is None
