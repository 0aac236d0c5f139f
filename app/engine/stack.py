"""Several LSTM layers run as a stack, as nn.LSTM(num_layers=K, bidirectional=…) runs them. Pure NumPy.

Layer 0 reads x; layer k reads layer k−1's output. A bidirectional layer has a second, reverse
direction with its own weights that runs over the reversed sequence (step s reads input T−1−s), and
its output at time t is concat(h_fwd[t], h_rev[t]), where h_rev[t] is the reverse direction's state
after it read inputs T−1 … t: what PyTorch returns, and what the next layer reads (2H wide).

Every layer starts from zeros (nn.LSTM's default h0 and c0), except the one a session shows, whose
initial state (and knobs, clamps) the session sets: see app/stacking.py.

A session reruns its other directions after every change, so `run_kept` keeps what a direction read
and its h and c: a later run over changed inputs reruns it only from the first row that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .lstm import LSTMWeights, Trace, run


@dataclass(frozen=True)
class StackLayer:
    """One layer: its forward direction, and a bidirectional layer's reverse one (same sizes)."""

    forward: LSTMWeights
    reverse: LSTMWeights | None = None

    def __post_init__(self) -> None:
        back = self.reverse
        if back is not None and (back.hidden_size, back.input_size) != (self.hidden_size, self.input_size):
            raise ValueError("a layer's reverse direction must have its forward direction's H and D")

    @property
    def hidden_size(self) -> int:
        return self.forward.hidden_size

    @property
    def input_size(self) -> int:
        return self.forward.input_size

    @property
    def output_size(self) -> int:
        """What the next layer reads: H, or 2H for a bidirectional layer."""
        return self.hidden_size * (1 if self.reverse is None else 2)

    def direction(self, reverse: bool) -> LSTMWeights:
        if reverse and self.reverse is None:
            raise ValueError("this layer has no reverse direction")
        return self.reverse if reverse and self.reverse is not None else self.forward


