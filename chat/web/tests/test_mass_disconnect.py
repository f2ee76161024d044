"""Many sockets at once over the Redis channel layer: a mass disconnect waits for pooled connections instead of
failing, and leaves no stale group membership behind. bench/mass_disconnect.py is the 2,000-socket version."""

import asyncio
import os
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string
from redis.asyncio import BlockingConnectionPool

from core.broadcast import user_group

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis channel layer)"
    ),
]

SOCKETS = 200
POOL = 4  # far fewer connections than sockets leaving at once: callers must wait, not fail


@pytest.fixture
def small_pool_layer(settings):
    layers = {"default": {**settings.CHANNEL_LAYERS["default"]}}
    config = dict(layers["default"]["CONFIG"])
    config["hosts"] = [{**config["hosts"][0], "max_connections": POOL}]
    config["prefix"] = f"test-mass-{uuid.uuid4().hex[:8]}"
    layers["default"]["CONFIG"] = config
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends.clear()
    yield config["prefix"]
    channel_layers.backends.clear()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def test_sockets_opened_then_closed_together_leave_no_group_entries(user, small_pool_layer):
    cookie = await sync_to_async(session_cookie)(user)
    headers = [(b"cookie", f"sessionid={cookie}".encode()), (b"origin", b"http://testserver")]
    application = import_string(settings.ASGI_APPLICATION)
    sockets = [WebsocketCommunicator(application, "/ws/chat/", headers=headers) for _ in range(SOCKETS)]
    results = await asyncio.gather(*(s.connect(timeout=60) for s in sockets))
    assert all(connected for connected, _ in results)

    layer = get_channel_layer()
    redis = layer.connection(0)
    user_key = f"{small_pool_layer}:group:{user_group(user.pk)}"
    for _ in range(600):  # a socket joins its groups just after the handshake is accepted
        if await redis.zcard(user_key) == SOCKETS:
            break
        await asyncio.sleep(0.05)
    assert await redis.zcard(user_key) == SOCKETS

    await asyncio.gather(*(s.disconnect() for s in sockets))
    stale = [key async for key in redis.scan_iter(match=f"{small_pool_layer}:group:*")]
    assert stale == []
    pool = redis.connection_pool
    assert isinstance(pool, BlockingConnectionPool) and pool.max_connections == POOL
