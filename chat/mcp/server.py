"""The MCP server: the chat model's tools (chat.turn.tools.TOOLS), listed and dispatched through `run_tool`.

Nothing about a tool is written here: names, descriptions and input schemas are read from TOOLS on every
`tools/list`, and a call goes through the same `run_tool` as a chat turn (argument validation, the services,
error results). A failed call is a tool result with `isError: true` whose text is the JSON the model would
read; only a tool that does not exist is a protocol error.

Who is calling is the transport's business: `build_server(user_of)` takes a function from the request
context to the acting user (the token's user over HTTP, the command-line user over stdio).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from mcp import types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from chat.turn.tools import TOOLS, result_json, run_tool

NAME = "todo-assistant"
INSTRUCTIONS = (
    "These tools manage the signed-in user's own todo list. Tasks are referred to by id: call list_tasks "
    "first to find a task's id, then pass it to the tool that changes the task. Every result is JSON; a "
    'failed call returns {"error": code, "message": ...} with a message you can relay to the user. '
    "A deleted task can be restored by the user from the task panel."
)

UserOf = Callable[[ServerRequestContext], AbstractBaseUser]


@cache
def project_version() -> str:
    """pyproject.toml's version: the one place the project states it."""
    try:
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as file:
            return tomllib.load(file)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):  # a deployment without the file must still serve
        return "unknown"


def mcp_tools() -> list[types.Tool]:
    return [
        types.Tool(name=tool.name, description=tool.description, input_schema=tool.parameters)
        for tool in TOOLS.values()
    ]


def _input_schema(name: str) -> dict | None:
    tool = TOOLS.get(name)
    return tool.parameters if tool else None


def tool_result(result: dict) -> types.CallToolResult:
    """`run_tool`'s result as MCP: the model's JSON as text, the same dict as structured content."""
    return types.CallToolResult(
        content=[types.TextContent(text=result_json(result))],
        structured_content=result,
        is_error="error" in result,
    )


def build_server(user_of: UserOf) -> Server:
    async def list_tools(ctx: ServerRequestContext, params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=mcp_tools())

    async def call_tool(
        ctx: ServerRequestContext, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name not in TOOLS:
            raise MCPError(
                code=types.INVALID_PARAMS,
                message=f"Unknown tool: {params.name}. Use one of: {', '.join(TOOLS)}.",
            )
        user = user_of(ctx)
        _, result = await database_sync_to_async(run_tool)(user, params.name, params.arguments)
        return tool_result(result)

    return Server(
        NAME,
        version=project_version(),
        title="Todo Assistant",
        instructions=INSTRUCTIONS,
        get_tool_input_schema=_input_schema,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
