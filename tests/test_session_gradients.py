"""Knobs (gate bias shifts, weight scale, RNN foil) and the gradients a session streams."""

import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.engine import rnn
from app.engine.backprop import lstm_backward, rnn_backward
from app.engine.knobs import Knobs, lstm_weights, rnn_weights
from app.engine.lstm import LSTMWeights, run
from app.messages import ClientMessage
from app.scenarios import get_scenario
from app.session import Session

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def test_forget_bias_knob_adds_to_the_forget_gate_bias_only() -> None:
    base = get_scenario("random-init").weights
    shifted = lstm_weights(base, Knobs(bias_f=2.5))
    hidden = base.hidden_size
    delta = shifted.bias_ih - base.bias_ih
    np.testing.assert_allclose(delta[hidden : 2 * hidden], 2.5)
    np.testing.assert_allclose(np.delete(delta, np.s_[hidden : 2 * hidden]), 0.0)
    np.testing.assert_array_equal(shifted.bias_hh, base.bias_hh)


def test_snapshot_carries_lstm_and_rnn_gradients_from_the_engine() -> None:
    session = Session("long-memory")
    snapshot = session.snapshot()

    scenario = get_scenario("long-memory")
    trace = run(scenario.weights, scenario.x)
    expected = lstm_backward(scenario.weights, trace)
    foil = rnn_weights(scenario.weights, Knobs())
    foil_trace = rnn.run(foil, scenario.x)
    foil_expected = rnn_backward(foil, foil_trace)
    for name in ("dL_dc", "dL_dh", "dL_dx", "belt"):
        np.testing.assert_allclose(snapshot["gradients"][name], getattr(expected, name), atol=1e-12)
    np.testing.assert_allclose(snapshot["rnn"]["h"], foil_trace.h, atol=1e-12)
    np.testing.assert_allclose(snapshot["rnn"]["dL_dh"], foil_expected.dL_dh, atol=1e-12)
    assert snapshot["knobs"] == {
        "bias_i": 0.0, "bias_f": 0.0, "bias_g": 0.0, "bias_o": 0.0,
        "weight_scale": 1.0, "rnn_scale": 1.0, "target": "sum", "clamps": {},
    }  # fmt: skip


def test_memory_race_lstm_belt_holds_the_pulse_while_the_rnn_fades() -> None:
    snapshot = Session("long-memory").snapshot()
    c = np.asarray(snapshot["trace"]["c"])[:, 0]
    rnn_h = np.asarray(snapshot["rnn"]["h"])[:, 0]
    assert abs(c[-1]) > 0.9 * abs(c[3])
    assert abs(rnn_h[-1]) < 0.25 * abs(rnn_h[3])


def test_closing_the_belt_makes_the_lstm_gradient_decay() -> None:
    open_belt = Session("long-memory")
    closed_belt = Session("long-memory")
    [frame] = closed_belt.apply([msg(type="set_knobs", bias_f=-10.0)])

    open_norm = np.linalg.norm(open_belt.snapshot()["gradients"]["dL_dc"], axis=1)
    closed_norm = np.linalg.norm(frame["gradients"]["dL_dc"], axis=1)
    assert open_norm[0] > 0.5 * open_norm[-1]  # flat: the belt carries it all the way back
    assert closed_norm[0] < 1e-6 * closed_norm[-1]  # f ≈ 0.5 at every step: halves per step


def test_set_knobs_recomputes_from_step_zero_and_keeps_the_rest() -> None:
    session = Session()
    session.apply([msg(type="set_input", t=3, j=0, value=0.5)])
    [frame] = session.apply([msg(type="set_knobs", bias_o=1.0, weight_scale=0.5, id=4)])

    scenario = get_scenario("hold-and-release")
    x = scenario.x.copy()
    x[3, 0] = 0.5
    weights = lstm_weights(scenario.weights, Knobs(bias_o=1.0, weight_scale=0.5))
    expected = run(weights, x)
    assert frame["type"] == "frame" and frame["start"] == 0 and frame["ack"] == 4
    assert frame["knobs"]["bias_o"] == 1.0 and frame["knobs"]["bias_f"] == 0.0
    np.testing.assert_allclose(frame["trace"]["h"], expected.h, atol=1e-12)


def test_target_unit_changes_the_loss() -> None:
    session = Session()
    [frame] = session.apply([msg(type="set_knobs", target=2)])
    scenario = get_scenario("hold-and-release")
    expected = lstm_backward(scenario.weights, run(scenario.weights, scenario.x), target=2)
    np.testing.assert_allclose(frame["gradients"]["dL_dh"], expected.dL_dh, atol=1e-12)
    np.testing.assert_allclose(frame["gradients"]["dL_dh"][-1], [0.0, 0.0, 1.0])


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"target": 3}, "target")],
)
def test_out_of_range_target_is_rejected(fields: dict[str, Any], field: str) -> None:
    session = Session()
    [reply] = session.apply([msg(type="set_knobs", **fields)])
    assert reply["type"] == "error" and reply["field"] == field
    assert session.knobs == Knobs() and session.revision == 0


def test_rnn_scale_changes_only_the_rnn() -> None:
    session = Session("long-memory")
    before = session.snapshot()
    [frame] = session.apply([msg(type="set_knobs", rnn_scale=0.5)])
    np.testing.assert_allclose(frame["trace"]["c"], before["trace"]["c"])
    assert np.abs(np.asarray(frame["rnn"]["h"])[-1]).max() < np.abs(np.asarray(before["rnn"]["h"])[-1]).max()


def test_websocket_forget_bias_changes_the_gradient_at_t0_as_the_engine_says(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "load", "scenario": "long-memory"}))
        while (before := json.loads(ws.receive_text()))["type"] != "snapshot" or before["scenario"][
            "name"
        ] != "long-memory":
            pass
        ws.send_text(json.dumps({"type": "set_knobs", "bias_f": -6.0, "id": 7}))
        frame = json.loads(ws.receive_text())

    scenario = get_scenario("long-memory")
    weights: LSTMWeights = lstm_weights(scenario.weights, Knobs(bias_f=-6.0))
    expected = lstm_backward(weights, run(weights, scenario.x))
    assert frame["type"] == "frame" and frame["ack"] == 7
    np.testing.assert_allclose(frame["gradients"]["dL_dc"][0], expected.dL_dc[0], rtol=1e-9, atol=1e-300)
    assert not np.allclose(frame["gradients"]["dL_dc"][0], before["gradients"]["dL_dc"][0])


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"type": "set_knobs", "bias_f": 11}', "bias_f"),
        ('{"type": "set_knobs", "weight_scale": -0.1}', "weight_scale"),
        ('{"type": "set_knobs", "rnn_scale": "1"}', "rnn_scale"),
        ('{"type": "set_knobs", "target": "mean"}', "target"),
        ('{"type": "set_knobs", "bias_x": 1}', "bias_x"),
    ],
)
def test_bad_knob_messages_name_the_field(client: TestClient, text: str, field: str) -> None:
    with client.websocket_connect("/ws") as ws:
        json.loads(ws.receive_text())
        ws.send_text(text)
        error = json.loads(ws.receive_text())
    assert error["type"] == "error" and error["field"] == field
