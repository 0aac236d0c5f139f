"""One LSTM layer, step by step, in PyTorch's layout and gate order (i, f, g, o).

Every per-step quantity is kept in a named trace so the page can show each sentence of the
concept source: the forget gate scales the belt (×), the input gate writes onto it (+), and
the output gate shows a squashed copy of it as h_t.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .layer import Layer, rows_by_name
from .memo import PerObject

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
    """Every quantity of a run, one row per time step. A run's quantities are read-only views of
    the arrays its loop wrote (see _Rows), most of them strided: as_dict hands out C-contiguous
    copies, for encoders that need them."""

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

    def as_dict(self, start: int = 0, units: Sequence[int] | None = None) -> dict[str, np.ndarray]:
        """Rows start..T-1 of every quantity, by name, each C-contiguous; with `units`, each (T, H)
        quantity only those units' columns, in that order (`x` whole)."""
        return rows_by_name(self, QUANTITIES, start, units)


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
    layer = _LoopLayer.of(weights)
    rows = _Rows.empty(x.shape[0], weights.hidden_size)
    _recur(layer, rows, x, 0, h0, c0, clamp)
    return _trace(rows, x, layer.bias, clamp)


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
    if start > x.shape[0]:
        raise ValueError(f"start must be at most the {x.shape[0]} steps of x, got {start}")
    clamp = _as_clamp(weights, clamp)
    layer = _LoopLayer.of(weights)
    rows = _Rows.empty(x.shape[0], weights.hidden_size)
    rows.take_prefix(previous, start)
    _recur(layer, rows, x, start, previous.h[start - 1], previous.c[start - 1], clamp)
    return _trace(rows, x, layer.bias, clamp)


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


# The loop keeps a step's gates in the order g, o, f, i (not PyTorch's i, f, g, o) so that each of
# its few NumPy calls acts on adjacent blocks of one row: one ×½ and one +½ turn tanh into σ on o, f, i
# together, and one product gives f⊙c_{t−1} and i⊙g at once because [f, i] lines up with [c_{t−1}, g].
LOOP_GATES = ("g", "o", "f", "i")
# Each loop gate's rows in PyTorch's (4H, ·) layout: block GATES.index(gate).
_TORCH_BLOCK = tuple(GATES.index(gate) for gate in LOOP_GATES)


# Each loop gate's scale: what the one tanh reads is pre · scale, so that tanh(pre · scale) is the
# candidate on g (scale 1) and 2σ(pre) − 1 on o, f, i (scale ½): σ(z) = (1 + tanh(z/2)) / 2 exactly.
# One tanh a step instead of σ's exp and branches; never overflows, like activations.sigmoid.
# Scaling by ½ or 1 is exact, so dividing it out afterwards gives pre exactly.
LOOP_SCALES = (1.0, 0.5, 0.5, 0.5)


@dataclass(frozen=True)
class _LoopLayer:
    """The layer's weights in loop order (LOOP_GATES), laid out for the loop's products."""

    w_ih: np.ndarray  # (D, 4H): from_x = x @ w_ih
    w_hh: np.ndarray  # (4H, H) C-contiguous, rows times the loop scale: w_hh · h_{t−1}, scaled
    bias: np.ndarray  # (4H,) bias_ih + bias_hh
    scale: np.ndarray  # (4H,) LOOP_SCALES, each for its gate's H rows

    @classmethod
    def of(cls, weights: LSTMWeights) -> _LoopLayer:
        """The layout of these weights (made once for each weights object: see memo.py)."""
        return _LOOP_LAYERS.get(weights, None, lambda: cls._laid_out(weights))

    @classmethod
    def _laid_out(cls, weights: LSTMWeights) -> _LoopLayer:
        hidden = weights.hidden_size
        rows = np.concatenate([np.arange(k * hidden, (k + 1) * hidden) for k in _TORCH_BLOCK])
        scale = np.repeat(LOOP_SCALES, hidden)
        return cls(
            w_ih=weights.weight_ih[rows].T,
            w_hh=weights.weight_hh[rows] * scale[:, None],
            bias=(weights.bias_ih + weights.bias_hh)[rows],
            scale=scale,
        )


