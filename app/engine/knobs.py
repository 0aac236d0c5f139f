"""The page's knobs turned into model parameters: gate bias shifts, a weight scale, the RNN foil.

Knobs never change the scenario's own weights; the engine runs on `lstm_weights(base, knobs)` (or
`gru_weights` for a GRU, whose knobs shift its gates r, z, n instead of i, f, g, o).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import ClassVar, Literal, Self

import numpy as np

from .gru import GRU_GATES, GRUWeights
from .layer import Layer
from .lstm import GATES, LSTMWeights
from .memo import PerObject
from .rnn import RNNWeights


class _GateKnobs:
    """What both models' knobs do the same way, over their own gates (GATES, in weight-row order)."""

    GATES: ClassVar[tuple[str, ...]]
    target: int | Literal["sum"]
    clamps: tuple[tuple[float | None, ...], ...]

    def bias_shift(self, hidden: int) -> np.ndarray:
        """The (G·H,) vector added to bias_ih, gate blocks in the model's order."""
        return np.repeat([getattr(self, f"bias_{gate}") for gate in self.GATES], hidden)

    def clamp_array(self) -> np.ndarray | None:
        """The (G, H) clamp the engine takes (NaN where free), or None."""
        if not self.clamps:
            return None
        return np.array([[np.nan if v is None else v for v in row] for row in self.clamps])

    def with_clamp(self, gate: str, unit: int | None, value: float | None, hidden: int) -> Self:
        """Clamp (or, with value None, release) one gate for one unit or, with unit None, all."""
        rows = [list(row) for row in self.clamps] or [[None] * hidden for _ in self.GATES]
        units = range(hidden) if unit is None else [unit]
        for k in units:
            rows[self.GATES.index(gate)][k] = value
        clamps = tuple(tuple(row) for row in rows)
        return replace(self, clamps=() if all(v is None for row in clamps for v in row) else clamps)  # type: ignore[type-var]

    def as_dict(self) -> dict[str, object]:
        """JSON form: clamps by gate name, each a list of H values or nulls."""
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
        out["clamps"] = (
            {gate: list(row) for gate, row in zip(self.GATES, self.clamps, strict=True)}
            if self.clamps
            else {}
        )
        return out

    @property
    def target_unit(self) -> int | None:
        """The target as the engine's backward pass takes it (None for the sum)."""
        return None if self.target == "sum" else self.target


@dataclass(frozen=True)
class Knobs(_GateKnobs):
    """An LSTM's knobs."""

    bias_i: float = 0.0  # added to each gate's bias: positive opens it, negative shuts it
    bias_f: float = 0.0
    bias_g: float = 0.0
    bias_o: float = 0.0
    weight_scale: float = 1.0  # multiplies weight_ih and weight_hh
    rnn_scale: float = 1.0  # the plain RNN's self-recurrent weight w in h_t = tanh(w·h_{t-1} + …)
    target: int | Literal["sum"] = "sum"  # L = Σ_k h_{T-1}[k], or h_{T-1}[target]
    # Gate values forced per unit, rows i, f, g, o, None where free; () when nothing is clamped.
    clamps: tuple[tuple[float | None, ...], ...] = ()

    GATES: ClassVar[tuple[str, ...]] = GATES


@dataclass(frozen=True)
class GRUKnobs(_GateKnobs):
    """A GRU's knobs: the same, over its gates r, z, n."""

    bias_r: float = 0.0
    bias_z: float = 0.0
    bias_n: float = 0.0
    weight_scale: float = 1.0
    rnn_scale: float = 1.0
    target: int | Literal["sum"] = "sum"
    clamps: tuple[tuple[float | None, ...], ...] = ()  # rows r, z, n

    GATES: ClassVar[tuple[str, ...]] = GRU_GATES


AnyKnobs = Knobs | GRUKnobs


def lstm_weights(base: LSTMWeights, knobs: Knobs) -> LSTMWeights:
    """The weights with the knobs applied (the same object again for the same base and knobs)."""
    return _KNOBBED.get(base, knobs, lambda: _knobbed(base, knobs))


def _knobbed(base: LSTMWeights, knobs: Knobs) -> LSTMWeights:
    return LSTMWeights(
        weight_ih=base.weight_ih * knobs.weight_scale,
        weight_hh=base.weight_hh * knobs.weight_scale,
        bias_ih=base.bias_ih + knobs.bias_shift(base.hidden_size),
        bias_hh=base.bias_hh,
    )


_KNOBBED: PerObject[LSTMWeights] = PerObject()


def gru_weights(base: GRUWeights, knobs: GRUKnobs) -> GRUWeights:
    return GRUWeights(
        weight_ih=base.weight_ih * knobs.weight_scale,
        weight_hh=base.weight_hh * knobs.weight_scale,
        bias_ih=base.bias_ih + knobs.bias_shift(base.hidden_size),
        bias_hh=base.bias_hh,
        reset_after=base.reset_after,
    )


def companion_rnn(layer: Layer) -> RNNWeights:
    """A plain RNN that writes what the layer's candidate writes, and keeps it only by feeding
    each unit's own state back through tanh: h_t = tanh(w·h_{t-1} + W_g x_t + b_g).

    The LSTM keeps c on its belt with c_t = f·c_{t-1} + …: the same self-loop, without the squashing.
    The candidate is the third block of rows in both models: an LSTM's g (of i, f, g, o), a GRU's n
    (of r, z, n; its b_hn taken as it is, as the reset gate has no RNN counterpart).
    """
    hidden = layer.hidden_size
    candidate = slice(2 * hidden, 3 * hidden)  # the g (or n) rows
    return RNNWeights(
        weight_ih=layer.weight_ih[candidate],
        weight_hh=np.eye(hidden),
        bias_ih=layer.bias_ih[candidate],
        bias_hh=layer.bias_hh[candidate],
    )


def rnn_weights(layer: Layer, knobs: AnyKnobs) -> RNNWeights:
    base = companion_rnn(layer)
    return RNNWeights(base.weight_ih, base.weight_hh * knobs.rnn_scale, base.bias_ih, base.bias_hh)
