"""MCP tests drive the official MCP client against a live daphne (core.tests.live_server): the real ASGI stack,
real sockets, the SDK on both ends. Each test takes users of its own (`new_user()`), with API tokens fetched the
way a user would, from POST /api/auth/token/."""

from __future__ import annotations

import itertools
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from core.tests.live_server import live_daphne

PASSWORD = "mcp-pass-2026"
USERS = [f"mcp{n}" for n in range(1, 81)]


@dataclass(frozen=True)
class Account:
    username: str
    token: str


@dataclass
class McpServer:
    url: str
    env: dict[str, str]
    log_dir: Path

    def __post_init__(self) -> None:
        self._users = iter(USERS)
        self.http = httpx.Client(base_url=self.url, timeout=10)  # one client: building one costs ~0.1 s

    def post(self, path: str, **kwargs) -> httpx.Response:
        return self.http.post(path, **kwargs)

    @property
    def endpoint(self) -> str:
        return f"{self.url}/mcp/"

    def new_user(self) -> Account:
        username = next(self._users)
        response = self.post("/api/auth/token/", json={"username": username, "password": PASSWORD})
        response.raise_for_status()
        return Account(username, response.json()["token"])


@pytest.fixture(scope="package")
def mcp_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mcp-server")
    env = {"GROQ_API_KEY": "", "API_RATE_LOGIN": "1000/min"}
    with live_daphne(tmp, suffix="mcp", users=USERS, password=PASSWORD, env=env) as server:
        mcp = McpServer(server.url, server.env, tmp)
        yield mcp
        mcp.http.close()


_ids = itertools.count(1)


@asynccontextmanager
async def mcp_session(server: McpServer, token: str | None, **headers: str):
    """An initialized ClientSession over Streamable HTTP, sending `Authorization: Bearer <token>`."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with (
        httpx2.AsyncClient(headers=headers, timeout=15) as http,
        streamable_http_client(server.endpoint, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def rpc(method: str, params: dict | None = None) -> dict:
    """A raw JSON-RPC request body, for plain-HTTP tests."""
    return {"jsonrpc": "2.0", "id": next(_ids), "method": method, **({"params": params} if params else {})}


MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
