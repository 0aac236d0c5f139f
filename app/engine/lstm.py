"""One LSTM layer, step by step, in PyTorch's layout and gate order (i, f, g, o).

Every per-step quantity is kept in a named trace so the page can show each sentence of the
concept source: the forget gate scales the belt (×), the input gate writes onto it (+), and
the output gate shows a squashed copy of it as h_t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layer import Layer

GATES = ("i", "f", "g", "o")
WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

# Trace quantities of shape (T, H); "x" alone is (T, D).
UNIT_QUANTITIES = (
    "h_prev", "c_prev",
    "pre_i", "pre_f", "pre_g", "pre_o",
    "pre_i_x", "pre_i_h", "pre_i_b",
    "pre_f_x", "pre_f_h", "pre_f_b",
    "pre_g_x", "pre_g_h", "pre_g_b",
    "pre_o_x", "pre_o_h", "pre_o_b",
    "i", "f", "g", "o",
    "kept", "forgotten", "added", "c", "tanh_c", "h",
)  # fmt: skip
QUANTITIES = ("x", *UNIT_QUANTITIES)


@dataclass(frozen=True)
class LSTMWeights(Layer):
    """PyTorch nn.LSTM layer parameters; rows of every 4H block are ordered i, f, g, o.

    weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,)
    """

    BLOCKS = 4


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
    # (T, H) each pre-activation in the three parts that feed it: pre_q = pre_q_x + pre_q_h + pre_q_b
    pre_i_x: np.ndarray  # rows of W_ih x_t: from the input
    pre_i_h: np.ndarray  # rows of W_hh h_{t-1}: from the previous output
    pre_i_b: np.ndarray  # rows of bias_ih + bias_hh: the same every step
    pre_f_x: np.ndarray
    pre_f_h: np.ndarray
    pre_f_b: np.ndarray
    pre_g_x: np.ndarray
    pre_g_h: np.ndarray
    pre_g_b: np.ndarray
    pre_o_x: np.ndarray
    pre_o_h: np.ndarray
    pre_o_b: np.ndarray
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
    # (4, H) gate values forced at every step (rows i, f, g, o); NaN where the gate is free.
    clamp: np.ndarray | None = None

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
    clamp: np.ndarray | None = None,
) -> Trace:
    """Run the layer over x (T, D) from (h0, c0), zeros by default.

    `clamp` (4, H), rows i, f, g, o: force a gate to a value at every step (NaN leaves it free),
    to see what that gate contributes. Pre-activations are still recorded as computed.
    """
    h0, c0 = _initial_state(weights, h0, c0)
    x = _as_inputs(weights, x)
    clamp = _as_clamp(weights, clamp)
    return Trace(x=x, **_recur(weights, x, h0, c0, clamp), clamp=clamp)


def rerun_from(
    weights: LSTMWeights,
    x: np.ndarray,
    previous: Trace,
    start: int,
    h0: np.ndarray,
    c0: np.ndarray,
    clamp: np.ndarray | None = None,
) -> Trace:
    """Recompute after a change at step `start`: steps 0..start-1 are taken from `previous`,
    which must have been run with the same weights, initial state and clamp."""
    if not 0 <= start <= previous.steps:
        raise ValueError(f"start must be in 0..{previous.steps}, got {start}")
    x = _as_inputs(weights, x)
    if start == 0:
        return run(weights, x, h0, c0, clamp)
    clamp = _as_clamp(weights, clamp)
    suffix = _recur(weights, x[start:], previous.h[start - 1], previous.c[start - 1], clamp)
    prefix = {name: getattr(previous, name)[:start] for name in UNIT_QUANTITIES}
    joined = {name: np.concatenate([prefix[name], suffix[name]]) for name in UNIT_QUANTITIES}
    return Trace(x=x, **joined, clamp=clamp)


def _as_inputs(weights: LSTMWeights, x: np.ndarray) -> np.ndarray:
    x = np.array(x, dtype=np.float64)  # a copy: the trace must not change when the caller's x does
    if x.ndim != 2 or x.shape[1] != weights.input_size:
        raise ValueError(f"x must be (T, {weights.input_size}), got {x.shape}")
    return x


def _initial_state(
    weights: LSTMWeights, h0: np.ndarray | None, c0: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    hidden = weights.hidden_size
    state = []
    for name, value in (("h0", h0), ("c0", c0)):
        value = np.zeros(hidden) if value is None else np.asarray(value, dtype=np.float64)
        if value.shape != (hidden,):
            raise ValueError(f"{name} must be ({hidden},), got {value.shape}")
        state.append(value)
    return state[0], state[1]


def _as_clamp(weights: LSTMWeights, clamp: np.ndarray | None) -> np.ndarray | None:
    """None when nothing is clamped; otherwise a checked (4, H) array, NaN where free."""
    if clamp is None:
        return None
    clamp = np.array(clamp, dtype=np.float64)
    if clamp.shape != (4, weights.hidden_size):
        raise ValueError(f"clamp must be (4, {weights.hidden_size}), got {clamp.shape}")
    low = np.array([0.0, 0.0, -1.0, 0.0])[:, None]  # σ gates live in [0, 1], the candidate in [−1, 1]
    fixed = ~np.isnan(clamp)
    if np.any(fixed & ((clamp < low) | (clamp > 1.0))):
        raise ValueError("clamped i, f, o must lie in [0, 1] and g in [−1, 1]")
    return clamp if fixed.any() else None


def _recur(
    weights: LSTMWeights, x: np.ndarray, h0: np.ndarray, c0: np.ndarray, clamp: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The recurrence over x (T, D); then everything derivable from it in whole-array operations."""
    steps, hidden = x.shape[0], weights.hidden_size
    i, f, g, o = (slice(k * hidden, (k + 1) * hidden) for k in range(4))
    scale, shift = _one_tanh_for_all_gates(hidden)
    # The input part of every pre-activation does not depend on the recurrence: one product.
    from_x = x @ weights.weight_ih.T  # (T, 4H)
    bias = weights.bias_ih + weights.bias_hh  # (4H,)
    # The loop works on pre · scale (what the one tanh reads), so its recurrent weights are scaled
    # once here; scale is ½ or 1, so dividing it out after the loop gives pre exactly.
    z = (from_x + bias) * scale  # (T, 4H); the loop adds the scaled recurrent part in place
    w_scaled = weights.weight_hh.T * scale  # (H, 4H)
    z_h = np.empty_like(z)  # (T, 4H): each step's scaled recurrent part, in its own row
    gates = np.empty_like(z)  # (T, 4H): σ(pre) for i, f, o and tanh(pre) for g
    c = np.empty((steps, hidden))
    tanh_c = np.empty((steps, hidden))
    h = np.empty((steps, hidden))
    # (values, where) of the clamped gate entries, both (4H,)
    pin = None if clamp is None else (np.nan_to_num(clamp.reshape(-1)), ~np.isnan(clamp.reshape(-1)))
    h_t, c_t = h0, c0
    # Each step writes its rows in place: the loop is only the recurrence, a few calls per step.
    for z_t, z_h_t, gates_t, c_row, tanh_c_row, h_row in zip(z, z_h, gates, c, tanh_c, h, strict=True):
        np.matmul(h_t, w_scaled, out=z_h_t)  # (4H,)
        z_t += z_h_t
        np.tanh(z_t, out=gates_t)
        gates_t *= scale
        gates_t += shift  # σ(pre) on the i, f, o rows, tanh(pre) on the g rows
        if pin is not None:
            np.copyto(gates_t, pin[0], where=pin[1])
        np.multiply(gates_t[f], c_t, out=c_row)  # the belt: one ×, ...
        c_row += gates_t[i] * gates_t[g]  # ... one +
        c_t = c_row
        np.tanh(c_t, out=tanh_c_row)
        h_t = np.multiply(gates_t[o], tanh_c_row, out=h_row)
    pre = z / scale
    from_h = z_h / scale
    h_prev = np.vstack([h0, h[:-1]])
    c_prev = np.vstack([c0, c[:-1]])
    parts = dict(zip(GATES, (i, f, g, o), strict=True))
    named = {name: np.ascontiguousarray(gates[:, part]) for name, part in parts.items()}
    pre_named = {f"pre_{name}": np.ascontiguousarray(pre[:, part]) for name, part in parts.items()}
    kept = named["f"] * c_prev  # the same products as in the loop, so kept + added == c exactly
    added = named["i"] * named["g"]
    return {
        "h_prev": h_prev, "c_prev": c_prev,
        **pre_named,
        **_pre_parts(from_x, from_h, bias, parts),
        **named,
        "kept": kept, "forgotten": c_prev - kept, "added": added,
        "c": c, "tanh_c": tanh_c, "h": h,
    }  # fmt: skip


