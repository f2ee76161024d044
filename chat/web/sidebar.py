"""The conversations sidebar, rendered once for all of a user's sockets in this process, however many changes come.

Every new conversation (each first message) tells each of the owner's tabs that its sidebar is stale
(core.broadcast.conversations_changed). Rendered per socket and per change, a user with five tabs starting five
chats costs 25 list renders, each a query plus a template over all their conversations, queued in the thread
that runs every database hop. Here a socket asks for the sidebar and gets a render that *started after it asked*
(so it shows every change announced before): the one that is about to start if there is one, else a new one. At
most one render per user runs, and one waits behind it; every socket asking meanwhile shares that one.

A render starts no sooner than `MIN_GAP` after the user's previous one started. A lone change still renders at
once, but a burst of new conversations (many tabs or API clients starting chats together) costs a render per
`MIN_GAP` instead of one after another: those renders queue in the same database thread as the turns' own hops,
whose first one stands between a user's message and the model. Measured with bench/load.py at 25 + 25 streams on
SQLite (10 users, three levels): 199 renders before, 79 after (bench/RESULTS.md, fourteenth round).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable

from channels.db import database_sync_to_async
from django.contrib.auth.base_user import AbstractBaseUser

from chat.web import fragments

logger = logging.getLogger(__name__)

# Seconds from one render's start to the next one's for a user (a sidebar is at most this late in a burst).
MIN_GAP = 0.5

# Per event loop (one per daphne process; tests have one per test): user id → its renders.
_renders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _UserRenders]] = (
    weakref.WeakKeyDictionary()
)


class _UserRenders:
    def __init__(self) -> None:
        self.running: asyncio.Task | None = None
        self.started = False  # `running` has begun its database hop (before, it waits out MIN_GAP)
        self.started_at = -MIN_GAP  # the loop's time when the last render began its hop
        self.waiting: asyncio.Future | None = None  # the next render, which starts when `running` ends


async def sidebar_html(user: AbstractBaseUser) -> str:
    """The user's conversation list (an out-of-band fragment), as of a moment after this call."""
    loop = asyncio.get_running_loop()
    per_user = _renders.setdefault(loop, {})
    renders = per_user.setdefault(user.pk, _UserRenders())
    if renders.running is None:
        future = _start(per_user, renders, user, delay=renders.started_at + MIN_GAP - loop.time())
    elif not renders.started:  # the next render has not begun: it will show this asker's change too
        future = renders.running
    else:
        if renders.waiting is None:
            renders.waiting = loop.create_future()
        future = renders.waiting
    # Shielded: a socket that closes while waiting must not cancel the render its sibling tabs wait for.
    return await asyncio.shield(future)


def _start(
    per_user: dict[int, _UserRenders], renders: _UserRenders, user: AbstractBaseUser, delay: float = 0.0
) -> asyncio.Task:
    loop = asyncio.get_running_loop()

    async def render() -> str:
        if delay > 0:
            await asyncio.sleep(delay)
        renders.started, renders.started_at = True, loop.time()
        return await database_sync_to_async(fragments.conversation_list_html)(user)

    task = asyncio.ensure_future(render())
    renders.running, renders.started = task, False

    def ended(done: asyncio.Task) -> None:
        if not done.cancelled():
            done.exception()  # seen here, raised to every socket awaiting it (none, if they all closed)
        renders.running = None
        waiting, renders.waiting = renders.waiting, None
        if waiting is None:
            loop.call_later(MIN_GAP, _forget, per_user, renders, user.pk)  # its start time matters until then
            return
        nxt = _start(per_user, renders, user, delay=renders.started_at + MIN_GAP - loop.time())
        nxt.add_done_callback(lambda t: _settle(waiting, t))

    task.add_done_callback(ended)
    return task


def _forget(per_user: dict[int, _UserRenders], renders: _UserRenders, user_id: int) -> None:
    """Drop an idle user's entry once its last render's start no longer holds the next one back."""
    quiet = asyncio.get_running_loop().time() >= renders.started_at + MIN_GAP
    if quiet and renders.running is None and per_user.get(user_id) is renders:
        del per_user[user_id]


def _settle(future: asyncio.Future, task: asyncio.Task) -> None:
    if future.done():
        return
    if task.cancelled():
        future.cancel()
    elif task.exception() is not None:
        future.set_exception(task.exception())
    else:
        future.set_result(task.result())


class SidebarFeed:
    """One socket's sidebar news, sent in the background: the socket's own messages (a live turn's frames) never
    wait behind a render, and it has at most one render on its way, asking again if a change came meanwhile."""

    def __init__(self, user: AbstractBaseUser, send: Callable[[str], Awaitable[None]]) -> None:
        self._user, self._send = user, send
        self._stale = False
        self.task: asyncio.Task | None = None  # the render on its way (the socket cancels it when it closes)

    def changed(self) -> None:
        self._stale = True
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self._stale:
            self._stale = False
            try:
                html = await sidebar_html(self._user)
            except Exception:  # the page keeps the sidebar it has; the next change tries again
                logger.exception("sidebar render failed")
                return
            await self._send(html)
