"""restore: a whole state in one message (a shared link or a reconnect), checked before applied."""

import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.engine.knobs import Knobs, lstm_weights
from app.engine.lstm import QUANTITIES, LSTMWeights, run
from app.messages import ClientMessage
from app.scenarios import get_scenario
from app.session import Session

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def custom_weights(seed: int = 0, hidden: int = 3, inputs: int = 2) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {
        "weight_ih": rng.uniform(-1, 1, (4 * hidden, inputs)).tolist(),
        "weight_hh": rng.uniform(-1, 1, (4 * hidden, hidden)).tolist(),
        "bias_ih": rng.uniform(-1, 1, 4 * hidden).tolist(),
        "bias_hh": rng.uniform(-1, 1, 4 * hidden).tolist(),
    }


def test_restoring_a_preset_with_everything_set_equals_the_engine() -> None:
    x = np.random.default_rng(1).uniform(-1, 1, (25, 2))
    session = Session("latch")
    [snapshot] = session.apply(
        [
            msg(
                type="restore",
                scenario="hold-and-release",
                x=x.tolist(),
                h0=[0.1, 0.2, 0.3],
                c0=[1.0, -1.0, 0.5],
                knobs={"bias_f": -1.5, "weight_scale": 0.8, "target": 1},
                clamps={"o": [None, 1.0, None]},
                id=3,
            )
        ]
    )

    scenario = get_scenario("hold-and-release")
    clamp = np.full((4, 3), np.nan)
    clamp[3, 1] = 1.0
    weights = lstm_weights(scenario.weights, Knobs(bias_f=-1.5, weight_scale=0.8))
    expected = run(weights, x, np.array([0.1, 0.2, 0.3]), np.array([1.0, -1.0, 0.5]), clamp)
    assert snapshot["type"] == "snapshot" and snapshot["ack"] == 3 and snapshot["sizes"]["T"] == 25
    assert snapshot["scenario"]["name"] == "hold-and-release" and snapshot["knobs"]["target"] == 1
    assert snapshot["knobs"]["clamps"]["o"] == [None, 1.0, None]
    for name in QUANTITIES:
        np.testing.assert_allclose(snapshot["trace"][name], getattr(expected, name), atol=1e-12)


def test_restoring_custom_weights_runs_them_and_echoes_them_for_sharing() -> None:
    weights = custom_weights(hidden=3, inputs=2)
    x = np.random.default_rng(2).standard_normal((30, 2))
    session = Session()
    [snapshot] = session.apply([msg(type="restore", weights=weights, x=x.tolist(), title="My LSTM")])

    expected = run(LSTMWeights(**{k: np.array(v) for k, v in weights.items()}), x)
    assert snapshot["scenario"]["name"] == "custom" and snapshot["scenario"]["title"] == "My LSTM"
    assert snapshot["model"]["custom"] and snapshot["model"]["parameters"] == 12 * 2 + 12 * 3 + 24
    np.testing.assert_allclose(snapshot["model"]["weights"]["weight_hh"], weights["weight_hh"])
    np.testing.assert_allclose(snapshot["trace"]["h"], expected.h, atol=1e-12)
    # reset goes back to the custom model's own start (zeros in), not to a preset
    [reset] = session.apply([msg(type="reset")])
    assert reset["scenario"]["name"] == "custom" and np.all(np.asarray(reset["trace"]["x"]) == 0)


def test_preset_models_are_not_echoed() -> None:
    model = Session().snapshot()["model"]
    assert model == {"custom": False, "parameters": 12 * 2 + 12 * 3 + 24, "weights": None}


def bad_restores() -> list[tuple[dict[str, Any], str]]:
    ragged = custom_weights()
    ragged["weight_hh"] = ragged["weight_hh"][:5]
    return [
        ({"scenario": "nope"}, "scenario"),
        ({"weights": ragged}, "weights"),
        ({"x": [[0.0, 0.0, 0.0]]}, "x"),
        ({"h0": [0.0]}, "h0"),
        ({"c0": [0.0, 0.0]}, "c0"),
        ({"knobs": {"target": 3}}, "target"),
        ({"clamps": {"f": [1.0, 1.0]}}, "clamps.f"),
        ({"weights": custom_weights(hidden=2), "h0": [0.0, 0.0, 0.0]}, "h0"),
    ]


@pytest.mark.parametrize(("fields", "field"), bad_restores())
def test_a_bad_restore_names_its_field_and_changes_nothing(fields: dict[str, Any], field: str) -> None:
    session = Session()
    session.apply([msg(type="set_input", t=1, j=0, value=0.5)])
    before_x, before_revision = session.x.copy(), session.revision

    [reply] = session.apply([msg(type="restore", **fields, id=8)])

    assert reply["type"] == "error" and reply["field"] == field and reply["ack"] == 8, reply
    np.testing.assert_array_equal(session.x, before_x)
    assert session.revision == before_revision and session.scenario.name == "hold-and-release"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"type": "restore", "clamps": {"f": [-0.5, null, null]}}', "clamps"),
        ('{"type": "restore", "clamps": {"q": [0.5, null, null]}}', "clamps.q"),
        ('{"type": "restore", "knobs": {"bias_f": 99}}', "knobs.bias_f"),
        ('{"type": "restore", "title": "' + "x" * 100 + '"}', "title"),
        ('{"type": "restore", "x": [[1, 2], [3]]}', "x"),
    ],
)
def test_malformed_restores_are_rejected_on_the_socket(client: TestClient, text: str, field: str) -> None:
    with client.websocket_connect("/ws") as ws:
        json.loads(ws.receive_text())
        ws.send_text(text)
        error = json.loads(ws.receive_text())
    assert error["type"] == "error" and error["field"].startswith(field), error


def test_weights_that_do_not_fit_together_are_refused_with_a_code_the_page_can_translate() -> None:
    from app.i18n import problem_text

    session = Session()
    rng = np.random.default_rng(0)
    weights = {
        "weight_ih": rng.uniform(-1, 1, (8, 2)).tolist(),
        "weight_hh": rng.uniform(-1, 1, (8, 2)).tolist(),
        "bias_ih": [0.0] * 8,
        "bias_hh": [0.0] * 7,  # one short
    }
    [reply] = session.apply([msg(type="restore", weights=weights, id=3)])

    assert reply["type"] == "error" and reply["field"] == "weights.bias_hh" and reply["ack"] == 3, reply
    assert reply["code"] == "bias_length", reply
    assert reply["params"] == {"field": "weights.bias_hh", "length": 7, "hidden": 2, "expected": 8}
    assert problem_text(reply["code"], reply["params"], "ko") != problem_text(reply["code"], reply["params"])
    assert session.scenario.name == "hold-and-release"
