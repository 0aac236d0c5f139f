"""The trainer thread on its own: slots, progress, halting, budgets, stopping without waiting."""

from __future__ import annotations

import threading
import time
from typing import Any

from app.engine.fit import Fit, Hyper
from app.training import Budget, Slots, Trainer

SMALL = Hyper(steps=20, hidden=4)


def trainer(budget: Budget | None = None, slots: Slots | None = None) -> tuple[Trainer, threading.Event]:
    """A trainer on a small sign-memory model; the event is set whenever it has something ready."""
    ready = threading.Event()
    budget = budget or Budget(10_000, 60.0)
    draw = lambda fit: {"drawn": fit.updates}  # noqa: E731 (what the coach would draw)
    return Trainer(Fit(SMALL), budget, slots or Slots(), draw, ready.set), ready


def wait_for(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_slots_refuse_beyond_the_limit_and_take_again_once_given_back() -> None:
    slots = Slots()
    assert slots.take(2) and slots.take(2) and not slots.take(2)
    slots.give_back()
    assert slots.take(2) and slots.taken == 2


def test_a_running_trainer_posts_progress_and_halts_with_its_thread_joined() -> None:
    running, ready = trainer()
    assert running.start(progress_seconds=0.01, limit=1)
    assert ready.wait(5)
    progress, ended = running.take()
    assert progress is not None and not ended and progress.model == {"drawn": progress.updates}
    running.halt()
    assert not running.running and running.slots.taken == 0
    last, _ = running.take()
    assert last is not None and last.updates == running.fit.updates  # the last word: as it stopped
    time.sleep(0.05)
    assert running.fit.updates == last.updates  # halted means no more updates


def test_the_update_budget_ends_the_thread_by_itself() -> None:
    running, _ = trainer(Budget(updates=7, seconds=60.0))
    running.start(progress_seconds=10.0, limit=1)
    wait_for(lambda: running.take()[1] or False)
    assert running.fit.updates == 7 and running.spent() == "updates" and running.slots.taken == 0
    assert not running.start(progress_seconds=10.0, limit=1)  # nothing left to spend


def test_a_second_trainer_is_refused_when_the_slots_are_taken() -> None:
    slots = Slots()
    first, _ = trainer(slots=slots)
    second, _ = trainer(slots=slots)
    assert first.start(0.05, limit=1) and not second.start(0.05, limit=1)
    first.halt()
    assert second.start(0.05, limit=1)
    second.halt()


def test_stop_returns_at_once_and_the_thread_ends_without_a_last_word() -> None:
    running, _ = trainer()
    running.start(progress_seconds=10.0, limit=1)
    thread = running._thread
    assert thread is not None
    running.stop()
    thread.join(5)
    assert not thread.is_alive() and running.slots.taken == 0
    assert running.take() == (None, False)  # nobody is left to tell