@dataclass(frozen=True)
class Stack:
    layers: tuple[StackLayer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise ValueError("a stack has at least one layer")
        for k in range(1, len(self.layers)):
            below, layer = self.layers[k - 1], self.layers[k]
            if layer.input_size != below.output_size:
                raise ValueError(
                    f"layer {k} reads {layer.input_size} values; layer {k - 1} gives {below.output_size}"
                )

    @property
    def input_size(self) -> int:
        return self.layers[0].input_size

    @property
    def output_size(self) -> int:
        return self.layers[-1].output_size

    def views(self) -> list[tuple[int, bool]]:
        """(layer, reverse) of every direction a session can show, bottom up, forward first."""
        return [(k, reverse) for k, layer in enumerate(self.layers) for reverse in (False, True)
                if not reverse or layer.reverse is not None]  # fmt: skip


@dataclass(frozen=True)
class LayerRun:
    forward: Trace
    reverse: Trace | None  # in its own order: row s is time T−1−s
    output: np.ndarray  # (T, H or 2H) in time order: what the next layer reads


def direction_input(x: np.ndarray, reverse: bool) -> np.ndarray:
    """What a direction reads, in its own order: x, or x reversed in time."""
    return np.ascontiguousarray(x[::-1]) if reverse else x


def output_of(forward_h: np.ndarray, reverse_h: np.ndarray | None) -> np.ndarray:
    """A layer's output in time order from each direction's h in its own order."""
    if reverse_h is None:
        return forward_h
    return np.concatenate([forward_h, reverse_h[::-1]], axis=1)


def run_layer(layer: StackLayer, x: np.ndarray) -> LayerRun:
    """Both directions of one layer over x (T, D), from zeros."""
    forward = run(layer.forward, x)
    reverse = None if layer.reverse is None else run(layer.reverse, direction_input(x, True))
    return LayerRun(forward, reverse, output_of(forward.h, None if reverse is None else reverse.h))


def run_stack(stack: Stack, x: np.ndarray, layers: range | None = None) -> list[LayerRun]:
    """Every layer of `layers` (default: all), bottom up; x is what the first of them reads."""
    runs: list[LayerRun] = []
    for k in range(len(stack.layers)) if layers is None else layers:
        runs.append(run_layer(stack.layers[k], x if not runs else runs[-1].output))
    return runs


def input_of(stack: Stack, x: np.ndarray, k: int) -> np.ndarray:
    """(T, D_k) what layer k reads in time order: x for layer 0, else layer k−1's output."""
    return x if k == 0 else run_stack(stack, x, range(k))[-1].output


def output_above(stack: Stack, k: int, output: np.ndarray) -> np.ndarray:
    """The stack's output, given layer k's output (T, H or 2H) in time order."""
    runs = run_stack(stack, output, range(k + 1, len(stack.layers)))
    return runs[-1].output if runs else output


@dataclass(frozen=True)
class KeptRun:
    """One direction's run from zeros, kept so that a run over changed inputs reruns it only from
    the first changed row. All in the direction's own order; `x` is never written to (callers pass
    arrays they do not change afterwards)."""

    weights: LSTMWeights
    x: np.ndarray  # (T, D) what it read
    h: np.ndarray  # (T, H)
    c: np.ndarray  # (T, H): with h, the state a rerun from a later row starts from


# Kept runs by (layer, reverse): the directions a session does not show.
KeptRuns = Mapping[tuple[int, bool], KeptRun]


def run_kept(weights: LSTMWeights, x: np.ndarray, kept: KeptRun | None = None) -> KeptRun:
    """The direction over x (T, D) in its own order, from zeros. Rows of `kept` (the same weights)
    before the first row where x differs from what it read are reused: a step's state depends only
    on the steps before it, so the run goes on from the state kept at the row before."""
    start = 0 if kept is None or kept.weights is not weights else first_changed_row(kept.x, x)
    steps = x.shape[0]
    if kept is not None and start == steps:  # nothing it read changed (of the steps it reads now)
        return kept if kept.x.shape[0] == steps else KeptRun(weights, x, kept.h[:steps], kept.c[:steps])
    if kept is None or start == 0:
        trace = run(weights, x)
        return KeptRun(weights, x, trace.h, trace.c)
    suffix = run(weights, x[start:], kept.h[start - 1], kept.c[start - 1])
    h = np.concatenate([kept.h[:start], suffix.h])
    c = np.concatenate([kept.c[:start], suffix.c])
    return KeptRun(weights, x, h, c)


def first_changed_row(before: np.ndarray, after: np.ndarray) -> int:
    """The first row where `after` differs from `before`, of the rows both have (the fewer rows'
    count if none: a rerun in parts holds the first rows only; 0 if the rows' widths differ). NaN
    never equals itself, so a row holding one counts as changed."""
    if before.shape[1:] != after.shape[1:]:
        return 0
    rows = min(before.shape[0], after.shape[0])
    changed = np.flatnonzero((before[:rows] != after[:rows]).any(axis=1))
    return int(changed[0]) if len(changed) else rows


def layer_kept(
    stack: Stack,
    k: int,
    x: np.ndarray,
    kept: KeptRuns,
    shown: tuple[bool, np.ndarray] | None = None,
) -> tuple[dict[tuple[int, bool], KeptRun], np.ndarray]:
    """Layer k over x (T, D_k, time order), its directions reusing `kept`: ({(k, reverse): run},
    the layer's output in time order). `shown` (reverse, h in its own order) is a direction the
    caller ran itself (a session's shown one, with its knobs): it is not run here."""
    runs: dict[tuple[int, bool], KeptRun] = {}
    h: dict[bool, np.ndarray] = {} if shown is None else {shown[0]: shown[1]}
    for reverse in (False, True):
        weights = stack.layers[k].reverse if reverse else stack.layers[k].forward
        if weights is not None and reverse not in h:
            runs[k, reverse] = run_kept(weights, direction_input(x, reverse), kept.get((k, reverse)))
            h[reverse] = runs[k, reverse].h
    return runs, output_of(h[False], h.get(True))
