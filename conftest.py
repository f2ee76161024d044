"""Fixtures shared by every app's tests: users, API clients (anonymous, session, Bearer token), a clean cache, and
the Groq-wire emulator on a loopback port, driven over real HTTP by the real groq SDK."""

import asyncio

import pytest
import time_machine
from channels.layers import channel_layers
from django.core.cache import cache
from rest_framework.test import APIClient

from groq_emulator import EmulatorServer
from users.tests.factories import UserFactory
from users.tokens import token_create

pytest_plugins = ["core.tests.loop_teardown"]  # a test's event loop that will not close says why


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache (Redis in CI, shared by every test): start each test from zero. Each test
    also gets a fresh channel layer: pytest-asyncio gives every test its own event loop, and a Redis layer's
    connection pools and receive state belong to the loop that made them."""
    cache.clear()
    channel_layers.backends.clear()
    yield


@pytest.fixture
def frozen_clock(request):
    """Time stands still at the test module's INSTANT (each module names the moment its zones are read at)."""
    with time_machine.travel(request.module.INSTANT, tick=False):
        yield


@pytest.fixture
def ticking_clock(request):
    """Time starts at the test module's INSTANT and runs on (for code that waits, e.g. a streamed turn)."""
    with time_machine.travel(request.module.INSTANT, tick=True):
        yield


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="bob")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def token_client(user) -> APIClient:
    client = APIClient()
    _, token = token_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture(scope="session")
def emulator_server():
    server = EmulatorServer(host="127.0.0.1", port=0, chunk_delay=0.0).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server, settings):
    """Points the app at the emulator with a (fake) API key, fresh faults/replies/recorded requests each test."""
    emulator_server.reset()
    settings.GROQ_BASE_URL = emulator_server.base_url
    settings.GROQ_API_KEY = "test-key"
    settings.GROQ_MAX_RETRIES = 0
    yield emulator_server
    emulator_server.reset()


@pytest.fixture(autouse=True)
def _close_turn_connections():
    """Turns reach the database from asgiref's shared sync thread; close its connection after each test so
    PostgreSQL can drop the test database at the end. (The turn-hop threads close theirs after every hop:
    chat.turn.hop_context.)"""
    yield
    from asgiref.sync import sync_to_async
    from django.db import connections

    asyncio.run(sync_to_async(connections.close_all)())
