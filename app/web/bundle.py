"""plotly.js, the page's one heavy file: compressed once, then cached by browsers.

The bundle is ~4.6 MB of JavaScript; gzipped it is ~1.4 MB. Compressing it per request would
cost ~0.2 s of CPU each time, so it is compressed once per process.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import Request, Response

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CACHE_FOR = 7 * 24 * 3600  # seconds; the ETag revalidates after an upgrade of plotly


@lru_cache(maxsize=1)
def _bundle() -> tuple[bytes, bytes, str]:
    """(raw, gzipped, ETag) of the installed plotly.min.js."""
    raw = PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, compresslevel=6), f'"{hashlib.sha256(raw).hexdigest()[:16]}"'


def plotly_response(request: Request) -> Response:
    raw, packed, etag = _bundle()
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={CACHE_FOR}", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(packed, media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"})
    return Response(raw, media_type="text/javascript", headers=headers)
