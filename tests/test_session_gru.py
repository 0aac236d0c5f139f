"""A session that runs a GRU: loading a scenario's GRU version or someone's own GRU, its trace and
frames against the engine, its knobs, clamps, gradients and exports, and what a GRU refuses."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from app.encoding import dumps
from app.engine import gru
from app.engine.gru import GRU_QUANTITIES, GRUWeights
from app.engine.gru_backprop import gru_backward
from app.engine.knobs import GRUKnobs, gru_weights
from app.gru_scenarios import get_gru_scenario
from app.messages import ClientMessage
from app.session import Session
from app.updates import State
from app.weights_io import import_layer
from app.wire import decode, encode
from tests.helpers import receive, require_torch

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def sigmoid(value: float) -> float:
    return float(1.0 / (1.0 + np.exp(-value)))


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def gru_session(name: str = "hold-and-release") -> Session:
    session = Session()
    [snapshot] = session.apply([msg(type="load", scenario=name, model="gru", id=1)])
    assert snapshot["type"] == "snapshot"
    return session


def engine_trace(session: Session, knobs: GRUKnobs | None = None) -> gru.GRUTrace:
    """What the engine gives for the session's state, computed here from scratch."""
    state = session.state
    assert isinstance(state.scenario.weights, GRUWeights)
    knobs = knobs or state.knobs  # type: ignore[assignment]
    assert isinstance(knobs, GRUKnobs)
    return gru.run(gru_weights(state.scenario.weights, knobs), state.x, state.h0, knobs.clamp_array())


def error_of(session: Session, **fields: Any) -> dict[str, Any]:
    revision = session.revision
    [reply] = session.apply([msg(**fields)])
    assert reply["type"] == "error" and session.revision == revision, reply
    return reply


# --- loading ------------------------------------------------------------------------------------


def test_loading_a_scenarios_gru_version_snapshots_the_gru_under_its_own_names() -> None:
    session = Session()
    [snapshot] = session.apply([msg(type="load", scenario="hold-and-release", model="gru")])

    scenario = get_gru_scenario("hold-and-release")
    assert snapshot["model"] == {"kind": "gru", "reset_after": True, "custom": False, "parameters": 63,
                                 "weights": None}  # fmt: skip
    assert snapshot["sizes"] == {"T": 40, "D": 2, "H": 3} and "c0" not in snapshot
    assert set(snapshot["trace"]) == set(GRU_QUANTITIES)
    assert set(snapshot["knobs"]) == {"bias_r", "bias_z", "bias_n", "weight_scale", "rnn_scale", "target",
                                      "clamps"}  # fmt: skip
    assert set(snapshot["gradients"]) == {"dL_dh", "dL_dx", "belt"} and snapshot["story"]["first"] == 5
    text = snapshot["scenario"]["text"]
    assert text["en"]["title"] == "Hold and release (GRU)" and text["ko"]["title"] == "붙잡기와 놓기 (GRU)"
    assert snapshot["scenario"]["name"] == "hold-and-release" and snapshot["scenario"]["open_step"] == 5
    expected = gru.run(scenario.weights, scenario.x)
    for name in GRU_QUANTITIES:  # states and gates travel as float32
        np.testing.assert_allclose(snapshot["trace"][name], getattr(expected, name), rtol=1e-6, atol=1e-30)


def test_reset_returns_to_the_gru_and_loading_without_a_model_is_the_lstm_as_before() -> None:
    session = gru_session()
    session.apply([msg(type="set_input", t=5, j=0, value=0.5)])
    [snapshot] = session.apply([msg(type="reset")])
    assert snapshot["model"]["kind"] == "gru" and snapshot["trace"]["h"][5][0] == pytest.approx(
        0.9951, abs=1e-4
    )

    [lstm] = session.apply([msg(type="load", scenario="hold-and-release")])
    assert "kind" not in lstm["model"] and "c0" in lstm and "c" in lstm["trace"]
    assert dumps(lstm) == dumps(Session().snapshot() | {"revision": lstm["revision"], "ack": None})


def test_a_scenario_without_a_gru_version_is_refused_naming_the_model_field() -> None:
    error = error_of(Session(), type="load", scenario="latch", model="gru")
    assert error["field"] == "model" and error["code"] == "no_gru_version"
    assert (
        error["message"]
        == "scenario latch has no GRU version; these have one: hold-and-release, long-memory, gradient-lab"
    )


# --- changes, against the engine ---------------------------------------------------------------