_LOOP_LAYERS: PerObject[_LoopLayer] = PerObject()


@dataclass(frozen=True)
class _Rows:
    """What the loop writes, one row per step, gates in loop order. The trace's quantities are views
    of these blocks (see _trace), so that a run copies nothing after its loop.

    from_x (T, 4H): W_ih x_t, not scaled; z (T, 4H): the pre-activation times the loop scale, what the
    one tanh reads; from_h (T, 4H): W_hh h_{t−1} times the loop scale; cells (T + 1, 5H): row t holds
    c_{t−1}, then the gates g, o, f, i of step t, and row T only c_{T−1} (each step writes its c_t
    where the next step reads c_{t−1}); belt (T, 2H): f⊙c_{t−1} (kept), i⊙g (added); tanh_c (T, H);
    hs (T + 1, H): row t holds h_{t−1}, so each step writes its h_t where the next step's product reads it.
    """

    from_x: np.ndarray
    z: np.ndarray
    from_h: np.ndarray
    cells: np.ndarray
    belt: np.ndarray
    tanh_c: np.ndarray
    hs: np.ndarray

    @classmethod
    def empty(cls, steps: int, hidden: int) -> _Rows:
        gates = 4 * hidden
        return cls(
            from_x=np.empty((steps, gates)),
            z=np.empty((steps, gates)),
            from_h=np.empty((steps, gates)),
            cells=np.empty((steps + 1, hidden + gates)),
            belt=np.empty((steps, 2 * hidden)),
            tanh_c=np.empty((steps, hidden)),
            hs=np.empty((steps + 1, hidden)),
        )

    @property
    def hidden(self) -> int:
        return int(self.hs.shape[1])

    def block(self, name: str, gate: str) -> np.ndarray:
        """(T, H): `gate`'s columns of from_x, z, from_h or (as a gate value) cells."""
        hidden, k = self.hidden, LOOP_GATES.index(gate)
        if name == "cells":
            return self.cells[:-1, (k + 1) * hidden : (k + 2) * hidden]
        array: np.ndarray = getattr(self, name)
        return array[:, k * hidden : (k + 1) * hidden]

    def take_prefix(self, previous: Trace, start: int) -> None:
        """Rows 0..start-1 from `previous` (run with the same weights), through its named quantities."""
        hidden = self.hidden
        for gate, scale in zip(LOOP_GATES, LOOP_SCALES, strict=True):
            self.block("from_x", gate)[:start] = getattr(previous, f"pre_{gate}_x")[:start]
            self.block("z", gate)[:start] = getattr(previous, f"pre_{gate}")[:start] * scale
            self.block("from_h", gate)[:start] = getattr(previous, f"pre_{gate}_h")[:start] * scale
            self.block("cells", gate)[:start] = getattr(previous, gate)[:start]
        self.cells[:start, :hidden] = previous.c_prev[:start]
        self.belt[:start, :hidden] = previous.kept[:start]
        self.belt[:start, hidden:] = previous.added[:start]
        self.tanh_c[:start] = previous.tanh_c[:start]
        self.hs[:start] = previous.h_prev[:start]


