"""Refuse an upload over settings.max_upload_bytes while it streams in, before it is held whole.

FastAPI parses a multipart body (spooling files to disk) before a route runs, so the route is too
late to refuse an oversized upload cheaply. This wraps the listed paths: a Content-Length over the
limit is answered at once without reading the body, and a body sent without one (chunked) is
counted as it arrives and cut off at the limit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.file_errors import TooLarge, setting


class _Exceeded(Exception):
    pass


class UploadLimit:
    def __init__(self, app: ASGIApp, paths: Collection[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        limit = get_settings().max_upload_bytes
        problem = TooLarge("upload_too_large", limit=limit, setting=setting("max_upload_bytes"))
        refusal = JSONResponse(problem.answer(), status_code=413)
        if _declared_length(scope) > limit:
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _Exceeded  # the app may turn this into its own error: `quiet` drops that answer
            return message

        async def quiet(message: Message) -> None:
            if received <= limit:
                await send(message)

        with contextlib.suppress(_Exceeded):
            await self.app(scope, counted, quiet)
        if received > limit:
            await refusal(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    try:
        return int(Headers(scope=scope).get("content-length", "0"))
    except ValueError:
        return 0
