"""What an LSTM, a GRU and a plain RNN layer share: four float64 tensors in PyTorch's naming."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TENSOR_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@dataclass(frozen=True)
class Layer:
    """weight_ih (G·H, D), weight_hh (G·H, H), bias_ih and bias_hh (G·H,), with G gate blocks."""

    weight_ih: np.ndarray
    weight_hh: np.ndarray
    bias_ih: np.ndarray
    bias_hh: np.ndarray

    # Gate blocks stacked in the rows: 4 for an LSTM (i, f, g, o), 3 for a GRU (r, z, n), 1 for a plain RNN.
    BLOCKS = 1

    def __post_init__(self) -> None:
        for name in TENSOR_NAMES:  # a subclass's other fields (a GRU's reset_after) stay as given
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        blocks = self.BLOCKS
        rows, d = self.weight_ih.shape if self.weight_ih.ndim == 2 else (-1, -1)
        if rows <= 0 or rows % blocks or d <= 0:
            layout = f"({blocks}H, D)" if blocks > 1 else "(H, D)"
            raise ValueError(f"weight_ih must be {layout} with H, D ≥ 1, got {self.weight_ih.shape}")
        h = rows // blocks
        expected = {"weight_hh": (rows, h), "bias_ih": (rows,), "bias_hh": (rows,)}
        for name, shape in expected.items():
            actual = getattr(self, name).shape
            if actual != shape:
                raise ValueError(
                    f"{name} has shape {actual}, but weight_ih {self.weight_ih.shape} means "
                    f"H={h}, so {name} must be {shape}"
                )

    @property
    def hidden_size(self) -> int:
        return int(self.weight_hh.shape[1])

    @property
    def input_size(self) -> int:
        return int(self.weight_ih.shape[1])


def rows_by_name(
    trace: object, names: Sequence[str], start: int, units: Sequence[int] | None = None
) -> dict[str, np.ndarray]:
    """Rows start.. of each of a trace's quantities `names`, C-contiguous (what orjson and the wire
    encoding take); with `units`, each (T, H) quantity only those units' columns, in that order (`x`
    whole). The columns are taken before copying, so a frame of a few units copies only theirs."""
    columns = _as_slice(units) if units is not None else None
    out = {}
    for name in names:
        rows = getattr(trace, name)[start:]
        out[name] = np.ascontiguousarray(rows if columns is None or name == "x" else rows[:, columns])
    return out


def _as_slice(units: Sequence[int]) -> slice | Sequence[int]:
    """Consecutive units (a page of the belt's lanes) as a slice: copying a slice of columns is ~4×
    faster than gathering them by index (T=1000, 6 units: 4 µs against 15 µs a quantity)."""
    if units and list(units) == list(range(units[0], units[0] + len(units))):
        return slice(units[0], units[0] + len(units))
    return units
