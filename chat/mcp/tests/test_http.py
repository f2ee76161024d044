"""MCP over Streamable HTTP at /mcp/, end to end: the official client against a live daphne."""

import asyncio
import json

import httpx2
import pytest
from asgiref.sync import sync_to_async
from mcp import Client, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from chat.mcp.server import INSTRUCTIONS, NAME, project_version
from chat.mcp.tests.conftest import MCP_HEADERS, mcp_session, rpc
from chat.turn.tools import TOOLS, run_tool, tool_schemas
from users.tests.factories import UserFactory

pytestmark = pytest.mark.timeout(30)


def result_of(call: types.CallToolResult) -> dict:
    """The JSON the chat model would read, checked to be the structured content too."""
    assert len(call.content) == 1 and call.content[0].type == "text"
    data = json.loads(call.content[0].text)
    assert call.structured_content == data
    assert call.is_error == ("error" in data)
    return data


async def test_initialize_describes_the_server(mcp_server):
    account = mcp_server.new_user()
    async with mcp_session(mcp_server, account.token) as session:
        init = session.initialize_result
    assert init.server_info.name == NAME == "todo-assistant"
    assert init.server_info.version == project_version()
    assert init.instructions == INSTRUCTIONS
    assert init.capabilities.tools is not None


async def test_the_tools_are_the_chat_models_tools(mcp_server):
    account = mcp_server.new_user()
    async with mcp_session(mcp_server, account.token) as session:
        listed = (await session.list_tools()).tools
    assert [{"name": t.name, "description": t.description, "parameters": t.input_schema} for t in listed] == [
        schema["function"] for schema in tool_schemas()
    ]


@pytest.mark.django_db(transaction=True)
async def test_every_tool_answers_exactly_as_run_tool_does(mcp_server):
    """Same dispatch: for a user with no tasks, each tool's MCP result is run_tool's, byte for byte."""
    account = mcp_server.new_user()
    here = await sync_to_async(UserFactory)()
    async with mcp_session(mcp_server, account.token) as session:
        for name in TOOLS:
            for arguments in ({}, {"unexpected": True}):
                call = await session.call_tool(name, arguments)
                _, expected = await sync_to_async(run_tool)(here, name, arguments)
                assert result_of(call) == expected, name


async def test_a_client_manages_its_tasks(mcp_server):
    account = mcp_server.new_user()
    async with mcp_session(mcp_server, account.token) as session:
        added = result_of(
            await session.call_tool("add_task", {"title": "Buy milk", "description": "2 litres"})
        )
        task_id = added["task_id"]
        assert (added["status"], added["title"], added["due_date"]) == ("created", "Buy milk", None)
        [listed] = result_of(await session.call_tool("list_tasks", {"status": "pending"}))["tasks"]
        assert (listed["id"], listed["title"], listed["description"], listed["completed"]) == (
            task_id,
            "Buy milk",
            "2 litres",
            False,
        )
        renamed = result_of(
            await session.call_tool(
                "update_task", {"task_id": task_id, "title": "Buy oat milk", "due": "tomorrow"}
            )
        )
        assert (renamed["task_id"], renamed["status"], renamed["title"]) == (
            task_id,
            "updated",
            "Buy oat milk",
        )
        assert renamed["due_date"] and renamed["due_label"].startswith("Tomorrow")
        done = result_of(
            await session.call_tool("complete_task", {"task_id": str(task_id)})
        )  # the one id rule
        assert done["status"] == "completed"
        assert result_of(await session.call_tool("list_tasks", {"status": "completed"}))["total"] == 1
        assert result_of(await session.call_tool("delete_task", {"task_id": task_id}))["status"] == "deleted"
        assert result_of(await session.call_tool("list_tasks", {}))["total"] == 0


async def test_a_user_never_reaches_another_users_tasks(mcp_server):
    alice, bob = mcp_server.new_user(), mcp_server.new_user()
    async with mcp_session(mcp_server, alice.token) as as_alice, mcp_session(mcp_server, bob.token) as as_bob:
        task_id = result_of(await as_alice.call_tool("add_task", {"title": "Alice's secret"}))["task_id"]
        for name, arguments in [
            ("complete_task", {"task_id": task_id}),
            ("delete_task", {"task_id": task_id}),
            ("update_task", {"task_id": task_id, "title": "Bob was here"}),
        ]:
            refused = result_of(await as_bob.call_tool(name, arguments))
            assert refused == {"error": "task_not_found", "message": f"Task {task_id} was not found."}
        assert result_of(await as_bob.call_tool("list_tasks", {}))["tasks"] == []
        [visible] = result_of(await as_alice.call_tool("list_tasks", {}))["tasks"]
        assert (visible["id"], visible["title"]) == (task_id, "Alice's secret")


