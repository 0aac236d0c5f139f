"""export: the current trace and weights as files, exactly what the session shows."""

import base64
import csv
import io
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.engine.backprop import LSTMGradients
from app.engine.knobs import Knobs, lstm_weights
from app.engine.lstm import WEIGHT_NAMES, LSTMWeights, run
from app.messages import ClientMessage
from app.scenarios import get_scenario
from app.session import Session
from app.weights_io import import_layer
from tests.helpers import receive

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def lstm_gradients(session: Session) -> LSTMGradients:
    gradients = session.results.gradients
    assert isinstance(gradients, LSTMGradients)
    return gradients


def edited_session() -> Session:
    session = Session()
    session.apply([msg(type="set_input", t=3, j=0, value=1.25), msg(type="set_knobs", bias_f=-0.5)])
    return session


def test_trace_csv_has_one_row_per_step_and_unit_with_the_sessions_numbers() -> None:
    session = edited_session()
    [reply] = session.apply([msg(type="export", format="trace.csv", id=4)])

    assert reply["type"] == "file" and reply["ack"] == 4 and reply["encoding"] == "text"
    assert reply["filename"].endswith(".csv") and reply["media_type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(reply["content"])))
    assert len(rows) == 40 * 3
    for row in rows[::7]:
        t, unit = int(row["step"]), int(row["unit"])
        assert float(row["c"]) == session.trace.c[t, unit] and float(row["f"]) == session.trace.f[t, unit]
        assert float(row["x0"]) == session.x[t, 0]
        assert float(row["dL_dc"]) == lstm_gradients(session).dL_dc[t, unit]


def test_trace_json_holds_every_quantity_and_gradient() -> None:
    session = edited_session()
    [reply] = session.apply([msg(type="export", format="trace.json")])
    data = json.loads(reply["content"])
    np.testing.assert_array_equal(data["h"], session.trace.h)
    np.testing.assert_array_equal(data["dL_dc"], lstm_gradients(session).dL_dc)


@pytest.mark.parametrize("fmt", ["weights.npz", "weights.safetensors"])
def test_exported_weights_reimport_to_the_knob_adjusted_weights_and_rerun_the_trace(fmt: str) -> None:
    session = edited_session()
    [reply] = session.apply([msg(type="export", format=fmt)])

    raw = base64.b64decode(reply["content"])
    imported = import_layer(raw, reply["filename"]).weights
    assert isinstance(imported, LSTMWeights)  # an LSTM's export imports as an LSTM
    expected = lstm_weights(get_scenario("hold-and-release").weights, Knobs(bias_f=-0.5))
    for name in WEIGHT_NAMES:
        np.testing.assert_array_equal(getattr(imported, name), getattr(expected, name))
    np.testing.assert_allclose(run(imported, session.x).c, session.trace.c, atol=1e-12)


def test_an_export_changes_nothing_and_comes_after_the_batchs_changes() -> None:
    session = Session()
    replies = session.apply(
        [msg(type="export", format="trace.json"), msg(type="set_input", t=0, j=0, value=2.0)]
    )
    assert [r["type"] for r in replies] == ["frame", "file"]
    assert json.loads(replies[1]["content"])["x"][0][0] == 2.0
    [again] = session.apply([msg(type="export", format="trace.json")])
    assert session.revision == 1 and again["type"] == "file"


def test_an_unknown_format_is_refused_on_the_socket(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_text(json.dumps({"type": "export", "format": "weights.pt"}))
        error = receive(ws)
    assert error["type"] == "error" and error["field"] == "format"
