"""Django's HTTP side under daphne with one thread hop per request instead of a dozen.

Django's own ASGI handler builds an asynchronous middleware chain. Our views are synchronous (DRF, pages) and so
are most of the middleware: Django's MiddlewareMixin runs each `process_request`, `process_view` and
`process_response` in the request's thread through `sync_to_async`, and WhiteNoise (sync only) calls back into the
event loop through `async_to_sync`. A chat request crossed between the loop and its thread about a dozen times
before its view ran, each crossing waiting for a turn of a loop that is busy streaming other replies.

Here the chain is built synchronous, as under WSGI, and entered once through `sync_to_async` (the request's own
thread, as Django's handler does for sync views). Everything else is Django's ASGIHandler: reading the body,
signals, streaming the response (an async iterator, such as the chat's server-sent events, stays on the loop).
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)
