"""A change made over MCP is announced like any other: the user's open chat page re-renders its task panel."""

import asyncio
import re

import httpx
import pytest
from websockets.asyncio.client import connect

from chat.mcp.tests.conftest import PASSWORD, mcp_session

pytestmark = pytest.mark.timeout(30)


def session_cookie(url: str, username: str) -> str:
    """Log in through the real login form; the session cookie is what the chat page's websocket sends."""
    with httpx.Client(base_url=url, timeout=10) as http:
        page = http.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = http.post(
            "/accounts/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
        )
        assert done.status_code == 302, done.text
        return f"sessionid={http.cookies['sessionid']}"


async def frame_containing(websocket, *needles: str, timeout: float = 10.0) -> str:
    async with asyncio.timeout(timeout):
        while True:
            frame = await websocket.recv()
            if all(needle in frame for needle in needles):
                return frame


async def test_an_mcp_change_updates_the_users_open_chat_page(mcp_server):
    account = mcp_server.new_user()
    cookie = session_cookie(mcp_server.url, account.username)
    ws_url = mcp_server.url.replace("http://", "ws://") + "/ws/chat/"
    async with connect(ws_url, origin=mcp_server.url, additional_headers={"Cookie": cookie}) as page:
        # The consumer handles frames one at a time, after connect (which joins the user's group): an answer to
        # this unreadable frame means the page is listening.
        await page.send("not json")
        await frame_containing(page, "could not be read")
        async with mcp_session(mcp_server, account.token) as session:
            await session.call_tool("add_task", {"title": "Announced from MCP"})
        panel = await frame_containing(page, 'id="task-panel-body"', "Announced from MCP")
    assert "hx-swap-oob" in panel
