"""One training run's numbers, one update at a time: parameters, Adam, the data stream, the
held-out batch and the probe sequence. Pure NumPy, no threads (app/training.py runs it in one).

Everything is drawn from generators seeded by `seed` alone, each its own stream, so a reset
replays the same run update for update, whenever progress happens to be measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import batched, gru_batched
from .batched import Adam, Params, loss_and_output_grad
from .gru import GRUWeights
from .lstm import LSTMWeights
from .tasks import TASKS, Task

HELD_OUT = 256  # sequences in the fixed batch accuracy is measured on
# The curriculum: sequences start this long and grow by one step every CURRICULUM_EVERY updates
# up to T. Straight at T = 50 the gradient from the last step barely reaches the first while the
# forget gates are still ≈ σ(1) ≈ 0.73 (0.73⁴⁹ ≈ 10⁻⁷): what the belt is meant to cure has to be
# learned first, on short sequences, where it is learnt in a few dozen updates.
CURRICULUM_FIRST = 5
CURRICULUM_EVERY = 8


@dataclass(frozen=True)
class Hyper:
    """What a learner chooses (app/messages.py validates it)."""

    task: str = "sign-memory"
    model: str = "lstm"  # or "gru": the layer trained (batched.py, gru_batched.py)
    steps: int = 50  # T
    hidden: int = 8  # H
    learning_rate: float = 0.03
    batch: int = 32
    forget_bias: float = 1.0  # added to the keeping gate's bias at initialisation (f; a GRU's z)
    seed: int = 0
    curriculum: bool = True


@dataclass(frozen=True)
class Measure:
    """The model on the held-out batch at full length T."""

    loss: float
    accuracy: float


class Fit:
    def __init__(self, hyper: Hyper) -> None:
        self.hyper = hyper
        self.task: Task = TASKS[hyper.task]
        task = self.task
        init, data, held, probe = (np.random.default_rng([hyper.seed, k]) for k in range(4))
        self.gru = hyper.model == "gru"
        # The same first stream either way, so a seed means the same draws for both layers.
        start = gru_batched.init_params if self.gru else batched.init_params
        self.params: Params = start(init, task.inputs, hyper.hidden, task.outputs, hyper.forget_bias)
        self.adam = Adam.start(self.params)
        self._grads = self.params.like()
        self._data = data
        self.held_x, self.held_y, _ = task.generate(held, HELD_OUT, hyper.steps)
        probe_x, _, probe_hold = task.generate(probe, 1, hyper.steps)
        self.probe_x, self.probe_hold = probe_x[0], probe_hold[0]  # (T, D), (T,)
        self.updates = 0

    def length(self) -> int:
        """This update's sequence length (the curriculum's, or T)."""
        steps = self.hyper.steps
        if not self.hyper.curriculum:
            return steps
        return min(steps, CURRICULUM_FIRST + self.updates // CURRICULUM_EVERY)

    def update(self) -> float:
        """One Adam update on a fresh batch; its loss (before the update)."""
        hyper = self.hyper  # read once: a learner may change lr or batch between updates
        x, y, _ = self.task.generate(self._data, hyper.batch, self.length())
        backprop = gru_batched.loss_and_gradients if self.gru else batched.loss_and_gradients
        loss, _ = backprop(self.params, x, y, self.task.kind, self._grads)
        self.adam.step(self.params, self._grads, hyper.learning_rate)
        self.updates += 1
        return loss

    def measure(self) -> Measure:
        out = (gru_batched.forward if self.gru else batched.forward)(self.params, self.held_x).out
        loss, _ = loss_and_output_grad(out, self.held_y, self.task.kind)
        return Measure(loss, float(self.task.correct(out, self.held_y).mean()))

    def weights(self) -> LSTMWeights | GRUWeights:
        """The layer as it is now (a copy)."""
        return gru_batched.gru_of(self.params) if self.gru else self.params.lstm()


def held_forget(f: np.ndarray, hold: np.ndarray) -> np.ndarray:
    """Each unit's keeping gate (T, H) — the forget gate f, a GRU's update gate z — averaged over
    the steps where the memory must hold (T,);
    NaN-free: with no such step, over every step."""
    rows = f[hold] if hold.any() else f
    return np.asarray(rows.mean(axis=0))
