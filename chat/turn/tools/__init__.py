"""The assistant's tools: JSON schemas the model sees, and dispatch to the tasks service layer.

from chat.turn.tools import TOOLS, run_tool, tool_schemas, parse_arguments
"""

from chat.turn.tools.registry import TOOLS, parse_arguments, result_json, run_tool, tool_schemas
from chat.turn.tools.schema import Tool

__all__ = ["TOOLS", "Tool", "parse_arguments", "result_json", "run_tool", "tool_schemas"]
