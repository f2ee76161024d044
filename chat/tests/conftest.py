"""Chat fixtures: the Groq-wire emulator on a loopback port, driven over real HTTP by the real groq SDK."""

import pytest

from chat.emulator import EmulatorServer


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
