"""Security headers on every HTTP response, and the WebSocket's Origin check."""

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response

from ..config import Settings, get_settings

# Everything the page needs comes from this origin; no inline script anywhere. Styles must allow
# 'unsafe-inline': plotly.js writes style attributes and <style> rules while it draws.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def security_headers(settings: Settings) -> dict[str, str]:
    """HEADERS; with settings.frame_ancestors (a notebook's origin, to show /api/open's page in an
    IFrame), the policy lets those origins frame the page and X-Frame-Options (which can only deny
    all or allow the same origin) is left out."""
    if not settings.frame_ancestors:
        return HEADERS
    ancestors = " ".join(["'self'", *settings.frame_ancestors])
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    return {name: value for name, value in HEADERS.items() if name != "X-Frame-Options"} | {
        "Content-Security-Policy": policy
    }


async def add_security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in security_headers(get_settings()).items():
        response.headers.setdefault(name, value)
    return response


def origin_allowed(origin: str | None, host: str | None, settings: Settings) -> bool:
    """Same-origin or allow-listed browsers only; no Origin header (a script, not a browser
    page that could be hijacked cross-site) is let through."""
    if origin is None:
        return True
    if origin in settings.allowed_origins:
        return True
    return host is not None and urlsplit(origin).netloc == host