def test_set_input_recomputes_only_the_suffix_and_matches_the_engine() -> None:
    session = gru_session()
    before = session.gru_trace
    [frame] = session.apply([msg(type="set_input", t=5, j=0, value=0.5, id=2)])

    assert frame["type"] == "frame" and frame["start"] == 5 and frame["ack"] == 2
    expected = engine_trace(session)
    for name in GRU_QUANTITIES:
        np.testing.assert_array_equal(getattr(session.gru_trace, name), getattr(expected, name), err_msg=name)
        # every quantity's rows from the move; of the inputs, the one row it changed
        assert len(frame["trace"][name]) == (1 if name == "x" else 35)
    for name in GRU_QUANTITIES:  # the steps before the change are the previous run's, reused
        np.testing.assert_array_equal(getattr(session.gru_trace, name)[:5], getattr(before, name)[:5])
    # The prompt's claim: unit 0 carries the smaller value until the release at step 28.
    h = session.gru_trace.h
    assert 0.89 < h[27, 0] < h[5, 0] < 0.91 and abs(h[28, 0]) < 1e-3


def test_gru_knobs_shift_its_own_gates_and_an_lstms_knob_is_refused() -> None:
    session = gru_session()
    [frame] = session.apply([msg(type="set_knobs", bias_z=-3.0, bias_n=0.5, weight_scale=0.5)])

    assert frame["knobs"]["bias_z"] == -3.0 and frame["knobs"]["weight_scale"] == 0.5
    np.testing.assert_array_equal(session.gru_trace.h, engine_trace(session).h)
    assert session.gru_trace.z[10, 0] == pytest.approx(sigmoid(8.0 - 3.0))  # 0.9933: the hold leaks now
    error = error_of(session, type="set_knobs", bias_f=1.0)
    assert (error["field"], error["code"]) == ("bias_f", "not_a_knob_of_model")
    assert (
        error["message"] == "bias_f is not a knob of this GRU; its gate bias knobs are bias_r, bias_z, bias_n"
    )
    lstm_error = error_of(Session(), type="set_knobs", bias_z=1.0)
    assert lstm_error["params"]["model"] == "LSTM"


def test_clamping_z_to_one_holds_the_belt_and_a_gate_of_the_other_model_is_refused() -> None:
    session = gru_session()
    session.apply([msg(type="set_state", h0=[0.3, -0.2, 0.1])])
    [frame] = session.apply([msg(type="set_clamp", gate="z", unit=0, value=1.0)])

    assert frame["knobs"]["clamps"] == {"r": [None] * 3, "z": [1.0, None, None], "n": [None] * 3}
    np.testing.assert_array_equal(session.gru_trace.h[:, 0], np.full(40, 0.3))  # the signal cannot write
    np.testing.assert_array_equal(session.gru_trace.h, engine_trace(session).h)
    session.apply([msg(type="set_clamp", gate="n", unit=1, value=-0.5)])  # a candidate may be negative
    assert session.gru_trace.n[3, 1] == -0.5
    error = error_of(session, type="set_clamp", gate="f", value=0.5)
    assert (error["field"], error["code"], error["params"]["gates"]) == (
        "gate",
        "not_a_gate_of_model",
        ["r", "z", "n"],
    )
    assert error_of(Session(), type="set_clamp", gate="z", value=0.5)["params"]["model"] == "LSTM"
    with pytest.raises(ValidationError, match="sigmoid"):
        msg(type="set_clamp", gate="z", value=-0.5)


def test_a_gru_has_no_c0_to_set() -> None:
    session = gru_session()
    error = error_of(session, type="set_state", c0=[0.0, 0.0, 0.0])
    assert (error["field"], error["code"]) == ("c0", "gru_has_no_c0")
    [frame] = session.apply([msg(type="set_state", h0=[0.5, 0.5, 0.5])])
    assert frame["h0"].tolist() == [0.5, 0.5, 0.5] and "c0" not in frame


# --- gradients ------------------------------------------------------------------------------------


def test_gradients_are_the_grus_own_with_the_belt_only_product_of_z() -> None:
    session = gru_session("long-memory")
    [frame] = session.apply([msg(type="set_knobs", target=1)])

    state = session.state
    weights = gru_weights(state.scenario.weights, state.knobs)  # type: ignore[arg-type]
    expected = gru_backward(weights, session.gru_trace, target=1)
    for name in ("dL_dh", "dL_dx", "belt"):
        np.testing.assert_array_equal(frame["gradients"][name], getattr(expected, name), err_msg=name)
    trace = session.gru_trace
    np.testing.assert_allclose(frame["gradients"]["belt"][2], np.prod(trace.z[3:], axis=0), rtol=1e-12)
    # The long memory holds: the written value's gradient comes back almost whole along the belt.
    assert frame["gradients"]["belt"][2][1] > 0.99 and frame["gradients"]["dL_dh"][2][1] > 0.99
    assert set(frame["rnn"]) == {"h", "dL_dh", "dL_dx"}


