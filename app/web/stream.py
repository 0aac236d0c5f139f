"""The WebSocket protocol (docs/protocol.md): validate each message, hand bursts to the session.

A receiver task only queues raw frames (app/web/inbox.py); the worker drains everything queued so
far and applies it as one batch, so a burst of slider moves costs one recompute.

`/ws?encoding=binary` sends snapshots, frames and training progress as binary columns
(app/wire.py) instead of JSON text; every other reply, and everything a client sends, stays JSON text.

Training messages go to the connection's Coach (app/coach.py), in order with the rest; its trainer
thread wakes the worker when progress is ready, and the connection's end stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from ..coach import Coach
from ..config import get_settings
from ..encoding import NotFinite, dumps
from ..file_errors import setting
from ..memory import release_free_memory
from ..messages import TRAINING_MESSAGES, ClientMessage, FindUnits, LoadScenario, Open, Reset, Restore
from ..session import Outgoing, Session, error_reply
from ..wire import encode
from .errors import first_problem
from .inbox import Frame, Inbox
from .security import origin_allowed

router = APIRouter()
log = logging.getLogger(__name__)
_messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)

ENCODINGS = ("json", "binary")
# The replies that carry the trace's arrays: the only ones worth sending as binary columns.
COLUMNAR_TYPES = frozenset({"snapshot", "frame", "progress"})
# Messages that replace the session's model: a training under way ends first.
NEW_MODEL = (LoadScenario, Reset, Restore, Open)


@router.websocket("/ws")
async def stream(websocket: WebSocket) -> None:
    settings, state = get_settings(), websocket.app.state
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"), settings):
        await websocket.close(code=1008, reason="origin not allowed")  # before accept: HTTP 403
        return
    await websocket.accept()
    binary = _binary_requested(websocket)
    if binary is None:
        # After accept, so the client gets the reason (a refused handshake is a bare HTTP 403).
        await websocket.close(code=1008, reason="query parameter encoding must be json or binary")
        return
    if state.active_sessions >= settings.max_sessions:
        await websocket.close(code=1013, reason="too many sessions; try again later")
        return
    state.active_sessions += 1
    try:
        inbox = Inbox(settings.max_pending_messages)
        session = Session()
        coach = Coach(session, state.training_slots, _waker(inbox), state.worker)
        try:
            await _serve(websocket, session, coach, inbox, binary)
        finally:
            coach.close()  # a disconnect stops the training at once
    finally:
        state.active_sessions -= 1
        if state.active_sessions == 0:
            release_free_memory()  # the allocator keeps freed traces for reuse while sessions run


def _binary_requested(websocket: WebSocket) -> bool | None:
    """Whether `?encoding=binary` was asked for; None for any other value (or more than one)."""
    values = websocket.query_params.getlist("encoding") or ["json"]
    if len(values) != 1 or values[0] not in ENCODINGS:
        return None
    return values[0] == "binary"


def _waker(inbox: Inbox) -> Callable[[], None]:
    """inbox.wake, callable from the trainer's thread (asyncio objects belong to their loop)."""
    loop = asyncio.get_running_loop()

    def wake() -> None:
        # A closed loop means the connection is gone: nobody left to tell.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(inbox.wake)

    return wake


async def _serve(websocket: WebSocket, session: Session, coach: Coach, inbox: Inbox, binary: bool) -> None:
    await _send(websocket, [session.snapshot()], binary)
    receiver = asyncio.create_task(_receive(websocket, inbox))
    try:
        while True:
            # While a rerun goes in parts, what came meanwhile is taken without waiting: a new move
            # supersedes the rest of the rerun, and with nothing new the next part is computed.
            drained = await inbox.drain(wait=not session.computing)
            parsed, errors = _parse(drained.frames)
            if drained.refused:
                errors.append(error_reply(None, "too_many_pending", {"count": drained.refused}))
            await _send(websocket, errors, binary)
            if parsed:
                await _send(websocket, await _handle(session, coach, parsed), binary)
            elif session.computing and not drained.closed:
                await _send(websocket, await _apply(session, []), binary)  # the rerun's next part
            await _send(websocket, coach.events(), binary)
            if drained.closed:
                break
    except WebSocketDisconnect:
        pass
    finally:
        receiver.cancel()


# Below this many trace cells (T·H) a recompute takes about a millisecond: handing it to a thread
# costs more than it saves (measured with benchmarks/bench_load.py, 100 sessions: p50 halved).
INLINE_CELLS = 16_384


async def _handle(session: Session, coach: Coach, parsed: list[Any]) -> list[Outgoing]:
    """Every message in order: runs of session messages applied as one batch each, training
    messages handed to the coach one by one (off the event loop: an update may take a while)."""
    replies: list[Outgoing] = []
    batch: list[Any] = []
    for message in parsed:
        training, new_model = isinstance(message, TRAINING_MESSAGES), isinstance(message, NEW_MODEL)
        if batch and (training or (new_model and coach.trainer is not None)):
            replies += await _apply(session, batch)  # what came before, answered before
            batch = []
        if training:
            replies += await _coach(coach, message)
            continue
        if new_model:
            replies += await asyncio.to_thread(coach.end, message.id)
        batch.append(message)
    if batch:
        replies += await _apply(session, batch)
    return replies


