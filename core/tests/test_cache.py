"""The Redis cache: every cache object of the process shares one client, so a new thread or context (a turn, a
request) reuses the pooled connections instead of opening its own."""

import asyncio
import contextvars
import os

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
