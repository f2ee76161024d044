"""ASGI entry point: MCP at /mcp/, other HTTP through Django, websockets through Channels.
Served by daphne: `python -m core.serve config.asgi:application` (daphne on uvloop)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# Django must be set up before anything imports models (the routing below does).
get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from chat.mcp.http import McpHttpApp  # noqa: E402
from chat.web.routing import websocket_urlpatterns  # noqa: E402
from chat.web.warmup import warm_up  # noqa: E402
from core.asgi_handler import SyncChainASGIHandler  # noqa: E402
from core.heap import freeze_startup_heap  # noqa: E402
from core.origins import StrictOriginValidator  # noqa: E402
from core.socket_writes import send_writes_at_once  # noqa: E402
from core.ws_auth import SessionAuthMiddlewareStack  # noqa: E402

# Django's handler, with its (synchronous) middleware chain entered once per request: core.asgi_handler.
django_asgi_app = SyncChainASGIHandler()

mcp_app = (
    McpHttpApp()
)  # checks its own host, origin, token and throttle: it never reaches Django's middleware

application = ProtocolTypeRouter(
    {
        "http": URLRouter([path("mcp", mcp_app), path("mcp/", mcp_app), re_path(r"", django_asgi_app)]),
        # Origin must match scheme, host and port of a page we serve (core.origins), not just the host name.
        "websocket": StrictOriginValidator(SessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Daphne's sockets send a reply's frames at once instead of on the loop's next turn (core.socket_writes).
send_writes_at_once()
# The first user's turn should not pay the process's one-off costs (lazy imports, TLS context, templates).
warm_up()
# What start-up built stays for the process's life: out of the garbage collector's scans (core.heap).
freeze_startup_heap()
