"""One GRU layer, step by step, in PyTorch's layout and gate order (r, z, n).

The GRU has no separate cell state: its hidden state is its belt,

    h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ n_t,

so one gate, z, both keeps (the × station: z ⊙ h_{t−1}) and writes (the + station:
(1 − z) ⊙ n_t), and there is no output gate: what rides the belt is what the next layer sees.
The reset gate r decides how much of h_{t−1} the candidate n_t looks at:

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))        reset after (PyTorch, Keras' default)
    n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t−1}) + b_hn)        reset before (Keras reset_after=False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid
from .layer import Layer, rows_by_name

GRU_GATES = ("r", "z", "n")

# Trace quantities of shape (T, H); "x" alone is (T, D).
GRU_UNIT_QUANTITIES = (
    "h_prev",
    "pre_r", "pre_z", "pre_n",
    "pre_r_x", "pre_r_h", "pre_r_b",
    "pre_z_x", "pre_z_h", "pre_z_b",
    "pre_n_x", "pre_n_h", "pre_n_b",
    "r", "z", "n",
    "kept", "forgotten", "added", "h",
)  # fmt: skip
GRU_QUANTITIES = ("x", *GRU_UNIT_QUANTITIES)


@dataclass(frozen=True)
class GRUWeights(Layer):
    """PyTorch nn.GRU layer parameters; rows of every 3H block are ordered r, z, n.

    weight_ih (3H, D), weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,). `reset_after` False is
    Keras' other GRU, whose reset gate scales h_{t−1} before W_hn rather than W_hn h_{t−1} + b_hn.
    """

    reset_after: bool = True

    BLOCKS = 3


@dataclass(frozen=True)
class GRUTrace:
    """Every quantity of a run, one row per time step."""

    x: np.ndarray  # (T, D)
    h_prev: np.ndarray  # (T, H) h_{t-1}: the belt coming in
    pre_r: np.ndarray  # (T, H) gate pre-activations
    pre_z: np.ndarray
    pre_n: np.ndarray
    # (T, H) each pre-activation in the three parts that feed it: pre_q = pre_q_x + pre_q_h + pre_q_b.
    # For n, the parts through h_{t−1} are already scaled by r: pre_n_h is r ⊙ W_hn h_{t−1} (reset
    # after) or W_hn (r ⊙ h_{t−1}) (reset before), and pre_n_b is b_in + r ⊙ b_hn or b_in + b_hn.
    pre_r_x: np.ndarray
    pre_r_h: np.ndarray
    pre_r_b: np.ndarray
    pre_z_x: np.ndarray
    pre_z_h: np.ndarray
    pre_z_b: np.ndarray
    pre_n_x: np.ndarray
    pre_n_h: np.ndarray
    pre_n_b: np.ndarray
    r: np.ndarray  # (T, H) reset gate, σ
    z: np.ndarray  # (T, H) update gate, σ: the share of h_{t−1} kept
    n: np.ndarray  # (T, H) candidate, tanh
    kept: np.ndarray  # (T, H) z ⊙ h_prev: what rides on past the × station
    forgotten: np.ndarray  # (T, H) (1 − z) ⊙ h_prev: what the × station takes off
    added: np.ndarray  # (T, H) (1 − z) ⊙ n: what the + station puts on
    h: np.ndarray  # (T, H) kept + added
    # (3, H) gate values forced at every step (rows r, z, n); NaN where the gate is free.
    clamp: np.ndarray | None = None

    @property
    def steps(self) -> int:
        return int(self.x.shape[0])

    def as_dict(self, start: int = 0, units: Sequence[int] | None = None) -> dict[str, np.ndarray]:
        """Rows start..T-1 of every quantity, by name, each C-contiguous; with `units`, each (T, H)
        quantity only those units' columns, in that order (`x` whole)."""
        return rows_by_name(self, GRU_QUANTITIES, start, units)


def run(
    weights: GRUWeights, x: np.ndarray, h0: np.ndarray | None = None, clamp: np.ndarray | None = None
) -> GRUTrace:
    """Run the layer over x (T, D) from h0 (zeros by default).

    `clamp` (3, H), rows r, z, n: force a gate to a value at every step (NaN leaves it free).
    Pre-activations are still recorded as computed.
    """
    hidden = weights.hidden_size
    x = np.array(x, dtype=np.float64)  # a copy: the trace must not change when the caller's x does
    if x.ndim != 2 or x.shape[1] != weights.input_size:
        raise ValueError(f"x must be (T, {weights.input_size}), got {x.shape}")
    h0 = np.zeros(hidden) if h0 is None else np.asarray(h0, dtype=np.float64)
    if h0.shape != (hidden,):
        raise ValueError(f"h0 must be ({hidden},), got {h0.shape}")
    clamp = _as_clamp(hidden, clamp)
    return GRUTrace(x=x, **_recur(weights, x, h0, clamp), clamp=clamp)


