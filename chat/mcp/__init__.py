"""The task tools as an MCP server: Streamable HTTP at /mcp/ (http.py) and stdio (stdio.py), one SDK server
(server.py) built from chat.turn.tools.TOOLS, the very registry the chat model is given."""