async def test_concurrent_users_each_act_as_themselves(mcp_server):
    """Many interleaved calls from two users at once: every task lands with the user whose token sent it."""
    alice, bob = mcp_server.new_user(), mcp_server.new_user()
    async with mcp_session(mcp_server, alice.token) as as_alice, mcp_session(mcp_server, bob.token) as as_bob:
        calls = [
            session.call_tool("add_task", {"title": f"{who} {n}"})
            for n in range(8)
            for who, session in (("alice", as_alice), ("bob", as_bob))
        ]
        await asyncio.gather(*calls)
        for who, session in (("alice", as_alice), ("bob", as_bob)):
            titles = {t["title"] for t in result_of(await session.call_tool("list_tasks", {}))["tasks"]}
            assert titles == {f"{who} {n}" for n in range(8)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name, arguments",
    [
        ("add_task", {"title": ""}),
        ("add_task", {"title": 5}),
        ("add_task", {"title": "x" * 201}),
        ("complete_task", {"task_id": "abc"}),
        ("complete_task", {"task_id": 10**9}),
        ("update_task", {"task_id": 10**9}),
    ],
)
async def test_bad_arguments_are_error_results_with_run_tools_code_and_message(mcp_server, name, arguments):
    account = mcp_server.new_user()
    here = await sync_to_async(UserFactory)()
    _, expected = await sync_to_async(run_tool)(here, name, arguments)
    async with mcp_session(mcp_server, account.token) as session:
        call = await session.call_tool(name, arguments)
    assert call.is_error
    assert result_of(call) == expected
    assert set(expected) == {"error", "message"}


async def test_an_unknown_tool_is_a_protocol_error(mcp_server):
    account = mcp_server.new_user()
    async with mcp_session(mcp_server, account.token) as session:
        with pytest.raises(MCPError) as raised:
            await session.call_tool("drop_all_tables", {})
    assert raised.value.code == types.INVALID_PARAMS
    assert "drop_all_tables" in raised.value.message


@pytest.mark.parametrize(
    "authorization, code",
    [
        (None, "not_authenticated"),
        ("Bearer not-a-real-token", "authentication_failed"),
        ("Bearer", "authentication_failed"),
        ("Token {token}", "not_authenticated"),  # the API's keyword is Bearer
    ],
)
def test_no_or_a_bad_token_is_refused_before_any_mcp(mcp_server, authorization, code):
    account = mcp_server.new_user()
    headers = dict(MCP_HEADERS)
    if authorization:
        headers["Authorization"] = authorization.format(token=account.token)
    response = mcp_server.post("/mcp/", json=rpc("tools/list"), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    assert set(response.json()) == {"message", "code"}


async def test_the_official_client_is_refused_without_a_token(mcp_server):
    with pytest.raises(ExceptionGroup) as raised:  # from the client's task groups
        async with mcp_session(mcp_server, None):
            pytest.fail("initialized without a token")
    assert raised.group_contains(MCPError)


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",
        "file://",
        "ftp://127.0.0.1",
        "http://localhost:1234",
        "https://127.0.0.1",
    ],
)
def test_a_foreign_origin_is_refused_even_with_a_good_token(mcp_server, origin):
    account = mcp_server.new_user()
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {account.token}", "Origin": origin}
    response = mcp_server.post("/mcp/", json=rpc("tools/list"), headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden_origin"


@pytest.mark.parametrize("origin", ["{url}"])
def test_an_allowed_origin_gets_through(mcp_server, origin):
    account = mcp_server.new_user()
    headers = {
        **MCP_HEADERS,
        "Authorization": f"Bearer {account.token}",
        "Origin": origin.format(url=mcp_server.url),
    }
    response = mcp_server.post("/mcp/", json=rpc("tools/list"), headers=headers)
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["result"]["tools"]] == list(TOOLS)


def test_a_host_outside_allowed_hosts_is_refused(mcp_server):
    account = mcp_server.new_user()
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {account.token}", "Host": "evil.example"}
    response = mcp_server.post("/mcp/", json=rpc("tools/list"), headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_mcp_answers_without_the_trailing_slash_too(mcp_server):
    account = mcp_server.new_user()
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {account.token}"}
    response = mcp_server.post("/mcp", json=rpc("tools/list"), headers=headers)
    assert response.status_code == 200
    assert len(response.json()["result"]["tools"]) == len(TOOLS)


async def test_the_per_request_protocol_era_is_served_and_authenticated_too(mcp_server):
    """The SDK's newer protocol (no initialize, one self-contained POST per request) takes the same path."""
    account = mcp_server.new_user()
    headers = {"Authorization": f"Bearer {account.token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=15) as http,
        Client(streamable_http_client(mcp_server.endpoint, http_client=http), mode="auto") as client,
    ):
        assert client.protocol_version not in (None, "2025-11-25")
        assert [t.name for t in (await client.list_tools()).tools] == list(TOOLS)
        added = result_of(await client.call_tool("add_task", {"title": "From the new era"}))
        assert result_of(await client.call_tool("list_tasks", {}))["tasks"][0]["id"] == added["task_id"]
