"""A training running in a thread of its own, off the event loop, with its budget and its progress.

The thread only runs updates (app/engine/fit.py) and, at least every `progress_seconds`, measures
the model and builds a progress message; it never touches a Session or the socket. The owner
(app/coach.py) starts and halts it, and takes the latest progress when told one is ready.

Fairness: each training may spend `max_updates` updates and `max_seconds` of running time, and
`Slots` caps how many run at once in this process (a running training holds a slot; a paused one
holds none, since it costs nothing).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .engine import gru, lstm
from .engine.fit import Fit, held_forget
from .engine.gru import GRUWeights

log = logging.getLogger(__name__)
Reason = Literal["updates", "seconds"]  # why a training finished: which budget it spent


class Slots:
    """How many trainings run at once in this process (thread-safe); the limit is the caller's
    (settings.max_trainings, read when asked, so a test can change it)."""

    def __init__(self) -> None:
        self.taken = 0
        self._lock = threading.Lock()

    def take(self, limit: int) -> bool:
        with self._lock:
            if self.taken >= limit:
                return False
            self.taken += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.taken -= 1


@dataclass(frozen=True)
class Budget:
    updates: int
    seconds: float


@dataclass(frozen=True)
class Progress:
    """One measurement of the model as it learns, `model` drawn by the owner's `describe`."""

    updates: int
    length: int  # the sequence length of the last update (the curriculum's)
    train_loss: float  # mean over the updates since the previous progress
    loss: float  # on the held-out batch, at full length
    accuracy: float  # on the held-out batch
    forget: np.ndarray  # (H,) the probe's forget gate (a GRU's z), mean over the steps that must hold
    seconds: float  # running time so far
    model: dict[str, Any]  # the probe's trace (and gradients) under the weights of `updates`

    def message(self) -> dict[str, Any]:
        return {
            "type": "progress",
            "updates": self.updates,
            "length": self.length,
            "train_loss": self.train_loss,
            "loss": self.loss,
            "accuracy": self.accuracy,
            "forget": self.forget,
            "seconds": round(self.seconds, 3),
            **self.model,
        }


# The owner's hook: the probe's trace and gradients under the given weights, as message fields.
Describe = Callable[[Fit], dict[str, Any]]


def measure(fit: Fit, losses: list[float], seconds: float, describe: Describe) -> Progress:
    """The model now: held-out loss and accuracy, the probe's held forget gates, its drawing."""
    held = fit.measure()
    weights = fit.weights()
    # The gate that keeps the belt: an LSTM's f, a GRU's z.
    keep = (
        gru.run(weights, fit.probe_x).z
        if isinstance(weights, GRUWeights)
        else lstm.run(weights, fit.probe_x).f
    )
    return Progress(
        updates=fit.updates,
        length=fit.length(),
        train_loss=float(np.mean(losses)) if losses else held.loss,
        loss=held.loss,
        accuracy=held.accuracy,
        forget=held_forget(keep, fit.probe_hold),
        seconds=seconds,
        model=describe(fit),
    )


class Trainer:
    """Runs `fit` in a thread between `start` and `halt`; `notify` (any thread) says a progress
    or the end is ready to be taken."""

    def __init__(
        self, fit: Fit, budget: Budget, slots: Slots, describe: Describe, notify: Callable[[], None]
    ) -> None:
        self.fit, self.budget, self.slots = fit, budget, slots
        self.describe, self.notify = describe, notify
        self.seconds = 0.0  # running time spent, over every start
        self.failed = False  # an update raised (a bug): logged, and the owner is told
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._latest: Progress | None = None
        self._ended = False  # the thread stopped by itself (a budget): the owner has to know
        self._last_word = True  # measure the model once more as the thread stops
        # At most this many updates per second (None: as fast as it goes). Sign memory is learnt in
        # a tenth of a second at full speed; a learner who wants to watch it happen slows it down.
        self.pace: float | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def spent(self) -> Reason | None:
        """Which budget is used up, if any."""
        if self.fit.updates >= self.budget.updates:
            return "updates"
        if self.seconds >= self.budget.seconds:
            return "seconds"
        return None

    def start(self, progress_seconds: float, limit: int) -> bool:
        """Run until halted or out of budget; False if `limit` trainings run already or the budget
        is spent (nothing started). Already running: True."""
        if self.running:
            return True
        if self.spent() is not None or not self.slots.take(limit):
            return False
        self._halt.clear()
        self._thread = threading.Thread(
            target=self._run, args=(progress_seconds,), name="training", daemon=True
        )
        self._thread.start()
        return True

    def halt(self, last_word: bool = True) -> None:
        """Stop after the update under way and wait for the thread (one update: milliseconds to a
        tenth of a second). Without `last_word` (the training is being dropped) it skips measuring
        the model as it stops."""
        thread = self._thread
        if thread is None:
            return
        self._last_word = last_word
        self._halt.set()
        thread.join()
        self._thread = None

    def stop(self) -> None:
        """Halt without waiting and without a last word: the thread ends after the update under
        way (milliseconds to a tenth of a second) and gives its slot back itself."""
        self._last_word = False
        self._halt.set()

    def step(self) -> Progress:
        """One update while halted (the caller runs it off the event loop), and its progress."""
        assert not self.running, "halt the training before stepping it"
        started = time.perf_counter()
        loss = self.fit.update()
        self.seconds += time.perf_counter() - started
        return measure(self.fit, [loss], self.seconds, self.describe)

    def take(self) -> tuple[Progress | None, bool]:
        """The latest progress not yet taken, and whether the thread has ended by itself since."""
        with self._lock:
            latest, ended = self._latest, self._ended
            self._latest, self._ended = None, False
        if ended and self._thread is not None:
            self._thread.join()
            self._thread = None
        return latest, ended

    def _run(self, progress_seconds: float) -> None:
        losses: list[float] = []
        began = last = time.perf_counter()
        base, done = self.seconds, 0
        try:
            while not self._halt.is_set() and self.spent() is None:
                losses.append(self.fit.update())
                done += 1
                self._keep_pace(began, done)
                now = time.perf_counter()
                self.seconds = base + now - began
                if now - last >= progress_seconds:
                    # Counted from this measurement's start, so measuring does not stretch the gap.
                    last = now
                    self._post(measure(self.fit, losses, self.seconds, self.describe))
                    losses = []
            halted = self._halt.is_set()
            if halted and not self._last_word:
                return
            # The last word: the model as it stops (a pause shows exactly the weights it adopts).
            self._post(measure(self.fit, losses, self.seconds, self.describe), ended=not halted)
        except Exception:
            log.exception("training failed")
            self.failed = True
            self._post(None, ended=True)
        finally:
            self.slots.give_back()

    def _keep_pace(self, began: float, done: int) -> None:
        """Wait (halting cuts it short) until `done` updates since `began` are within the pace."""
        pace = self.pace  # read once: the owner may change it meanwhile
        if pace is not None:
            self._halt.wait(began + done / pace - time.perf_counter())

    def _post(self, progress: Progress | None, ended: bool = False) -> None:
        with self._lock:
            # An older progress not yet taken is superseded: the page wants the model as it is now.
            self._latest = progress if progress is not None else self._latest
            self._ended = self._ended or ended
        self.notify()