@pytest.mark.torch
def test_the_sessions_gru_with_knobs_matches_torch_nn_gru_and_its_autograd() -> None:
    require_torch()
    import torch

    session = gru_session()
    session.apply([msg(type="set_knobs", bias_r=-1.0, bias_z=-7.0, weight_scale=0.8, target="sum"),
                   msg(type="set_state", h0=[0.2, -0.4, 0.6])])  # fmt: skip
    weights = gru_weights(session.scenario.weights, session.knobs)  # type: ignore[arg-type]
    net = torch.nn.GRU(2, 3, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(net, f"{name}_l0").copy_(torch.from_numpy(getattr(weights, name)))
    xs = torch.from_numpy(session.x.copy()).requires_grad_()
    out, _ = net(xs, torch.from_numpy(session.h0[None].copy()))
    out[-1].sum().backward()

    np.testing.assert_allclose(session.gru_trace.h, out.detach().numpy(), rtol=0, atol=1e-12)
    assert xs.grad is not None
    np.testing.assert_allclose(session.results.gradients.dL_dx, xs.grad.numpy(), rtol=1e-9, atol=1e-12)


# --- someone's own GRU --------------------------------------------------------------------------


def own_gru(rng: np.random.Generator, hidden: int = 2, inputs: int = 3) -> dict[str, Any]:
    rows = 3 * hidden
    return {
        "weight_ih": rng.uniform(-1, 1, (rows, inputs)).tolist(),
        "weight_hh": rng.uniform(-1, 1, (rows, hidden)).tolist(),
        "bias_ih": rng.uniform(-1, 1, rows).tolist(),
        "bias_hh": rng.uniform(-1, 1, rows).tolist(),
    }


@pytest.mark.parametrize("reset_after", [True, False])
def test_restore_with_gru_weights_runs_that_gru_and_echoes_it(reset_after: bool) -> None:
    weights = own_gru(np.random.default_rng(3))
    x = np.random.default_rng(4).standard_normal((12, 3))
    session = Session()
    [snapshot] = session.apply([msg(type="restore", model="gru", weights=weights, reset_after=reset_after,
                                    x=x.tolist(), clamps={"z": [None, 0.5]})])  # fmt: skip

    assert snapshot["model"]["kind"] == "gru" and snapshot["model"]["reset_after"] is reset_after
    assert snapshot["model"]["custom"] and snapshot["scenario"]["text"]["ko"]["title"] == "내 GRU"
    np.testing.assert_array_equal(snapshot["model"]["weights"]["weight_hh"], weights["weight_hh"])
    layer = GRUWeights(**{k: np.asarray(v) for k, v in weights.items()}, reset_after=reset_after)
    clamp = np.full((3, 2), np.nan)
    clamp[1, 1] = 0.5
    np.testing.assert_array_equal(session.gru_trace.h, gru.run(layer, x, clamp=clamp).h)


FOUR_ROWS = {"weight_ih": [[1.0]] * 4, "weight_hh": [[1.0]] * 4, "bias_ih": [0.0] * 4, "bias_hh": [0.0] * 4}
RESTORE_LSTM = {"scenario": "long-memory"}
RESTORE_GRU = {"scenario": "long-memory", "model": "gru"}


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        (RESTORE_GRU | {"c0": [0.0, 0.0]}, "c0", "gru_has_no_c0"),
        (RESTORE_GRU | {"clamps": {"f": [1.0, 1.0]}}, "clamps.f", "not_a_gate_of_model"),
        (RESTORE_LSTM | {"reset_after": False}, "reset_after", "reset_after_is_for_gru"),
        (RESTORE_GRU | {"reset_after": False}, "reset_after", "reset_after_needs_weights"),
        ({"scenario": "counter", "model": "gru"}, "model", "no_gru_version"),
        ({"model": "gru", "weights": FOUR_ROWS}, "weights", "gru_weight_ih_rows"),
    ],
)  # fmt: skip
def test_a_restore_that_does_not_fit_a_gru_is_refused_naming_the_field(
    fields: dict[str, Any], field: str, code: str
) -> None:
    error = error_of(Session(), type="restore", **fields)
    assert (error["field"], error["code"]) == (field, code), error


# --- exports and the wire -----------------------------------------------------------------------