def _pre_parts(
    from_x: np.ndarray, from_h: np.ndarray, bias: np.ndarray, parts: dict[str, slice]
) -> dict[str, np.ndarray]:
    """pre_q_x, pre_q_h, pre_q_b for every gate q: what the input, the previous output and the
    bias each bring to the pre-activation. The bias is repeated on every row so that every
    quantity of the trace is (T, H) and frames can cut rows from any of them alike."""
    steps = from_x.shape[0]
    out = {}
    for name, part in parts.items():
        out[f"pre_{name}_x"] = np.ascontiguousarray(from_x[:, part])
        out[f"pre_{name}_h"] = np.ascontiguousarray(from_h[:, part])
        out[f"pre_{name}_b"] = np.tile(bias[part], (steps, 1))
    return out


def _one_tanh_for_all_gates(hidden: int) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift), each (4H,), so that tanh(pre · scale) · scale + shift is every gate at once.

    σ(z) = (1 + tanh(z/2)) / 2 exactly, so the i, f, o rows take scale ½ and shift ½, and the
    candidate's rows (g) scale 1 and shift 0. One tanh per step instead of σ's exp and branches
    (a step's Python overhead is most of its cost at small H); never overflows, like activations.sigmoid.
    """
    scale = np.full((4, hidden), 0.5)
    shift = np.full((4, hidden), 0.5)
    scale[GATES.index("g")], shift[GATES.index("g")] = 1.0, 0.0
    return scale.reshape(-1), shift.reshape(-1)