async def _coach(coach: Coach, message: Any) -> list[Outgoing]:
    try:
        return await asyncio.to_thread(coach.handle, message)
    except NotFinite as err:
        log.warning("refused a non-finite training result: %s", err)
        return [error_reply(None, "not_finite", {"quantity": err.quantity}, message.id)]
    except Exception:
        log.exception("coach.handle failed")
        return [error_reply(None, "internal_error", None, message.id)]


async def _apply(session: Session, parsed: list[Any]) -> list[Outgoing]:
    """Recompute; a large trace goes off the event loop, so the other sessions keep being served
    and new messages keep arriving (and coalescing) meanwhile."""
    try:
        # T·H, for an LSTM and a GRU alike (of the whole sequence, while a rerun goes in parts)
        small = session.state.x.shape[0] * session.state.hidden <= INLINE_CELLS
        # A pattern is matched in a child process that may run for seconds, and an `open` reads a
        # file and may bring a large model: never on the loop.
        slow = any(isinstance(m, Open) or (isinstance(m, FindUnits) and m.pattern) for m in parsed)
        if small and not slow:
            return session.apply(parsed)
        return await asyncio.to_thread(session.apply, parsed)
    except NotFinite as err:
        log.warning("refused a non-finite result: %s", err)
        return [error_reply(None, "not_finite", {"quantity": err.quantity})]
    except Exception:
        # A bug must not take the connection down or leak internals: log it, tell this client only.
        log.exception("session.apply failed")
        return [error_reply(None, "internal_error")]


async def _receive(websocket: WebSocket, inbox: Inbox) -> None:
    settings = get_settings()
    try:
        while True:
            try:
                event = await asyncio.wait_for(websocket.receive(), settings.idle_timeout_seconds)
            except TimeoutError:
                await websocket.close(code=1000, reason="idle timeout")
                break
            if event["type"] == "websocket.disconnect":
                break
            text, data = event.get("text"), event.get("bytes")
            if len(text or data or b"") > settings.max_message_bytes:
                await websocket.close(code=1009, reason="message too big")
                break
            inbox.put(text if text is not None else (data or b""))
    finally:
        inbox.close()


def _parse(raw: list[Frame]) -> tuple[list[Any], list[Outgoing]]:
    """Validated messages in order, and one error reply for each frame that failed."""
    parsed: list[Any] = []
    errors: list[Outgoing] = []
    for item in raw:
        if isinstance(item, bytes):
            errors.append(error_reply(None, "binary_frame"))
            continue
        try:
            parsed.append(_validated(item))
        except orjson.JSONDecodeError:
            errors.append(error_reply(None, "not_json"))
        except ValidationError as err:
            problem = first_problem(err)
            errors.append(
                error_reply(problem.field, problem.code, problem.params, _message_id(item), problem.text)
            )
    return parsed, errors


# Where pydantic's JSON reader and orjson's part ways: integers of 19 digits or more, which may
# not fit 64 bits (pydantic keeps a Python int, orjson a float that the strict integer fields
# refuse), and NaN or Infinity (orjson refuses them). A message with any of these is read the
# orjson way. (Digits after a decimal point or before an exponent belong to a float: not counted.)
_ORJSON_ONLY = re.compile(r"(?<![\d.])\d{19,}+(?![.eE])|NaN|Infinity")


def _validated(text: str) -> Any:
    """The message in `text`. pydantic reads the JSON itself: through orjson's Python objects first,
    a 2 MB restore peaked at 25 MiB instead of 3 MiB, left in the heap that app/memory.py keeps
    while sessions run. A message it refuses, or one where the two readers differ, is read through
    orjson, so that every refusal keeps its code (not_json for NaN, …) and field."""
    if _ORJSON_ONLY.search(text) is None:
        try:
            return _messages.validate_json(text)
        except ValidationError:
            pass
    return _messages.validate_python(orjson.loads(text))


def _message_id(text: str) -> int | None:
    """The id of a rejected message, if it had a usable one (so the client can match the error)."""
    try:
        value = orjson.loads(text).get("id")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _encoded(reply: Outgoing, binary: bool) -> str | bytes:
    """The reply as it goes on the wire; NotFinite (from either encoder) if an array is not finite."""
    if binary and reply["type"] in COLUMNAR_TYPES:
        return encode(reply)
    return dumps(reply).decode()


async def _send(websocket: WebSocket, replies: list[Outgoing], binary: bool) -> None:
    limit = get_settings().max_message_bytes
    for reply in replies:
        try:
            data = _encoded(reply, binary)
        except NotFinite as err:
            log.warning("refused to send a non-finite reply: %s", err)
            refusal = error_reply(None, "not_finite", {"quantity": err.quantity}, reply.get("ack"))
            data = dumps(refusal).decode()
        if len(data) > limit:
            # Never a message over the limit: a client's WebSocket may close on it (1009), and a
            # page would reconnect into the same message again. (Characters ≤ bytes: JSON is ASCII.)
            params = {"size": len(data), "limit": limit, "setting": setting("max_message_bytes")}
            data = dumps(error_reply(None, "reply_too_large", params, reply.get("ack"))).decode()
        if isinstance(data, bytes):
            await websocket.send_bytes(data)
        else:
            await websocket.send_text(data)
