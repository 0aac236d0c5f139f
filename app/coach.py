"""One connection's training: the training messages, the trainer's lifetime, and what the session
shows meanwhile (docs/protocol.md, "Training").

A training's model is the session's model: starting one loads its initial weights (a custom
model on the task's probe sequence), and whenever it stops — paused, stepped, finished, reset —
the session adopts the weights it has reached, so the learner can step through them, drag, clamp
and export. While it runs, `progress` messages carry the model as it learns. The web layer calls
`handle` for training messages (off the event loop), `events` whenever the trainer says something
is ready, `end` before a message that replaces the model, and `close` when the connection ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from .config import get_settings
from .engine.fit import Fit, Hyper
from .engine.gru import GRUWeights
from .engine.tasks import TASKS, Task
from .gru_scenarios import gru_training_scenario
from .messages import (
    Train,
    TrainingMessage,
    TrainPause,
    TrainReset,
    TrainResume,
    TrainSet,
    TrainSettings,
    TrainStep,
)
from .scenarios import AnyScenario, training_scenario
from .session import Outgoing, Session, drawing, error_reply
from .training import Budget, Progress, Slots, Trainer, measure


class Coach:
    def __init__(self, session: Session, slots: Slots, notify: Callable[[], None], worker: str = "") -> None:
        self.session, self.slots, self.notify, self.worker = session, slots, notify, worker
        self.trainer: Trainer | None = None

    # --- messages ---------------------------------------------------------------------------------

    def handle(self, message: TrainingMessage) -> list[Outgoing]:
        """The replies to one training message; may block for an update (run it off the loop)."""
        if isinstance(message, Train):
            return self._new(message)
        trainer = self.trainer
        if trainer is None:
            return [error_reply(None, "no_training", {"message": message.type}, message.id)]
        if isinstance(message, TrainSet):
            changes = message.model_dump(include={"learning_rate", "batch"}, exclude_none=True)
            trainer.fit.hyper = replace(trainer.fit.hyper, **changes)  # read at the next update
            trainer.pace = None if message.full_speed else message.pace or trainer.pace
            return [self.status(message.id)]
        if isinstance(message, TrainResume):
            return self._resume(trainer, message.id)
        trainer.halt()
        if isinstance(message, TrainReset):
            return self._start(trainer.fit.hyper, message.id, True, False, trainer.pace)
        if isinstance(message, TrainStep) and trainer.spent() is not None:
            return [self._spent(trainer, message.id)]
        stepped = trainer.step() if isinstance(message, TrainStep) else None
        assert isinstance(message, TrainStep | TrainPause)
        return self._stopped(trainer, message.id, stepped)

    def events(self) -> list[Outgoing]:
        """What the trainer has ready: its latest progress, and if it finished (a budget), the
        status and the session's snapshot of the weights it reached."""
        trainer = self.trainer
        if trainer is None:
            return []
        progress, ended = trainer.take()
        if not ended:
            return [progress.message()] if progress is not None else []
        if trainer.failed:
            self.trainer = None
            return [error_reply(None, "internal_error")]
        return self._stopped(trainer, None, progress)

    def end(self, ack: int | None = None) -> list[Outgoing]:
        """Stop and forget the training at once (the model is being replaced): its status, ended."""
        trainer = self.trainer
        if trainer is None:
            return []
        trainer.halt(last_word=False)
        trainer.take()
        reply = self.status(ack, state="ended")
        self.trainer = None
        return [reply]

    def close(self) -> None:
        """The connection is gone: the thread stops after its update under way (not waited for,
        so closing never holds up the event loop)."""
        if self.trainer is not None:
            self.trainer.stop()
            self.trainer = None

    # --- the steps behind them --------------------------------------------------------------------

    def _new(self, message: Train) -> list[Outgoing]:
        own = self.trainer is not None and self.trainer.running  # ending it frees its slot
        if not message.paused and self.slots.taken - own >= get_settings().max_trainings:
            return [self._busy(message.id)]  # refused before anything has changed
        hyper = Hyper(**message.model_dump(include=set(Hyper.__dataclass_fields__)))
        replies = self.end(message.id)
        return replies + self._start(hyper, message.id, message.paused, True, message.pace)

    def _start(
        self, hyper: Hyper, ack: int | None, paused: bool, fresh: bool, pace: float | None
    ) -> list[Outgoing]:
        """A trainer at update 0 and the session on its initial weights, running unless `paused`."""
        fit = Fit(hyper)
        settings = get_settings()
        budget = Budget(settings.training_max_updates, settings.training_max_seconds)
        self.trainer = Trainer(fit, budget, self.slots, self._describe, self.notify)
        self.trainer.pace = pace
        session = self.session
        snapshot = session.begin(_scenario(fit), ack) if fresh else session.adopt(fit.weights(), ack)
        first = measure(fit, [], 0.0, self._describe).message()
        if paused:
            return [snapshot, first, self.status(ack)]
        return [snapshot, first, *self._resume(self.trainer, ack)]

    def _resume(self, trainer: Trainer, ack: int | None) -> list[Outgoing]:
        if trainer.spent() is not None:
            return [self._spent(trainer, ack)]
        settings = get_settings()
        if not trainer.start(settings.training_progress_seconds, settings.max_trainings):
            return [self._busy(ack)]
        return [self.status(ack)]

    def _stopped(self, trainer: Trainer, ack: int | None, progress: Progress | None = None) -> list[Outgoing]:
        """The trainer has halted: its last progress, its status, the session on its weights."""
        latest, _ = trainer.take()
        progress = progress or latest
        replies = [progress.message()] if progress is not None else []
        return [*replies, self.status(ack), self.session.adopt(trainer.fit.weights(), ack)]

    def _describe(self, fit: Fit) -> dict[str, Any]:
        """The session's inputs, state and views under the training's weights now (any thread: the
        session's state and views are immutable values, read once each)."""
        state, serving = self.session.state, self.session.serving
        return drawing(state, fit.weights(), serving)

    # --- what is said -----------------------------------------------------------------------------

    def status(self, ack: int | None = None, state: str | None = None) -> Outgoing:
        trainer = self.trainer
        assert trainer is not None
        fit = trainer.fit
        if state is None:
            state = "running" if trainer.running else "finished" if trainer.spent() else "paused"
        return {
            "type": "training",
            "ack": ack,
            "state": state,
            "reason": trainer.spent() if state == "finished" else None,
            "updates": fit.updates,
            "seconds": round(trainer.seconds, 3),
            "budget": asdict(trainer.budget),
            "settings": asdict(fit.hyper),
            "pace": trainer.pace,
            "task": task_summary(fit.task),
            "worker": self.worker,
        }

    def _busy(self, ack: int | None) -> Outgoing:
        return error_reply(None, "training_busy", {"limit": get_settings().max_trainings}, ack)

    def _spent(self, trainer: Trainer, ack: int | None) -> Outgoing:
        params = {"updates": trainer.budget.updates, "seconds": trainer.budget.seconds}
        return error_reply(None, "budget_spent", params, ack)


def _scenario(fit: Fit) -> AnyScenario:
    """The training's initial model on the task's probe sequence, of the kind it trains."""
    weights = fit.weights()
    if isinstance(weights, GRUWeights):
        return gru_training_scenario(weights, fit.task, fit.probe_x)
    return training_scenario(weights, fit.task, fit.probe_x)


def task_summary(task: Task) -> dict[str, Any]:
    """What a page shows of a task: its inputs, what it answers and what counts as solved."""
    return {
        "name": task.name,
        "kind": task.kind,
        "inputs": task.inputs,
        "input_names": list(task.input_names),
        "outputs": task.outputs,
        "target": task.target,
        "tolerance": task.tolerance if task.kind == "value" else None,
    }


def menu() -> dict[str, Any]:
    """What a page needs before it starts a training (GET /api/training): every task, every
    setting of the train message with its default and range, the budgets and the cap."""
    settings = get_settings()
    return {
        "tasks": [task_summary(task) for task in TASKS.values()],
        "settings": TrainSettings.model_json_schema()["properties"],
        "budget": {"updates": settings.training_max_updates, "seconds": settings.training_max_seconds},
        "max_trainings": settings.max_trainings,
        "progress_seconds": settings.training_progress_seconds,
    }
