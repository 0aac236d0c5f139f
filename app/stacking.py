"""A session that holds a stack shows one direction of one layer: what it reads and what it feeds.

The user sets layer 0's inputs (the session's x); the shown layer's own input is computed here, the
layers below running from zeros as nn.LSTM runs them, and reversed in time for a reverse direction
(its step s reads time T−1−s, so its belt runs the way it reads). The session's knobs, clamps and
initial state act on the shown direction alone; the layers above read its output, so a decoder's
next tokens see them too.
"""

from __future__ import annotations

import numpy as np

from .computation import AnyTrace
from .engine.lstm import run
from .engine.stack import direction_input, input_of, output_above, output_of
from .scenarios import AnyScenario


def shown_input(scenario: AnyScenario, x: np.ndarray) -> np.ndarray:
    """(T, D_k) what the shown direction reads, in its own order, given layer 0's inputs x."""
    if scenario.stack is None:
        return x
    layer, reverse = scenario.shown
    return direction_input(input_of(scenario.stack, x, layer), reverse)


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


def stack_output(scenario: AnyScenario, trace: AnyTrace) -> np.ndarray | None:
    """(T, ·) the stack's output in time order, with the shown direction as traced; None for a
    single layer (its h is the output)."""
    stack = scenario.stack
    if stack is None:
        return None
    layer, reverse = scenario.shown
    other = stack.layers[layer].reverse if not reverse else stack.layers[layer].forward
    if stack.layers[layer].reverse is None or other is None:
        output = trace.h
    else:
        in_time = direction_input(trace.x, reverse)  # the layer's input, back in time order
        other_h = run(other, direction_input(in_time, not reverse)).h
        output = output_of(other_h, trace.h) if reverse else output_of(trace.h, other_h)
    return output_above(stack, layer, output)
