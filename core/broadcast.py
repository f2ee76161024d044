"""News for one user's open tabs, sent on the channel layer after the transaction commits; and a live turn's
frames and Stop, sent at once (chat.web.streams).

Every websocket of a user joins `user_group(user_id)`; with REDIS_URL set that reaches tabs on every worker.
A socket also joins `conversation_group(user_id, conversation_id)` of the conversation its page shows, and the
process running a turn listens on `conversation_control_group(...)` for a Stop pressed in any tab. Both names
carry the owner's id, so a socket of another user naming the same conversation id joins an empty group.
The typed constructors below are the only place that spells a message type; each type names the consumer's
handler ("tasks.changed" → `tasks_changed`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import weakref

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from core.loops import serving_loop

logger = logging.getLogger(__name__)

TASKS_CHANGED = "tasks.changed"
CONVERSATIONS_CHANGED = "conversations.changed"
TURN_FINISHED = "turn.finished"
SESSION_ENDED = "session.ended"
TURN_FRAME = "turn.frame"
TURN_STOP = "turn.stop"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_digest(session_key: str) -> str:
    """Names a login session on the layer (the key itself never travels it)."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:40]


def conversation_group(user_id: int, conversation_id: int) -> str:
    """The tabs of the owner showing one conversation: they receive its live turn's frames."""
    return f"conversation.{user_id}.{conversation_id}"


def conversation_control_group(user_id: int, conversation_id: int) -> str:
    """The process running the conversation's turn (at most one): it receives Stop."""
    return f"conversation-control.{user_id}.{conversation_id}"


def turn_frame(
    *, conversation_id: int, turn_id: str, user_message_id: int, seq: int, html: str | None, terminal: bool
) -> dict:
    """One coalesced frame of a live turn (never one per token); `seq` counts from 1 per turn, so a listener
    sees a frame the layer dropped as a gap and resyncs from the turn's snapshot. `turn_id` names the run: a
    regenerated question (the same user message) is answered by a new turn. `html` None: frames published while
    no tab watched were not rendered; a listener resyncs."""
    return {
        "type": TURN_FRAME,
        "conversation_id": conversation_id,
        "turn_id": turn_id,
        "user_message_id": user_message_id,
        "seq": seq,
        "html": html,
        "terminal": terminal,
    }


def turn_stop(*, conversation_id: int, turn_id: str | None = None) -> dict:
    """Stop pressed in a tab that does not run the turn itself (naming the turn it shows, so a Stop that crosses
    the turn's end cannot stop the next one), or asked for through the API (whatever turn runs there)."""
    return {"type": TURN_STOP, "conversation_id": conversation_id, "turn_id": turn_id}


def stop_turn(user_id: int, *, conversation_id: int) -> None:
    """From sync code (the REST API): ask the process running the conversation's turn to stop it, at once."""
    _send(conversation_control_group(user_id, conversation_id), turn_stop(conversation_id=conversation_id))


async def agroup_send(group: str, message: dict) -> int | None:
    """Send from async code (a live turn), at once; a broken channel layer must not break the turn. Returns how
    many channels were in the group (core.channel_layer's layers tell), or None when that is not known."""
    layer = get_channel_layer()
    if layer is None:
        return None
    try:
        reached = await layer.group_send(group, message)
    except Exception:
        logger.warning("Could not send %s to %s", message["type"], group, exc_info=True)
        return None
    return reached if isinstance(reached, int) else None


def tasks_changed(user_id: int, *, task_id: int, action: str) -> None:
    """A task of the user was created, changed, completed, reopened, deleted or restored (anywhere)."""
    _send_on_commit(user_id, {"type": TASKS_CHANGED, "task_id": task_id, "action": action})


def conversations_changed(user_id: int) -> None:
    """A conversation was started, continued, renamed or deleted: the sidebar is stale."""
    _send_on_commit(user_id, {"type": CONVERSATIONS_CHANGED})


def turn_finished(user_id: int, *, conversation_id: int, user_message_id: int, turn_id: str = "") -> None:
    """A reply was saved: tabs showing that conversation (other than the one that streamed it) refresh it."""
    _send_on_commit(
        user_id,
        {
            "type": TURN_FINISHED,
            "conversation_id": conversation_id,
            "user_message_id": user_message_id,
            "turn_id": turn_id,
        },
    )


def session_ended(user_id: int, session_key: str) -> None:
    """The session logged out: its sockets close (and could not start a turn anyway, see the consumer). Sent to the
    user's group, each socket comparing the session it was opened with: a group per session cost every socket a
    group add and a discard, for an event as rare as a logout."""
    _send(user_group(user_id), {"type": SESSION_ENDED, "session": session_digest(session_key)})


def _send_on_commit(user_id: int, message: dict) -> None:
    """Sent after commit, so listeners never read a change that was rolled back."""
    transaction.on_commit(lambda: _send(user_group(user_id), message))


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    loop = serving_loop()
    if loop is not None:
        # A database hop under daphne: hand the send to the server's loop and go on. Waiting for it (async_to_sync)
        # held the one thread that runs every turn's database hops until a busy loop came round to it.
        try:
            loop.call_soon_threadsafe(_send_in_order, loop, layer, group, message)
        except RuntimeError:  # the loop closed meanwhile (a server shutting down): nobody left to tell
            logger.warning("Could not announce %s to %s: the event loop is closed", message["type"], group)
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a broken channel layer must not break a saved change
        logger.warning("Could not announce %s to %s", message["type"], group, exc_info=True)


# Per loop, the last announcement handed over: each waits for the one before, so they go out in commit order.
_last_sent: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task] = weakref.WeakKeyDictionary()


def _send_in_order(loop: asyncio.AbstractEventLoop, layer, group: str, message: dict) -> None:
    _last_sent[loop] = loop.create_task(_send_after(_last_sent.get(loop), layer, group, message))


async def _send_after(previous: asyncio.Task | None, layer, group: str, message: dict) -> None:
    if previous is not None and not previous.done():
        await asyncio.wait([previous])
    try:
        await layer.group_send(group, message)
    except Exception:  # a broken channel layer must not break a saved change
        logger.warning("Could not announce %s to %s", message["type"], group, exc_info=True)
