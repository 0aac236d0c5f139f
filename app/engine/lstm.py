"""One LSTM layer, step by step, in PyTorch's layout and gate order (i, f, g, o).

Every per-step quantity is kept in a named trace so the page can show each sentence of the
concept source: the forget gate scales the belt (×), the input gate writes onto it (+), and
the output gate shows a squashed copy of it as h_t.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from app.engine.activations import sigmoid

GATES = ("i", "f", "g", "o")
WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

# Trace quantities of shape (T, H); "x" alone is (T, D).
UNIT_QUANTITIES = (
    "h_prev", "c_prev",
    "pre_i", "pre_f", "pre_g", "pre_o",
    "i", "f", "g", "o",
    "kept", "forgotten", "added", "c", "tanh_c", "h",
)  # fmt: skip
QUANTITIES = ("x", *UNIT_QUANTITIES)


@dataclass(frozen=True)
class LSTMWeights:
    """PyTorch nn.LSTM layer parameters; rows of every 4H block are ordered i, f, g, o."""

    weight_ih: np.ndarray  # (4H, D)
    weight_hh: np.ndarray  # (4H, H)
    bias_ih: np.ndarray  # (4H,)
    bias_hh: np.ndarray  # (4H,)

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, np.asarray(getattr(self, f.name), dtype=np.float64))
        h4, d = self.weight_ih.shape if self.weight_ih.ndim == 2 else (-1, -1)
        if h4 <= 0 or h4 % 4 or d <= 0:
            raise ValueError(f"weight_ih must be (4H, D) with H, D ≥ 1, got {self.weight_ih.shape}")
        h = h4 // 4
        expected = {"weight_hh": (4 * h, h), "bias_ih": (4 * h,), "bias_hh": (4 * h,)}
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


@dataclass(frozen=True)
class Trace:
    """Every quantity of a run, one row per time step."""

    x: np.ndarray  # (T, D)
    h_prev: np.ndarray  # (T, H) h_{t-1}
    c_prev: np.ndarray  # (T, H) c_{t-1}
    pre_i: np.ndarray  # (T, H) gate pre-activations
    pre_f: np.ndarray
    pre_g: np.ndarray
    pre_o: np.ndarray
    i: np.ndarray  # (T, H) input gate, σ
    f: np.ndarray  # (T, H) forget gate, σ
    g: np.ndarray  # (T, H) candidate, tanh
    o: np.ndarray  # (T, H) output gate, σ
    kept: np.ndarray  # (T, H) f ⊙ c_prev: what rides on past the × station
    forgotten: np.ndarray  # (T, H) (1 − f) ⊙ c_prev: what the × station takes off
    added: np.ndarray  # (T, H) i ⊙ g: what the + station puts on
    c: np.ndarray  # (T, H) kept + added
    tanh_c: np.ndarray  # (T, H)
    h: np.ndarray  # (T, H) o ⊙ tanh(c)

    @property
    def steps(self) -> int:
        return int(self.x.shape[0])

    def as_dict(self, start: int = 0) -> dict[str, np.ndarray]:
        """Rows start..T-1 of every quantity, by name."""
        return {name: getattr(self, name)[start:] for name in QUANTITIES}


def run(
    weights: LSTMWeights,
    x: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
) -> Trace:
    """Run the layer over x (T, D) from (h0, c0), zeros by default."""
    hidden = weights.hidden_size
    h0 = np.zeros(hidden) if h0 is None else np.asarray(h0, dtype=np.float64)
    c0 = np.zeros(hidden) if c0 is None else np.asarray(c0, dtype=np.float64)
    return _run_from(weights, _as_inputs(weights, x), h0, c0, previous=None, start=0)


def rerun_from(
    weights: LSTMWeights, x: np.ndarray, previous: Trace, start: int, h0: np.ndarray, c0: np.ndarray
) -> Trace:
    """Recompute after a change at step `start`: steps 0..start-1 are taken from `previous`."""
    if not 0 <= start <= previous.steps:
        raise ValueError(f"start must be in 0..{previous.steps}, got {start}")
    return _run_from(weights, _as_inputs(weights, x), h0, c0, previous=previous, start=start)


def _as_inputs(weights: LSTMWeights, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != weights.input_size:
        raise ValueError(f"x must be (T, {weights.input_size}), got {x.shape}")
    return x


def _run_from(
    weights: LSTMWeights,
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    previous: Trace | None,
    start: int,
) -> Trace:
    steps, hidden = x.shape[0], weights.hidden_size
    out = {name: np.empty((steps, hidden)) for name in UNIT_QUANTITIES}
    if previous is not None and start > 0:
        for name in UNIT_QUANTITIES:
            out[name][:start] = getattr(previous, name)[:start]
    h = out["h"][start - 1] if start > 0 else h0
    c = out["c"][start - 1] if start > 0 else c0
    # The input projection does not depend on the recurrence: one matrix product for all steps.
    x_proj = x[start:] @ weights.weight_ih.T + (weights.bias_ih + weights.bias_hh)  # (T-start, 4H)
    w_hh_t = weights.weight_hh.T  # (H, 4H)
    for t in range(start, steps):
        pre = x_proj[t - start] + h @ w_hh_t  # (4H,)
        pre_i, pre_f, pre_g, pre_o = np.split(pre, 4)
        i, f, o = sigmoid(pre_i), sigmoid(pre_f), sigmoid(pre_o)
        g = np.tanh(pre_g)
        kept = f * c
        added = i * g
        c_next = kept + added
        tanh_c = np.tanh(c_next)
        h_next = o * tanh_c
        row = {
            "h_prev": h, "c_prev": c,
            "pre_i": pre_i, "pre_f": pre_f, "pre_g": pre_g, "pre_o": pre_o,
            "i": i, "f": f, "g": g, "o": o,
            "kept": kept, "forgotten": c - kept, "added": added,
            "c": c_next, "tanh_c": tanh_c, "h": h_next,
        }  # fmt: skip
        for name, value in row.items():
            out[name][t] = value
        h, c = h_next, c_next
    return Trace(x=x.copy(), **out)
