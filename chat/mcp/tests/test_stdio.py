"""MCP over stdio: the official client launches `manage.py mcp_stdio --user <name>` on the live server's
database, as a desktop client would."""

import json
import subprocess
import sys

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from chat.mcp.server import INSTRUCTIONS, NAME
from chat.mcp.tests.conftest import mcp_session
from chat.turn.tools import tool_schemas
from core.tests.live_server import REPO

pytestmark = pytest.mark.timeout(30)


def launch(mcp_server, username: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["manage.py", "mcp_stdio", "--user", username],
        env=mcp_server.env,
        cwd=REPO,
    )


async def test_stdio_serves_the_same_tools_as_the_launching_user(mcp_server):
    account = mcp_server.new_user()
    with open(mcp_server.log_dir / "stdio-stderr.log", "w") as errlog:
        async with (
            stdio_client(launch(mcp_server, account.username), errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            init = await session.initialize()
            assert (init.server_info.name, init.instructions) == (NAME, INSTRUCTIONS)
            listed = (await session.list_tools()).tools
            assert [
                {"name": t.name, "description": t.description, "parameters": t.input_schema} for t in listed
            ] == [schema["function"] for schema in tool_schemas()]
            added = await session.call_tool("add_task", {"title": "Added over stdio"})
            task_id = json.loads(added.content[0].text)["task_id"]
            refused = await session.call_tool("complete_task", {"task_id": "abc"})
            assert refused.is_error
            assert json.loads(refused.content[0].text)["error"] == "task_not_found"
    # The same user's token over HTTP sees the task: one database, one user.
    async with mcp_session(mcp_server, account.token) as session:
        listed = json.loads((await session.call_tool("list_tasks", {})).content[0].text)
    assert [t["id"] for t in listed["tasks"]] == [task_id]


def test_an_unknown_user_is_refused_on_stderr_with_nothing_on_stdout(mcp_server):
    result = subprocess.run(
        [sys.executable, "manage.py", "mcp_stdio", "--user", "nobody-at-all"],
        cwd=REPO,
        env=mcp_server.env,
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "There is no user 'nobody-at-all'." in result.stderr


def test_stdout_carries_only_the_protocol(mcp_server):
    account = mcp_server.new_user()
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "mcp_stdio", "--user", account.username],
        cwd=REPO,
        env={**mcp_server.env, "DJANGO_LOG_LEVEL": "DEBUG"},
        input=json.dumps(initialize) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1]
    assert json.loads(lines[0])["result"]["serverInfo"]["name"] == NAME
    assert f"Serving MCP on stdio as {account.username}" in result.stderr
