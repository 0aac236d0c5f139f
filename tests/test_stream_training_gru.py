"""Training a GRU (`train` with `"model": "gru"`): the engine's GRU learns every task, the session
shows the GRU as it learns (progress with its update gates) and adopts it when it pauses, as it
does an LSTM, and a model the trainer does not know is refused naming the field."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine import gru
from app.engine.fit import Fit, Hyper, held_forget
from app.engine.gru import GRUWeights
from app.engine.lstm import WEIGHT_NAMES
from app.engine.tasks import TASKS
from app.i18n import problem_text
from tests.helpers import receive, sync
from tests.test_stream_training import SMALL, is_type, no_training_left, status, until

__all__ = ["no_training_left"]  # the autouse fixture: no training thread outlives a test


@pytest.mark.parametrize("task", list(TASKS))
def test_a_gru_learns_every_task_to_its_target(task: str) -> None:
    fit = Fit(Hyper(task=task, model="gru"))
    assert isinstance(fit.weights(), GRUWeights) and fit.weights().weight_hh.shape == (24, 8)
    while fit.updates < 800 and fit.measure().accuracy < fit.task.target:
        for _ in range(25):
            fit.update()
    assert fit.measure().accuracy >= fit.task.target, (task, fit.updates)


def test_the_session_trains_a_gru_and_adopts_it_when_it_pauses(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "model": "gru", "paused": True, "seed": 3, **SMALL})
        initial = until(ws, status("paused"))
        ws.send_json({"type": "train_step", "id": 4})
        stepped = until(ws, is_type("snapshot"))
    snapshot, first, training = initial
    assert snapshot["model"]["kind"] == "gru" and snapshot["model"]["custom"] is True
    assert training["settings"]["model"] == "gru" and "c0" not in snapshot and "z" in snapshot["trace"]
    # The same run, here: the weights of update 0 and of update 1 are the engine's.
    fit = Fit(Hyper(model="gru", seed=3, steps=SMALL["steps"], hidden=SMALL["hidden"]))
    for name in WEIGHT_NAMES:
        np.testing.assert_array_equal(snapshot["model"]["weights"][name], getattr(fit.weights(), name))
    weights = fit.weights()
    assert isinstance(weights, GRUWeights)
    probe = gru.run(weights, fit.probe_x)
    np.testing.assert_allclose(first["forget"], held_forget(probe.z, fit.probe_hold), rtol=1e-12)
    np.testing.assert_allclose(first["trace"]["h"], probe.h, atol=1e-6)  # float32 on the wire
    fit.update()
    progress, paused, adopted = stepped
    assert progress["updates"] == 1 and paused["state"] == "paused" and adopted["model"]["kind"] == "gru"
    assert progress["loss"] == pytest.approx(fit.measure().loss, rel=1e-12)
    for name in WEIGHT_NAMES:
        np.testing.assert_array_equal(adopted["model"]["weights"][name], getattr(fit.weights(), name))
    assert adopted["story"]["gradients"]["all"]  # a GRU's captions, like any GRU session's


def test_a_model_the_trainer_does_not_know_is_refused_naming_the_field(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "model": "rnn", "id": 9})
        error: dict[str, Any] = receive(ws)
        after = sync(ws)
    assert error["type"] == "error" and error["field"] == "model" and error["ack"] == 9
    assert error["code"] == "literal_error" and error["params"] == {"expected": ["lstm", "gru"]}
    assert problem_text(error["code"], error["params"], "en") == "must be 'lstm' or 'gru'"
    assert "'lstm' 또는 'gru'" in problem_text(error["code"], error["params"], "ko")
    assert after["model"]["custom"] is False  # nothing started: the session is as it was
