"""A session that holds a stack shows one direction of one layer: what it reads and what it feeds.

The user sets layer 0's inputs (the session's x); the shown layer's own input is computed here, the
layers below running from zeros as nn.LSTM runs them, and reversed in time for a reverse direction
(its step s reads time T−1−s, so its belt runs the way it reads). The session's knobs, clamps and
initial state act on the shown direction alone; the layers above read its output, so a decoder's
next tokens see them too.

The other directions rerun on every change, so their runs are kept in the session's results
(`KeptRuns`) and each reruns only from the first row of its input that changed: a slider move at
step t reruns the forward layers below and above the shown one from t, not from 0, and a knob of the
shown direction reruns none below it.
"""

from __future__ import annotations

import numpy as np

from .computation import AnyTrace
from .engine.stack import KeptRun, KeptRuns, direction_input, layer_kept
from .scenarios import AnyScenario

Runs = dict[tuple[int, bool], KeptRun]


def shown_input(
    scenario: AnyScenario, x: np.ndarray, kept: KeptRuns | None = None
) -> tuple[np.ndarray, Runs]:
    """(T, D_k) what the shown direction reads, in its own order, given layer 0's inputs x; and the
    runs of the layers below it, reusing `kept`'s where their inputs did not change."""
    if scenario.stack is None:
        return x, {}
    layer, reverse = scenario.shown
    runs: Runs = {}
    for k in range(layer):
        below, x = layer_kept(scenario.stack, k, x, kept or {})
        runs |= below
    return direction_input(x, reverse), runs


def first_changed(scenario: AnyScenario, start: int) -> int:
    """The first step of the shown direction's trace that a change at layer 0's step `start` can
    alter: `start` through forward directions only; any reverse one below (or shown) reads the end
    of the sequence first, so every step."""
    stack = scenario.stack
    if stack is None:
        return start
    layer, reverse = scenario.shown
    if reverse or any(below.reverse is not None for below in stack.layers[:layer]):
        return 0
    return start


def stack_output(
    scenario: AnyScenario, trace: AnyTrace, kept: KeptRuns | None = None
) -> tuple[np.ndarray | None, Runs]:
    """(T, ·) the stack's output in time order, with the shown direction as traced (None for a
    single layer: its h is the output); and the runs of the shown layer's other direction and of
    the layers above, reusing `kept`'s where their inputs did not change."""
    stack = scenario.stack
    if stack is None:
        return None, {}
    layer, reverse = scenario.shown
    in_time = direction_input(trace.x, reverse)  # the shown layer's input, back in time order
    runs, output = layer_kept(stack, layer, in_time, kept or {}, (reverse, trace.h))
    for k in range(layer + 1, len(stack.layers)):
        above, output = layer_kept(stack, k, output, kept or {})
        runs |= above
    return output, runs
