"""A trace as CSV: one row per (step, unit), one column per quantity.

Columns: `step, unit`, then the quantities in the trace's order. A quantity with one value per
unit (h_prev, c_prev, i, f, g, o, c, h, …) is one column. A D-wide one (x; dL_dx with gradients)
is D columns, x0 … x{D-1}, repeated on every unit row of its step, so each row stands alone:
filtering on one unit keeps the inputs beside it. Numbers are written in Python's shortest form
that reads back to the same float64.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .config import get_settings
from .encoding import NotFinite, check_finite
from .file_errors import TooLarge, Unusable, setting

D_WIDE = ("x", "dL_dx")
_CHUNK_CELLS = 65_536  # numbers per yielded piece: the CSV is streamed, never held whole


def columns(trace: dict[str, np.ndarray]) -> list[str]:
    names = ["step", "unit"]
    for name, values in trace.items():
        names += [f"{name}{j}" for j in range(values.shape[1])] if name in D_WIDE else [name]
    return names


def trace_csv(trace: dict[str, np.ndarray]) -> Iterator[str]:
    """The CSV text in pieces; the size limit and finiteness are checked before the first one."""
    steps, hidden = trace["h"].shape
    header = columns(trace)
    cells, limit = steps * hidden * len(header), get_settings().max_csv_cells
    if cells > limit:
        raise TooLarge(
            "csv_too_large",
            cells=cells,
            rows=steps * hidden,
            columns=len(header),
            limit=limit,
            setting=setting("max_csv_cells"),
        )
    try:
        check_finite(trace)
    except NotFinite as err:
        raise Unusable("trace_not_finite", quantity=err.quantity) from None
    return _lines(trace, ",".join(header), max(1, _CHUNK_CELLS // (hidden * len(header))))


def _lines(trace: dict[str, np.ndarray], header: str, steps_per_chunk: int) -> Iterator[str]:
    yield header + "\n"
    steps, hidden = trace["h"].shape
    for start in range(0, steps, steps_per_chunk):
        yield "".join(_step(trace, t, hidden) for t in range(start, min(start + steps_per_chunk, steps)))


def _step(trace: dict[str, np.ndarray], t: int, hidden: int) -> str:
    """The H rows of step t."""
    parts = [
        np.broadcast_to(values[t], (hidden, values.shape[1])) if name in D_WIDE else values[t][:, None]
        for name, values in trace.items()
    ]
    block = np.hstack(parts).tolist()  # (H, columns)
    return "".join(f"{t},{unit}," + ",".join(map(repr, row)) + "\n" for unit, row in enumerate(block))
