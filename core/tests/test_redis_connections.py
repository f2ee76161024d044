"""The Redis connections the settings configure (the channel layer's, the cache's, sync and async): they tell the
server who they are without redis-py looking its version up in the packages' metadata for each new connection."""

import asyncio
import os

import pytest
import redis
import redis.connection
from channels.layers import get_channel_layer
from django.core.cache import caches

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


@pytest.fixture
def no_metadata_lookup(monkeypatch):
    """redis-py's lookup (importlib.metadata, ~0.35 ms) fails the test if a connection still makes it."""

    def lookup():
        raise AssertionError("a Redis connection looked its library version up")

    monkeypatch.setattr("redis.utils.get_lib_version", lookup)


SETINFO = [("CLIENT", "SETINFO", "LIB-NAME", "redis-py"), ("CLIENT", "SETINFO", "LIB-VER", redis.__version__)]


def recording(connection) -> list[tuple]:
    """The commands `connection` sends from now on (its connect handshake included)."""
    sent, send = [], connection.send_command

    def record(*args, **kwargs):
        sent.append(tuple(str(arg) for arg in args))
        return send(*args, **kwargs)

    connection.send_command = record
    return sent


def test_new_cache_connections_tell_the_server_the_library_without_a_lookup(no_metadata_lookup):
    pool = caches["default"]._cache._get_connection_pool(write=True)
    connection = pool.make_connection()  # a new one, whatever the pool holds already
    sent = recording(connection)
    try:
        connection.connect()
        connection.send_command("PING")
        assert connection.read_response() in (b"PONG", "PONG", True)
    finally:
        connection.disconnect()

    assert [command for command in sent if command[:2] == ("CLIENT", "SETINFO")] == SETINFO


def test_new_async_connections_of_the_cache_and_the_layer_do_the_same(no_metadata_lookup):
    async def handshake(pool) -> list[tuple]:
        connection = pool.make_connection()
        sent = recording(connection)
        try:
            await connection.connect()
            await connection.send_command("PING")
            assert await connection.read_response() in (b"PONG", "PONG", True)
        finally:
            await connection.disconnect()
        return [command for command in sent if command[:2] == ("CLIENT", "SETINFO")]

    async def both() -> list[list[tuple]]:
        cache_pool = caches["default"]._async_client().connection_pool
        layer_pool = get_channel_layer().connection(0).connection_pool
        return [await handshake(cache_pool), await handshake(layer_pool)]

    assert asyncio.run(both()) == [SETINFO, SETINFO]


def test_without_the_settings_driver_info_a_new_connection_does_look_it_up(monkeypatch):
    """The check above can fail: redis-py's own default makes the lookup on every new connection."""
    calls = []
    monkeypatch.setattr("redis.utils.get_lib_version", lambda: calls.append(1) or redis.__version__)
    redis.connection.Connection(host="127.0.0.1")
    redis.connection.Connection(host="127.0.0.1")

    assert len(calls) == 2
