"""MCP over stdio, for a desktop client that launches this project as a subprocess: one user, fixed at launch.

stdout carries only the protocol: the SDK points fd 1 at stderr while it serves, and logs go to stderr.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from mcp.server.stdio import stdio_server

from chat.mcp.server import build_server


async def serve_stdio(user: AbstractBaseUser) -> None:
    """Serve until the client closes stdin. Every call acts as `user` (chosen by whoever launched us)."""
    server = build_server(lambda ctx: user)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