def _recur(
    layer: _LoopLayer,
    rows: _Rows,
    x: np.ndarray,
    start: int,
    h: np.ndarray,
    c: np.ndarray,
    clamp: np.ndarray | None,
) -> None:
    """Steps start..T-1 over x (T, D) from h_{start−1} = h, c_{start−1} = c, written into `rows`."""
    hidden = rows.hidden
    # The input part of every pre-activation does not depend on the recurrence: one product.
    np.matmul(x[start:], layer.w_ih, out=rows.from_x[start:])
    np.multiply(rows.from_x[start:] + layer.bias, layer.scale, out=rows.z[start:])
    rows.cells[start, :hidden], rows.hs[start] = c, h
    # (values, where) of the clamped gate entries in loop order, both (4H,)
    pin = None
    if clamp is not None:
        pinned = clamp[list(_TORCH_BLOCK)].reshape(-1)
        pin = (np.nan_to_num(pinned), ~np.isnan(pinned))
    half = np.array(0.5)  # a 0-d array: a Python float is converted again on every call
    cells, belt, one, two, three = rows.cells, rows.belt, hidden, 2 * hidden, 3 * hidden
    steps = zip(
        rows.hs[start:-1],  # h_{t−1}
        rows.z[start:],
        rows.from_h[start:],
        cells[start:-1, one:],  # the gates g, o, f, i
        cells[start:-1, two:],  # o, f, i: the σ gates
        cells[start:-1, three:],  # f, i
        cells[start:-1, :two],  # c_{t−1}, g
        belt[start:],  # kept, added
        belt[start:, :one],  # kept
        belt[start:, one:],  # added
        cells[start + 1 :, :one],  # c_t, where step t + 1 reads c_{t−1}
        rows.tanh_c[start:],
        cells[start:-1, two:three],  # o
        rows.hs[start + 1 :],  # h_t, where step t + 1 reads h_{t−1}
        strict=True,
    )
    # Each step writes its rows in place; the loop is only the recurrence, nine calls a step. At small
    # H a call's overhead is most of its cost: outputs are positional (a keyword costs more than the
    # arithmetic), and np.dot (4H, H)·(H,) goes to BLAS with less of it than np.matmul.
    for h_prev, z, from_h, gates, sigma, f_i, c_g, kept_added, kept, added, c_t, tanh_c, o, h_t in steps:
        np.dot(layer.w_hh, h_prev, from_h)
        np.add(z, from_h, z)
        np.tanh(z, gates)
        np.multiply(sigma, half, sigma)
        np.add(sigma, half, sigma)  # σ(pre) on o, f, i; tanh(pre) on g
        if pin is not None:
            np.copyto(gates, pin[0], where=pin[1])
        np.multiply(f_i, c_g, kept_added)  # the × station and the + station's product, together
        np.add(kept, added, c_t)  # the belt: kept + added, so the two add up to c exactly
        np.tanh(c_t, tanh_c)
        np.multiply(o, tanh_c, h_t)


def _trace(rows: _Rows, x: np.ndarray, bias: np.ndarray, clamp: np.ndarray | None) -> Trace:
    """The trace of a finished loop: every quantity a view of its rows (read-only, since they share
    memory) except the few derived in whole-array operations: pre-activations and their recurrent
    parts with the loop scale divided out, and what the × station took off."""
    for array in (rows.from_x, rows.z, rows.from_h, rows.cells, rows.belt, rows.tanh_c, rows.hs):
        array.flags.writeable = False
    steps, hidden = x.shape[0], rows.hidden
    parts = {}
    for k, (gate, scale) in enumerate(zip(LOOP_GATES, LOOP_SCALES, strict=True)):
        # g's scale is 1: its blocks are the pre-activation as they are
        parts[f"pre_{gate}"] = _unscaled(rows.block("z", gate), scale)
        parts[f"pre_{gate}_x"] = rows.block("from_x", gate)
        parts[f"pre_{gate}_h"] = _unscaled(rows.block("from_h", gate), scale)
        # The bias is every row's (a read-only view): every quantity is (T, H), so that frames
        # cut rows from any of them alike.
        parts[f"pre_{gate}_b"] = np.broadcast_to(bias[k * hidden : (k + 1) * hidden], (steps, hidden))
        parts[gate] = rows.block("cells", gate)
    c_prev, kept = rows.cells[:-1, :hidden], rows.belt[:, :hidden]
    return Trace(
        x=x,
        h_prev=rows.hs[:-1],
        c_prev=c_prev,
        **parts,
        kept=kept,
        forgotten=c_prev - kept,
        added=rows.belt[:, hidden:],
        c=rows.cells[1:, :hidden],
        tanh_c=rows.tanh_c,
        h=rows.hs[1:],
        clamp=clamp,
    )


def _unscaled(block: np.ndarray, scale: float) -> np.ndarray:
    """A scaled block of the loop's with its scale divided out (a view where the scale is 1)."""
    return block if scale == 1.0 else block / scale
