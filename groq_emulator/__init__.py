"""A local Groq-wire emulator: the real `groq` SDK talks to it over HTTP via `base_url`.

Serves the app's offline demo mode (a rule-based "brain" that understands simple todo requests) and the test
suite (scripted replies and fault injection). Pure standard library; no Django.

    srv = EmulatorServer(port=0).start()
    client = groq.Groq(base_url=srv.base_url, api_key="test")
    srv.push_fault(Fault(kind="status", status=429, retry_after=2))
    srv.push_reply(Reply(content="hi", tool_calls=[ToolCall("add_task", {"title": "x"})]))
    srv.reset(); srv.stop()

HTTP control surface: POST /_emulator/faults, POST /_emulator/replies, POST /_emulator/reset,
GET /_emulator/requests. CLI: ``python -m groq_emulator --host 127.0.0.1 --port 8765 [--chunk-delay 0.02]``.
"""

from .faults import Fault, Reply, ToolCall
from .server import EmulatorServer

__all__ = ["EmulatorServer", "Fault", "Reply", "ToolCall"]