def rerun_from(
    weights: GRUWeights,
    x: np.ndarray,
    previous: GRUTrace,
    start: int,
    h0: np.ndarray,
    clamp: np.ndarray | None = None,
) -> GRUTrace:
    """Recompute after a change at step `start`: steps 0..start-1 are taken from `previous`,
    which must have been run with the same weights, initial state and clamp."""
    if not 0 <= start <= previous.steps:
        raise ValueError(f"start must be in 0..{previous.steps}, got {start}")
    if start == 0:
        return run(weights, x, h0, clamp)
    suffix = run(weights, np.asarray(x)[start:], previous.h[start - 1], clamp)  # checks x and clamp
    joined = {
        name: np.concatenate([getattr(previous, name)[:start], getattr(suffix, name)])
        for name in GRU_UNIT_QUANTITIES
    }
    return GRUTrace(x=np.array(x, dtype=np.float64), **joined, clamp=suffix.clamp)


def _as_clamp(hidden: int, clamp: np.ndarray | None) -> np.ndarray | None:
    """None when nothing is clamped; otherwise a checked (3, H) array, NaN where free."""
    if clamp is None:
        return None
    clamp = np.array(clamp, dtype=np.float64)
    if clamp.shape != (3, hidden):
        raise ValueError(f"clamp must be (3, {hidden}), got {clamp.shape}")
    low = np.array([0.0, 0.0, -1.0])[:, None]  # σ gates live in [0, 1], the candidate in [−1, 1]
    fixed = ~np.isnan(clamp)
    if np.any(fixed & ((clamp < low) | (clamp > 1.0))):
        raise ValueError("clamped r, z must lie in [0, 1] and n in [−1, 1]")
    return clamp if fixed.any() else None


def _recur(
    weights: GRUWeights, x: np.ndarray, h0: np.ndarray, clamp: np.ndarray | None
) -> dict[str, np.ndarray]:
    """The recurrence over x (T, D), recording every step's parts."""
    steps, hidden = x.shape[0], weights.hidden_size
    rows = {q: slice(k * hidden, (k + 1) * hidden) for k, q in enumerate(GRU_GATES)}
    r_rows, z_rows, n_rows = rows["r"], rows["z"], rows["n"]
    # The input part of every pre-activation does not depend on the recurrence: one product.
    from_x = x @ weights.weight_ih.T  # (T, 3H)
    w_hh = weights.weight_hh
    b_ih, b_hh = weights.bias_ih, weights.bias_hh
    out = {name: np.empty((steps, hidden)) for name in GRU_UNIT_QUANTITIES}
    free = np.ones((3, hidden), dtype=bool) if clamp is None else np.isnan(clamp)
    h = h0
    for t in range(steps):
        out["h_prev"][t] = h
        # r and z: σ of input, recurrent and bias parts, as in the LSTM.
        from_h_rz = w_hh[: 2 * hidden] @ h  # rows r, z
        gates = {}
        for q, part, k in (("r", r_rows, 0), ("z", z_rows, 1)):
            parts = (from_x[t, part], from_h_rz[part], b_ih[part] + b_hh[part])
            gates[q] = _record(out, q, t, parts, sigmoid, clamp, free, k)
        # n: the reset gate scales what h_{t−1} brings (after W_hn, or before it).
        if weights.reset_after:
            from_h_n = gates["r"] * (w_hh[n_rows] @ h)
            bias_n = b_ih[n_rows] + gates["r"] * b_hh[n_rows]
        else:
            from_h_n = w_hh[n_rows] @ (gates["r"] * h)
            bias_n = b_ih[n_rows] + b_hh[n_rows]
        n = _record(out, "n", t, (from_x[t, n_rows], from_h_n, bias_n), np.tanh, clamp, free, 2)
        z = gates["z"]
        # The belt: one ×, one +.
        out["kept"][t] = z * h
        out["added"][t] = (1.0 - z) * n
        h = out["h"][t] = out["kept"][t] + out["added"][t]
    out["forgotten"] = out["h_prev"] - out["kept"]
    return out


def _record(
    out: dict[str, np.ndarray],
    q: str,
    t: int,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray],
    activation: Callable[[np.ndarray], np.ndarray],
    clamp: np.ndarray | None,
    free: np.ndarray,
    row: int,
) -> np.ndarray:
    """Writes gate q's three parts, its pre-activation and its value at step t; returns the value
    (the clamped value where the gate is forced)."""
    from_x, from_h, bias = parts
    out[f"pre_{q}_x"][t], out[f"pre_{q}_h"][t], out[f"pre_{q}_b"][t] = from_x, from_h, bias
    pre = out[f"pre_{q}"][t] = from_x + from_h + bias
    value = activation(pre)
    if clamp is not None:
        value = np.where(free[row], value, clamp[row])
    out[q][t] = value
    return value
