"""Starting a turn: the text validated, then one database hop (the caller's check, the rate check, the user's
message saved under the conversation's turn lock, the newest history), then the turn's task on the event loop.

    turn = await start_turn(user=..., text=..., conversation_id=...)    # on the loop (the chat page's socket)
    turn = start_turn_from_thread(user=..., text=..., then=...)         # in a request's own thread (the REST API)

From a request's thread on PostgreSQL the hop runs right there (the thread already holds a pooled connection),
and the turn is handed to the loop without waiting for it: the thread goes on to return its response while the
loop calls the model. Through async_to_sync the same request crossed between its thread and a loop busy streaming
other replies four times before the model was called (into the loop, out to the thread for the hop, back, and out
again to return). On SQLite the hop belongs on the database thread (chat.turn.hop_context), and without a loop to
hand over to (Django's test client) there is nothing to gain: both take start_turn through async_to_sync.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection

from chat.models import Message
from chat.turn import recording
from chat.turn.engine import Turn
from chat.turn.hop_context import hop_context
from chat.turn.limits import validate_message_text
from chat.turn.prompting import Turns
from chat.turn.protocols import ToolProtocol, protocol_for
from core.loops import serving_loop

logger = logging.getLogger(__name__)


async def start_turn(
    *,
    user: AbstractBaseUser,
    text: str | None,
    conversation_id: int | None = None,
    mode: str | None = None,
    retry_of: object | None = None,
    check: Callable[[], object] | None = None,
) -> Turn:
    """Validate, rate-limit and save the user's message (one thread hop, `check` first); then start the model.
    With `retry_of` (the conversation's last question): no text regenerates its reply, a text edits it. The old
    branch stays in the conversation, marked replaced (chat.services.reply_replace / user_message_edit)."""
    hop, args, protocol = _first_hop(user, conversation_id, text, mode=mode, retry_of=retry_of, check=check)
    save = database_sync_to_async(hop)(*args)
    saved = await asyncio.create_task(save, context=hop_context())
    turn = _turn(user, saved, protocol, opens_conversation=conversation_id is None and retry_of is None)
    turn.retry = retry_of is not None
    turn.start()
    return turn


def start_turn_from_thread(
    *,
    user: AbstractBaseUser,
    text: str | None,
    conversation_id: int | None = None,
    then: Callable[[Turn], object] | None = None,
) -> Turn:
    """start_turn for a synchronous caller with a thread of its own (a REST request); `then(turn)` runs on the
    loop right after the turn starts (its stream to the owner's pages)."""
    loop = serving_loop()
    if loop is None or connection.vendor == "sqlite":
        return async_to_sync(_start_then)(then, user=user, text=text, conversation_id=conversation_id)
    hop, args, protocol = _first_hop(user, conversation_id, text)
    turn = _turn(user, hop(*args), protocol, opens_conversation=conversation_id is None)
    # A loop that closed meanwhile (a server shutting down) raises here: an error answer, and the turn lock, a
    # lease, expires on its own.
    loop.call_soon_threadsafe(_launch, turn, then)
    return turn


def _first_hop(
    user: AbstractBaseUser,
    conversation_id: int | None,
    text: str | None,
    *,
    mode: str | None = None,
    retry_of: object | None = None,
    check: Callable[[], object] | None = None,
) -> tuple[Callable[..., tuple[Message, Turns]], tuple, ToolProtocol]:
    """The text validated (before anything is counted or saved), and the first hop with its arguments."""
    text = None if retry_of is not None and text in (None, "") else validate_message_text(text)
    protocol = protocol_for(mode or settings.GROQ_TOOL_MODE)
    if retry_of is not None:
        return recording.save_retry, (user, conversation_id, retry_of, text, check, protocol), protocol
    return recording.save_user_message, (user, conversation_id, text, check, protocol), protocol


def _turn(
    user: AbstractBaseUser, saved: tuple[Message, Turns], protocol: ToolProtocol, *, opens_conversation: bool
) -> Turn:
    user_message, history = saved
    turn = Turn(user=user, user_message=user_message, history=history, protocol=protocol)
    turn.opens_conversation = opens_conversation
    return turn


async def _start_then(then: Callable[[Turn], object] | None, **start) -> Turn:
    turn = await start_turn(**start)
    _then(turn, then)
    return turn


def _launch(turn: Turn, then: Callable[[Turn], object] | None) -> None:
    turn.start()
    _then(turn, then)


def _then(turn: Turn, then: Callable[[Turn], object] | None) -> None:
    if then is None:
        return
    try:
        then(turn)
    except Exception:  # the turn runs, and its caller still reads it: only that extra listener is lost
        logger.exception("Could not follow the turn (conversation %s)", turn.conversation_id)
