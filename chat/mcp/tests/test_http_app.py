"""The /mcp/ ASGI app in process (no daphne): the shared API rate limit, and the session manager's lazy start."""

import asyncio

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.throttling import UserRateThrottle

from chat.mcp.http import McpHttpApp
from chat.mcp.tests.conftest import MCP_HEADERS, rpc
from chat.turn.tools import TOOLS
from users.tokens import token_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


@pytest.fixture
def headers(user) -> dict:
    _, token = token_create(user=user)
    return {**MCP_HEADERS, "Authorization": f"Bearer {token}"}


def asgi_client() -> httpx.AsyncClient:
    application = import_string(settings.ASGI_APPLICATION)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver")


async def test_mcp_requests_spend_the_same_per_user_budget_as_the_rest_api(
    headers, token_client, monkeypatch
):
    # DRF copies DEFAULT_THROTTLE_RATES into the class when it is imported, so overriding settings is too late.
    monkeypatch.setattr(
        UserRateThrottle, "THROTTLE_RATES", {**UserRateThrottle.THROTTLE_RATES, "user": "3/min"}
    )
    async with asgi_client() as client:
        for _ in range(2):
            assert (await client.post("/mcp/", json=rpc("tools/list"), headers=headers)).status_code == 200
        assert (await sync_to_async(token_client.get)("/api/tasks/")).status_code == 200  # the third
        throttled = await client.post("/mcp/", json=rpc("tools/list"), headers=headers)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert throttled.json()["message"].startswith("Request was throttled.")
    assert 0 < int(throttled.headers["Retry-After"]) <= 60
    assert (await sync_to_async(token_client.get)("/api/tasks/")).status_code == 429


def test_each_event_loop_gets_a_session_manager_of_its_own(headers):
    """daphne sends no ASGI lifespan: the SDK's task group starts on the first request, on that request's loop.
    A second loop (a test's, a restarted server's) must not reuse the first one's, which can no longer run."""

    async def list_tools() -> int:
        async with asgi_client() as client:
            response = await client.post("/mcp/", json=rpc("tools/list"), headers=headers)
        assert response.status_code == 200, response.text
        return len(response.json()["result"]["tools"])

    assert asyncio.run(list_tools()) == len(TOOLS)
    assert asyncio.run(list_tools()) == len(TOOLS)


async def test_concurrent_first_requests_share_one_session_manager(headers):
    app = McpHttpApp()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        responses = await asyncio.gather(
            *(client.post("/mcp/", json=rpc("tools/list"), headers=headers) for _ in range(5))
        )
    assert [r.status_code for r in responses] == [200] * 5
    assert len(app._running) == 1
