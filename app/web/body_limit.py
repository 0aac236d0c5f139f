"""Refuse a request body over its limit while it streams in, before it is held whole.

FastAPI reads a body whole before a route runs: a multipart upload is spooled to disk, a JSON body
is parsed into Python objects (5-15 times its size in memory). The route is too late to refuse an
oversized body cheaply. This wraps the listed paths: a Content-Length over the limit is answered
at once without reading the body, and a body sent without one (chunked) is counted as it arrives
and cut off at the limit. The refusal names the limit and the setting that changes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import get_settings
from ..file_errors import TooLarge, setting


class _Exceeded(Exception):
    pass


def upload_limit() -> TooLarge:
    """The refusal of an upload over settings.max_upload_bytes; params["limit"] is the limit."""
    limit = get_settings().max_upload_bytes
    return TooLarge("upload_too_large", limit=limit, setting=setting("max_upload_bytes"))


def json_body_limit() -> TooLarge:
    """The refusal of a JSON body over settings.max_request_bytes; params["limit"] is the limit."""
    limit = get_settings().max_request_bytes
    return TooLarge("request_too_large", limit=limit, setting=setting("max_request_bytes"))


class BodyLimit:
    """Bodies of requests to `paths` may hold at most refusal().params["limit"] bytes; over it,
    that refusal, with status 413. The limit is read per request (settings may change in tests)."""

    def __init__(self, app: ASGIApp, paths: Collection[str], refusal: Callable[[], TooLarge]) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        problem = self.refusal()
        limit = int(problem.params["limit"])
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
