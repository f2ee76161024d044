"""The conversations sidebar, rendered once for all of a user's sockets in this process, however many changes come.

Every new conversation (each first message) tells each of the owner's tabs that its sidebar is stale
(core.broadcast.conversations_changed). Rendered per socket and per change, a user with five tabs starting five
chats costs 25 list renders, each a query plus a template over all their conversations, queued in the thread
that runs every database hop. Here a socket asks for the sidebar and gets a render that *started after it asked*
(so it shows every change announced before): the one that is about to start if there is one, else a new one. At
most one render per user runs, and one waits behind it; every socket asking meanwhile shares that one.
"""

from __future__ import annotations

import asyncio
import weakref

from channels.db import database_sync_to_async
from django.contrib.auth.base_user import AbstractBaseUser

from chat.web import fragments

# Per event loop (one per daphne process; tests have one per test): user id → its renders.
_renders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _UserRenders]] = (
    weakref.WeakKeyDictionary()
)


class _UserRenders:
    def __init__(self) -> None:
        self.running: asyncio.Task | None = None
        self.waiting: asyncio.Future | None = None  # the next render, which starts when `running` ends


async def sidebar_html(user: AbstractBaseUser) -> str:
    """The user's conversation list (an out-of-band fragment), as of a moment after this call."""
    per_user = _renders.setdefault(asyncio.get_running_loop(), {})
    renders = per_user.setdefault(user.pk, _UserRenders())
    if renders.running is None:
        future = _start(per_user, renders, user)
    else:
        if renders.waiting is None:
            renders.waiting = asyncio.get_running_loop().create_future()
        future = renders.waiting
    # Shielded: a socket that closes while waiting must not cancel the render its sibling tabs wait for.
    return await asyncio.shield(future)


def _start(per_user: dict[int, _UserRenders], renders: _UserRenders, user: AbstractBaseUser) -> asyncio.Task:
    task = asyncio.ensure_future(database_sync_to_async(fragments.conversation_list_html)(user))
    renders.running = task

    def ended(done: asyncio.Task) -> None:
        if not done.cancelled():
            done.exception()  # seen here, raised to every socket awaiting it (none, if they all closed)
        renders.running = None
        waiting, renders.waiting = renders.waiting, None
        if waiting is None:
            if per_user.get(user.pk) is renders:
                del per_user[user.pk]
            return
        nxt = _start(per_user, renders, user)
        nxt.add_done_callback(lambda t: _settle(waiting, t))

    task.add_done_callback(ended)
    return task


def _settle(future: asyncio.Future, task: asyncio.Task) -> None:
    if future.done():
        return
    if task.cancelled():
        future.cancel()
    elif task.exception() is not None:
        future.set_exception(task.exception())
    else:
        future.set_result(task.result())