def test_trace_exports_carry_the_grus_quantities_and_gradients() -> None:
    session = gru_session()
    session.apply([msg(type="set_input", t=3, j=0, value=0.7)])
    csv_reply, json_reply = session.apply([msg(type="export", format="trace.csv"),
                                           msg(type="export", format="trace.json")])  # fmt: skip

    rows = list(csv.DictReader(io.StringIO(csv_reply["content"])))
    assert len(rows) == 40 * 3 and "c" not in rows[0] and "dL_dc" not in rows[0]
    row = rows[3 * 3 + 1]  # step 3, unit 1
    assert (
        float(row["z"]) == session.gru_trace.z[3, 1]
        and float(row["belt"]) == session.results.gradients.belt[3, 1]
    )
    data = json.loads(json_reply["content"])
    assert set(data) == set(GRU_QUANTITIES) | {"dL_dh", "dL_dx", "belt"}
    np.testing.assert_array_equal(data["h"], session.gru_trace.h)


@pytest.mark.parametrize("reset_after", [True, False])
def test_exported_gru_weights_reimport_with_the_knobs_applied_and_rerun_the_trace(reset_after: bool) -> None:
    session = Session()
    weights = own_gru(np.random.default_rng(5))
    session.apply([msg(type="restore", model="gru", weights=weights, reset_after=reset_after),
                   msg(type="set_knobs", bias_n=0.25, weight_scale=1.5)])  # fmt: skip
    [reply] = session.apply([msg(type="export", format="weights.npz")])

    found = import_layer(base64.b64decode(reply["content"]), reply["filename"], model="gru")
    assert isinstance(found.weights, GRUWeights) and found.weights.reset_after is reset_after
    np.testing.assert_allclose(
        gru.run(found.weights, session.x).h, session.gru_trace.h, rtol=1e-13, atol=1e-14
    )


def test_a_gru_snapshot_travels_in_the_binary_encoding_and_over_the_socket(client: TestClient) -> None:
    snapshot = gru_session().snapshot()
    decoded = decode(encode(snapshot))
    assert decoded["model"]["kind"] == "gru"
    np.testing.assert_array_equal(decoded["trace"]["z"], snapshot["trace"]["z"])

    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_text(json.dumps({"type": "load", "scenario": "long-memory", "model": "gru", "id": 1}))
        reply = receive(ws)
        ws.send_text(json.dumps({"type": "set_input", "t": 2, "j": 0, "value": 0.5, "id": 2}))
        frame = receive(ws)
    assert reply["type"] == "snapshot" and reply["model"]["kind"] == "gru" and reply["ack"] == 1
    assert frame["type"] == "frame" and frame["start"] == 2
    written = (1 - sigmoid(10.0 - 20.0)) * np.tanh(1.0)  # z = σ(10 − 40·0.5) lets n = tanh(2·0.5) in
    assert frame["trace"]["h"][-1][0] == pytest.approx(written * sigmoid(10.0) ** 117, rel=1e-6)


def test_a_gru_states_c0_stays_zero_and_unused() -> None:
    state = State.start(get_gru_scenario("long-memory"))
    assert not state.c0.any() and state.scenario.kind == "gru"


def test_views_choose_the_grus_units_and_open_its_gradients_on_demand() -> None:
    session = gru_session()
    [snapshot] = session.apply([msg(type="views", shown=["belt"], units=[2])])
    assert snapshot["units"] == [2] and "gradients" not in snapshot
    np.testing.assert_array_equal(snapshot["trace"]["z"], session.gru_trace.z[:, [2]].astype(np.float32))
    assert len(snapshot["trace"]["x"][0]) == 2  # x stays whole

    [frame] = session.apply([msg(type="views", shown=["belt", "gradients"], units=[2])])
    carried = {"dL_dh", "dL_dx", "belt", "dL_dh_norm", "belt_max"}
    assert frame["start"] == 40 and set(frame["gradients"]) == carried
    # the unit's columns, and what a chart of every unit draws, over every unit
    weights = gru_weights(session.scenario.weights, session.knobs)  # type: ignore[arg-type]
    gradients = gru_backward(weights, session.gru_trace)
    np.testing.assert_allclose(frame["gradients"]["dL_dh"], gradients.dL_dh[:, [2]], atol=1e-12)
    norm = np.linalg.norm(gradients.dL_dh, axis=1)
    np.testing.assert_allclose(frame["gradients"]["dL_dh_norm"], norm, atol=1e-12)
    np.testing.assert_allclose(frame["gradients"]["belt_max"], gradients.belt.max(axis=1), atol=1e-12)
