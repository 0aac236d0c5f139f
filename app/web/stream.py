"""The WebSocket protocol (docs/protocol.md): validate each message, hand bursts to the session.

A receiver task only queues raw text; the worker drains everything queued so far and applies
it as one batch, so a burst of slider moves costs one recompute.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from app.config import get_settings
from app.encoding import NotFinite, dumps
from app.messages import ClientMessage
from app.session import Outgoing, Session, error_reply
from app.web.errors import first_problem

router = APIRouter()
log = logging.getLogger(__name__)
_messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)


class _Inbox:
    """Raw client frames waiting for the worker; None marks the end of the connection."""

    def __init__(self) -> None:
        self.items: list[str | bytes | None] = []
        self.ready = asyncio.Event()

    def put(self, item: str | bytes | None) -> None:
        self.items.append(item)
        self.ready.set()

    async def drain(self) -> list[str | bytes | None]:
        await self.ready.wait()
        self.ready.clear()
        items, self.items = self.items, []
        return items


@router.websocket("/ws")
async def stream(websocket: WebSocket) -> None:
    await websocket.accept()
    session = Session()
    await _send(websocket, [session.snapshot()])
    inbox = _Inbox()
    receiver = asyncio.create_task(_receive(websocket, inbox))
    try:
        while True:
            raw = await inbox.drain()
            closed = None in raw
            parsed, errors = _parse([item for item in raw if item is not None])
            await _send(websocket, errors)
            if parsed:
                await _send(websocket, await _apply(session, parsed))
            if closed:
                break
    except WebSocketDisconnect:
        pass
    finally:
        receiver.cancel()


async def _apply(session: Session, parsed: list[Any]) -> list[Outgoing]:
    """Recompute off the event loop, so new messages keep arriving (and coalescing) meanwhile."""
    try:
        return await asyncio.to_thread(session.apply, parsed)
    except NotFinite as err:
        log.warning("refused a non-finite result: %s", err)
        return [error_reply(None, f"the update would give a non-finite result ({err}); nothing was changed")]
    except Exception:
        # A bug must not take the connection down or leak internals: log it, tell this client only.
        log.exception("session.apply failed")
        return [error_reply(None, "internal error while applying the update; nothing was changed")]


async def _receive(websocket: WebSocket, inbox: _Inbox) -> None:
    limit = get_settings().max_message_bytes
    try:
        while True:
            event = await websocket.receive()
            if event["type"] == "websocket.disconnect":
                break
            text, data = event.get("text"), event.get("bytes")
            if text is not None and len(text) > limit:
                await websocket.close(code=1009, reason="message too big")
                break
            inbox.put(text if text is not None else (data or b""))
    finally:
        inbox.put(None)


def _parse(raw: list[str | bytes]) -> tuple[list[Any], list[Outgoing]]:
    """Validated messages in order, and one error reply for each frame that failed."""
    parsed: list[Any] = []
    errors: list[Outgoing] = []
    for item in raw:
        if isinstance(item, bytes):
            errors.append(error_reply(None, "binary frames are not supported; send JSON text"))
            continue
        try:
            parsed.append(_messages.validate_python(orjson.loads(item)))
        except orjson.JSONDecodeError:
            errors.append(error_reply(None, "message is not valid JSON"))
        except ValidationError as err:
            field, reason = first_problem(err)
            errors.append(error_reply(field, reason, _message_id(item)))
    return parsed, errors


def _message_id(text: str) -> int | None:
    """The id of a rejected message, if it had a usable one (so the client can match the error)."""
    try:
        value = orjson.loads(text).get("id")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def _send(websocket: WebSocket, replies: list[Outgoing]) -> None:
    for reply in replies:
        try:
            payload = dumps(reply)
        except NotFinite as err:
            log.warning("refused to send a non-finite reply: %s", err)
            payload = dumps(error_reply(None, f"the result is not finite ({err})", reply.get("ack")))
        await websocket.send_text(payload.decode())
