"""How a session's inputs changed: which rows a frame must carry, and whether they are still the
model's own. Compared bit for bit (−0.0 is not 0.0): a link must carry the very numbers set."""

from __future__ import annotations

import numpy as np


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays hold the very same numbers (−0.0 is not 0.0)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(_bits(a), _bits(b)))


def inputs_changed_until(before: np.ndarray, after: np.ndarray, start: int) -> int:
    """One past the last row from `start` on where the inputs `after` differ from `before` (bit for
    bit: −0.0 is not 0.0), or `start` if none does. Same shapes: a resize answers with a snapshot."""
    if before is after:
        return start
    differs = np.not_equal(_bits(before[start:]), _bits(after[start:])).any(axis=1)
    changed = np.flatnonzero(differs)
    return start + int(changed[-1]) + 1 if changed.size else start


def _bits(array: np.ndarray) -> np.ndarray:
    """The array's numbers as unsigned integers of the same width: equal only when bit for bit."""
    return np.ascontiguousarray(array).view(f"u{array.itemsize}")
