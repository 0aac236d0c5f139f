"""The page's knobs turned into model parameters: gate bias shifts, a weight scale, the RNN foil.

Knobs never change the scenario's own weights; the engine runs on `lstm_weights(base, knobs)`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal

import numpy as np

from .lstm import GATES, LSTMWeights
from .rnn import RNNWeights


@dataclass(frozen=True)
class Knobs:
    bias_i: float = 0.0  # added to each gate's bias: positive opens it, negative shuts it
    bias_f: float = 0.0
    bias_g: float = 0.0
    bias_o: float = 0.0
    weight_scale: float = 1.0  # multiplies weight_ih and weight_hh
    rnn_scale: float = 1.0  # the plain RNN's self-recurrent weight w in h_t = tanh(w·h_{t-1} + …)
    target: int | Literal["sum"] = "sum"  # L = Σ_k h_{T-1}[k], or h_{T-1}[target]
    # Gate values forced per unit, rows i, f, g, o, None where free; () when nothing is clamped.
    clamps: tuple[tuple[float | None, ...], ...] = ()

    def bias_shift(self, hidden: int) -> np.ndarray:
        """The (4H,) vector added to bias_ih, gate blocks in the order i, f, g, o."""
        return np.repeat([getattr(self, f"bias_{gate}") for gate in GATES], hidden)

    def clamp_array(self) -> np.ndarray | None:
        """The (4, H) clamp the engine takes (NaN where free), or None."""
        if not self.clamps:
            return None
        return np.array([[np.nan if v is None else v for v in row] for row in self.clamps])

    def with_clamp(self, gate: str, unit: int | None, value: float | None, hidden: int) -> Knobs:
        """Clamp (or, with value None, release) one gate for one unit or, with unit None, all."""
        rows = [list(row) for row in self.clamps] or [[None] * hidden for _ in GATES]
        units = range(hidden) if unit is None else [unit]
        for k in units:
            rows[GATES.index(gate)][k] = value
        clamps = tuple(tuple(row) for row in rows)
        return replace(self, clamps=() if all(v is None for row in clamps for v in row) else clamps)

    def as_dict(self) -> dict[str, object]:
        """JSON form: clamps by gate name, each a list of H values or nulls."""
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["clamps"] = (
            {gate: list(row) for gate, row in zip(GATES, self.clamps, strict=True)} if self.clamps else {}
        )
        return out

    @property
    def target_unit(self) -> int | None:
        """The target as the engine's backward pass takes it (None for the sum)."""
        return None if self.target == "sum" else self.target


def lstm_weights(base: LSTMWeights, knobs: Knobs) -> LSTMWeights:
    return LSTMWeights(
        weight_ih=base.weight_ih * knobs.weight_scale,
        weight_hh=base.weight_hh * knobs.weight_scale,
        bias_ih=base.bias_ih + knobs.bias_shift(base.hidden_size),
        bias_hh=base.bias_hh,
    )


def companion_rnn(lstm: LSTMWeights) -> RNNWeights:
    """A plain RNN that writes what the LSTM's candidate writes, and keeps it only by feeding
    each unit's own state back through tanh: h_t = tanh(w·h_{t-1} + W_g x_t + b_g).

    The LSTM keeps c on its belt with c_t = f·c_{t-1} + …: the same self-loop, without the squashing.
    """
    hidden = lstm.hidden_size
    candidate = slice(2 * hidden, 3 * hidden)  # the g rows
    return RNNWeights(
        weight_ih=lstm.weight_ih[candidate],
        weight_hh=np.eye(hidden),
        bias_ih=lstm.bias_ih[candidate],
        bias_hh=lstm.bias_hh[candidate],
    )


def rnn_weights(lstm: LSTMWeights, knobs: Knobs) -> RNNWeights:
    base = companion_rnn(lstm)
    return RNNWeights(base.weight_ih, base.weight_hh * knobs.rnn_scale, base.bias_ih, base.bias_hh)
