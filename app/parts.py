"""A rerun in parts: how far the next part of a long rerun goes (docs/protocol.md, A rerun in parts).

A change at step t reruns steps t..T-1, and at full size (two layers of H = 1,024) each step reads
every layer's W_hh, 32 MiB of float64: a rerun of 1,000 steps takes seconds, bound by memory, not
by the loop. An LSTM is causal (step t reads nothing after it), so the first rows of a rerun are
final as soon as they are computed: the session answers with the rows it reaches within the
first_part_weights setting's reading, then goes on in larger parts while no new message comes.
Only forward directions split this way: a reverse one reads the end of the sequence first.
"""

from __future__ import annotations

from .config import get_settings
from .scenarios import AnyScenario

# A part after the first reads this many times as much: fewer messages (each part also copies the
# rows before it), each still ~0.1 s of computing at full size, so a new move never waits long for
# the part under way.
CONTINUED_PARTS = 16


def splits(scenario: AnyScenario) -> bool:
    """Whether a rerun of this model can go in parts: an LSTM whose every direction runs forward."""
    if scenario.kind != "lstm":
        return False
    stack = scenario.stack
    return stack is None or all(layer.reverse is None for layer in stack.layers)


def weights_a_step(scenario: AnyScenario) -> int:
    """How many weights one step of a rerun reads: every layer's W_ih and W_hh (4H × (D + H))."""
    stack = scenario.stack
    layers = [scenario.weights] if stack is None else [layer.forward for layer in stack.layers]
    return sum(layer.weight_hh.size + layer.weight_ih.size for layer in layers)


def part_end(scenario: AnyScenario, start: int, steps: int, first: bool) -> int:
    """Where a rerun from `start` stops this time (`steps`: the whole sequence): the first part of
    one (`first`: a change began it) reads at most first_part_weights, a later part CONTINUED_PARTS
    times as much; at least one step either way."""
    if not splits(scenario):
        return steps
    budget = get_settings().first_part_weights * (1 if first else CONTINUED_PARTS)
    rows = max(1, budget // weights_a_step(scenario))
    return min(steps, start + rows)
