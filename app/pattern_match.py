"""A user's regular expression over a session's text, within a time limit.

Python's `re` backtracks: `(a+)+$` or `.*.*.*x` can take hours on a few thousand characters, and it
cannot be interrupted (it holds the GIL and checks no clock). So the pattern is compiled here, to
refuse a malformed one with its own message, and matched in a child interpreter (`python -I -S`,
only `re` and `json`) that is killed when the time is up. The pattern's length and the text's are
bounded as well (PATTERN_CHARS, and the caller's max_text_chars).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

PATTERN_CHARS = 200
MATCH_SECONDS = 2.0  # a child interpreter starts in ~20 ms; the rest is the pattern's

# The child: reads {"pattern", "text"}, writes [[start, end], …] of every non-empty match.
_CHILD = """
import json, re, sys
given = json.load(sys.stdin)
spans = [m.span() for m in re.finditer(given["pattern"], given["text"]) if m.end() > m.start()]
json.dump(spans, sys.stdout)
"""


class PatternProblem(ValueError):
    """`code` names the problem (app/locales "problems"), `params` its parameters."""

    def __init__(self, code: str, **params: object) -> None:
        self.code, self.params = code, params
        super().__init__(code)


def check_pattern(pattern: str) -> None:
    """PatternProblem unless `pattern` is a regular expression of at most PATTERN_CHARS characters."""
    if len(pattern) > PATTERN_CHARS:
        raise PatternProblem("pattern_too_long", value=len(pattern), limit=PATTERN_CHARS)
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as err:
        reason = err.msg if isinstance(err, re.error) else str(err)
        position = err.pos if isinstance(err, re.error) else None
        raise PatternProblem("pattern_invalid", reason=reason, position=position) from None


def matches(pattern: str, text: str, seconds: float | None = None) -> list[tuple[int, int]]:
    """(start, end) of every non-empty match of `pattern` in `text`, left to right; PatternProblem
    when it is malformed or takes longer than `seconds`."""
    check_pattern(pattern)
    seconds = MATCH_SECONDS if seconds is None else seconds
    request = json.dumps({"pattern": pattern, "text": text})
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _CHILD],
            input=request,
            capture_output=True,
            text=True,
            timeout=seconds,
            check=True,
        )
    except subprocess.TimeoutExpired:
        raise PatternProblem("pattern_too_slow", seconds=seconds) from None
    except subprocess.CalledProcessError:  # e.g. out of memory: the pattern is what failed
        raise PatternProblem("pattern_failed") from None
    return [(int(start), int(end)) for start, end in json.loads(done.stdout)]
