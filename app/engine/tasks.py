"""The tasks a learner can train an LSTM on: seeded generators of (x, y) batches, each with a loss
kind, a success measure and the steps where the memory must hold. Pure NumPy.

Every task is read at the last step only (batched.forward's head reads h_{T-1}), so what the model
must do in between is carry something along the belt:

- sign-memory: remember the sign of the first value through T noisy steps (2 classes);
- count: count the pulses in the sequence, 0 … MAX_PULSES (MAX_PULSES + 1 classes);
- latch: a "store" input writes the value of that step, a "clear" input erases it, the value
  channel changes every step (a distractor); report what is stored, 0 if cleared (a value);
- copy: report the value shown at the first step, after T noisy steps (a value, not its sign).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .batched import LossKind

MAX_PULSES = 4

# x (B, T, D), y ((B,) class indices or (B, 1) values), hold (B, T) bool: where memory must hold
Batch = tuple[np.ndarray, np.ndarray, np.ndarray]
Generator = Callable[[np.random.Generator, int, int], Batch]  # (rng, batch, steps) → Batch


@dataclass(frozen=True)
class Task:
    name: str
    inputs: int  # D
    outputs: int  # O: classes, or values
    kind: LossKind
    target: float  # the held-out accuracy that counts as solved
    generate: Generator
    input_names: tuple[str, ...]
    tolerance: float = 0.0  # a "value" answer is right when within this of the truth

    def correct(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """(B,) bool: which answers are right (the class with the largest output, or close enough)."""
        if self.kind == "class":
            return np.asarray(out.argmax(axis=1) == y)
        return np.asarray(np.all(np.abs(out - y.reshape(out.shape)) < self.tolerance, axis=1))


def _marked_first(
    rng: np.random.Generator, batch: int, steps: int, first: np.ndarray, noise: float
) -> np.ndarray:
    """x (B, T, 2): channel 0 `first` at step 0 then Gaussian noise, channel 1 marks step 0."""
    x = np.zeros((batch, steps, 2))
    x[:, :, 0] = noise * rng.standard_normal((batch, steps))
    x[:, 0, 0] = first
    x[:, 0, 1] = 1.0
    return x


def _after_first(batch: int, steps: int) -> np.ndarray:
    hold = np.ones((batch, steps), dtype=bool)
    hold[:, 0] = False  # step 0 writes; every later step must keep it
    return hold


def sign_memory(rng: np.random.Generator, batch: int, steps: int) -> Batch:
    """Class 1 if the first value is +1, class 0 if −1 (engine/train.py's task, noise std 1)."""
    sign = rng.choice([-1.0, 1.0], size=batch)
    x = _marked_first(rng, batch, steps, sign, noise=1.0)
    return x, (sign > 0).astype(np.float64), _after_first(batch, steps)


def copy_value(rng: np.random.Generator, batch: int, steps: int) -> Batch:
    """The value v ~ U(−1, 1) shown at step 0, asked for after the last step."""
    value = rng.uniform(-1.0, 1.0, size=batch)
    x = _marked_first(rng, batch, steps, value, noise=0.5)
    return x, value[:, None], _after_first(batch, steps)


def count(rng: np.random.Generator, batch: int, steps: int) -> Batch:
    """k ~ U{0 … MAX_PULSES} pulses of height 1 at distinct random steps; the class is k."""
    pulses = np.minimum(rng.integers(0, MAX_PULSES + 1, size=batch), steps)
    # The k steps with the smallest of T uniform keys: k distinct random steps, for every row at once.
    keys = rng.random((batch, steps))
    kth = np.sort(keys, axis=1)[np.arange(batch), np.maximum(pulses - 1, 0)]
    x = np.where((keys <= kth[:, None]) & (pulses[:, None] > 0), 1.0, 0.0)[:, :, None]
    return x, pulses.astype(np.float64), x[:, :, 0] == 0.0  # between pulses the count must hold


def latch(rng: np.random.Generator, batch: int, steps: int) -> Batch:
    """Inputs value, store, clear. One store in the first half writes that step's value; in a third
    of the sequences a clear follows it. The value channel is U(−1, 1) at every step."""
    x = np.zeros((batch, steps, 3))
    x[:, :, 0] = rng.uniform(-1.0, 1.0, size=(batch, steps))
    stored = rng.integers(0, max(1, steps // 2), size=batch)
    cleared = rng.random(batch) < 1 / 3
    clear_at = rng.integers(stored + 1, steps + 1)  # == steps: no room left, so no clear
    cleared &= clear_at < steps
    rows = np.arange(batch)
    x[rows, stored, 1] = 1.0
    x[rows[cleared], clear_at[cleared], 2] = 1.0
    y = np.where(cleared, 0.0, x[rows, stored, 0])[:, None]
    t = np.arange(steps)[None, :]
    # After the store, and (if cleared) before the clear: the stored value must ride along.
    hold = (t > stored[:, None]) & ~(cleared[:, None] & (t >= clear_at[:, None]))
    return x, y, hold


TASKS: dict[str, Task] = {
    "sign-memory": Task("sign-memory", 2, 2, "class", 0.95, sign_memory, ("value", "marker")),
    "count": Task("count", 1, MAX_PULSES + 1, "class", 0.95, count, ("pulse",)),
    "latch": Task("latch", 3, 1, "value", 0.9, latch, ("value", "store", "clear"), tolerance=0.2),
    "copy": Task("copy", 2, 1, "value", 0.9, copy_value, ("value", "marker"), tolerance=0.2),
}
