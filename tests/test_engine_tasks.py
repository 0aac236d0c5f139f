"""The training tasks: what their generators draw, and that each is learnt from the default
settings within the default update budget (the issue's success measures)."""

from __future__ import annotations

import numpy as np
import pytest

from app.config import Settings
from app.engine.fit import Fit, Hyper, held_forget
from app.engine.tasks import MAX_PULSES, TASKS

MEASURE_EVERY = 25  # updates between looks at the held-out accuracy


def test_sign_memory_marks_the_first_step_and_labels_its_sign() -> None:
    x, y, hold = TASKS["sign-memory"].generate(np.random.default_rng(0), 8, 20)
    assert x.shape == (8, 20, 2) and y.shape == (8,) and hold.shape == (8, 20)
    np.testing.assert_array_equal(y, (x[:, 0, 0] > 0).astype(float))
    np.testing.assert_array_equal(x[:, :, 1], np.eye(20)[0][None].repeat(8, axis=0))
    assert not hold[:, 0].any() and hold[:, 1:].all()


def test_count_labels_the_number_of_pulses() -> None:
    x, y, hold = TASKS["count"].generate(np.random.default_rng(1), 64, 30)
    np.testing.assert_array_equal(y, x[:, :, 0].sum(axis=1))
    assert set(np.unique(y)) <= set(range(MAX_PULSES + 1)) and len(np.unique(y)) > 2
    np.testing.assert_array_equal(hold, x[:, :, 0] == 0)


def test_latch_reports_the_stored_value_or_zero_after_a_clear() -> None:
    x, y, hold = TASKS["latch"].generate(np.random.default_rng(2), 300, 40)
    for b in range(300):
        (store,) = np.flatnonzero(x[b, :, 1])
        clears = np.flatnonzero(x[b, :, 2])
        assert store < 20 and all(clear > store for clear in clears)
        assert y[b, 0] == (0.0 if len(clears) else x[b, store, 0])
        assert not hold[b, : store + 1].any()
    cleared = x[:, :, 2].any(axis=1)
    assert 0.2 < cleared.mean() < 0.45  # a third, give or take the draw


def test_copy_asks_for_the_first_value() -> None:
    x, y, _ = TASKS["copy"].generate(np.random.default_rng(3), 16, 12)
    np.testing.assert_array_equal(y[:, 0], x[:, 0, 0])
    assert np.all(np.abs(y) <= 1)


def test_a_reset_replays_the_same_run() -> None:
    runs = [Fit(Hyper(task="count", steps=20, hidden=3, seed=4)) for _ in range(2)]
    losses = [[fit.update() for _ in range(5)] for fit in runs]
    assert losses[0] == losses[1]
    np.testing.assert_array_equal(runs[0].params.flat, runs[1].params.flat)
    other = Fit(Hyper(task="count", steps=20, hidden=3, seed=5))
    assert [other.update() for _ in range(5)] != losses[0]


@pytest.mark.parametrize("task", list(TASKS))
def test_each_task_is_learnt_from_the_defaults_within_the_default_budget(task: str) -> None:
    fit = Fit(Hyper(task=task))
    budget = Settings().training_max_updates
    first = fit.measure()
    measured = first
    while fit.updates < budget and measured.accuracy < TASKS[task].target:
        for _ in range(MEASURE_EVERY):
            fit.update()
        measured = fit.measure()
    assert measured.accuracy >= TASKS[task].target, (task, fit.updates, measured)
    assert measured.loss < first.loss / 2
    assert fit.hyper.steps == 50  # the accuracy is measured at the full length, T = 50


def test_the_sign_memory_model_learns_to_hold_its_forget_gates_open() -> None:
    fit = Fit(Hyper(task="sign-memory"))
    from app.engine import lstm

    def held() -> float:
        weights = fit.weights()
        assert isinstance(weights, lstm.LSTMWeights)
        trace = lstm.run(weights, fit.probe_x)
        return float(held_forget(trace.f, fit.probe_hold).max())

    before = held()
    while fit.measure().accuracy < 0.95:
        for _ in range(MEASURE_EVERY):
            fit.update()
    assert held() > max(before, 0.9)
