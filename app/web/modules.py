"""The page's ES modules, named up front for <link rel="modulepreload">.

Without the list the browser finds the modules one import level at a time (main.js, then the
views, then what they import), a round trip per level before any of the page's code can run.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from .. import assets

STATIC = assets.STATIC
# A static import or re-export of a relative path: `import … from "./x.js"`, `export … from "../y.js"`.
RELATIVE_IMPORT = re.compile(r'\b(?:from|import)\s+"(\.{1,2}/[^"]+\.js)"')


@cache
def module_urls(entry: str = "js/main.js") -> tuple[str, ...]:
    """URLs of `entry` (a path under static/) and of every module it imports, directly or not."""
    found: set[Path] = set()
    pending = [STATIC / entry]
    while pending:
        path = pending.pop().resolve()
        if path in found:
            continue
        found.add(path)
        pending += [path.parent / name for name in RELATIVE_IMPORT.findall(path.read_text(encoding="utf-8"))]
    return tuple(sorted(f"/static/{path.relative_to(STATIC).as_posix()}" for path in found))
