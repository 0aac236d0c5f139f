"""The bad-input battery: every message a careless or hostile client might send over the socket.

Each one must get an error that names the problem (the field, where there is one), carry no
stack trace or server path, leave the session's state exactly as it was, and leave the
connection usable. More bad input is covered where it belongs: REST bodies in test_api*.py,
uploads in test_weights_io.py / test_inputs_io.py / test_api_files.py, limits in test_security.py.
"""

import json

import pytest
from fastapi.testclient import TestClient

from tests.helpers import receive, sync

BIG = "1e308"
NESTED = "[" * 5000 + "]" * 5000
# One row where an LSTM needs 4H: valid JSON and types, an impossible shape.
ONE_ROW_WEIGHTS = {"weight_ih": [[1.0]], "weight_hh": [[1.0]], "bias_ih": [0.0], "bias_hh": [0.0]}

# (raw text, the field the error must name; None where the whole frame is unusable)
BATTERY: list[tuple[str, str | None]] = [
    # not a usable JSON object
    ("not json", None),
    ("", None),
    ("{", None),
    ('{"type": "set_input", "t": 1, "j": 0, "value": NaN}', None),
    ('{"type": "set_input", "t": 1, "j": 0, "value": Infinity}', None),
    ('{"type": "set_input", "t": 1, "j": 0, "value": -Infinity}', None),
    (NESTED, None),
    ('{"type": "set_sequence", "x": ' + NESTED + "}", None),
    ("[1, 2, 3]", "message"),
    ('"set_input"', "message"),
    ("null", "message"),
    ("42", "message"),
    # unknown or missing type
    ('{"type": "teleport"}', "type"),
    ('{"type": ""}', "type"),
    ('{"type": 7}', "type"),
    ('{"t": 1}', "type"),
    ('{"type": "SET_INPUT", "t": 1, "j": 0, "value": 1}', "type"),
    # missing and extra fields
    ('{"type": "set_input", "t": 1, "j": 0}', "value"),
    ('{"type": "set_input", "j": 0, "value": 1}', "t"),
    ('{"type": "set_input", "t": 1, "j": 0, "value": 1, "extra": 2}', "extra"),
    ('{"type": "load"}', "scenario"),
    ('{"type": "reset", "scenario": "latch"}', "scenario"),
    ('{"type": "set_input", "t": 1, "j": 0, "value": 1, "id": "seven"}', "id"),
    # wrong types: strings, bools, floats where integers go
    ('{"type": "set_input", "t": "1", "j": 0, "value": 1}', "t"),
    ('{"type": "set_input", "t": 1.5, "j": 0, "value": 1}', "t"),
    ('{"type": "set_input", "t": true, "j": 0, "value": 1}', "t"),
    ('{"type": "set_input", "t": 1, "j": 0, "value": "big"}', "value"),
    ('{"type": "set_input", "t": 1, "j": 0, "value": "1.5"}', "value"),
    ('{"type": "set_input", "t": 1, "j": 0, "value": false}', "value"),
    ('{"type": "set_input", "t": 1, "j": 0, "value": [1]}', "value"),
    ('{"type": "set_state", "c0": [1, "a", 2]}', "c0[1]"),
    ('{"type": "set_sequence", "x": "0,0;1,1"}', "x"),
    ('{"type": "load", "scenario": 5}', "scenario"),
    # huge or out-of-range numbers
    ('{"type": "set_input", "t": 1, "j": 0, "value": ' + BIG + "}", "value"),
    ('{"type": "set_input", "t": 1, "j": 0, "value": -1001}', "value"),
    ('{"type": "set_knobs", "bias_f": 11}', "bias_f"),
    ('{"type": "set_knobs", "weight_scale": -0.1}', "weight_scale"),
    ('{"type": "set_knobs", "rnn_scale": 1e9}', "rnn_scale"),
    ('{"type": "generate", "sequence": {"kind": "sine", "period": 0}}', "sequence.period"),
    ('{"type": "generate", "sequence": {"kind": "pulse", "width": 0}}', "sequence.width"),
    ('{"type": "set_clamp", "gate": "f", "value": -0.5}', "value"),
    ('{"type": "set_clamp", "gate": "g", "value": 1.5}', "value"),
    # indices out of range, negative indices
    ('{"type": "set_input", "t": 400, "j": 0, "value": 1}', "t"),
    ('{"type": "set_input", "t": 1, "j": 9, "value": 1}', "j"),
    ('{"type": "set_input", "t": -1, "j": 0, "value": 1}', "t"),
    ('{"type": "set_input", "t": 99999999999999999999, "j": 0, "value": 1}', "t"),
    ('{"type": "generate", "component": 5, "sequence": {"kind": "constant"}}', "component"),
    ('{"type": "set_knobs", "target": 3}', "target"),
    ('{"type": "set_clamp", "gate": "f", "unit": 7, "value": 0.5}', "unit"),
    # arrays of the wrong length or shape; negative or huge T, H, D
    ('{"type": "set_state", "h0": [1, 2]}', "h0"),
    ('{"type": "set_state", "h0": []}', "h0"),
    ('{"type": "set_sequence", "x": [[1, 2], [3]]}', "x"),
    ('{"type": "set_sequence", "x": [[1, 2, 3]]}', "x"),
    ('{"type": "set_sequence", "x": []}', "x"),
    ('{"type": "set_sequence", "x": [[]]}', "x"),
    ('{"type": "set_sequence", "x": ' + json.dumps([[0.0, 0.0]] * 10_001) + "}", "x"),
    ('{"type": "restore", "weights": ' + json.dumps(ONE_ROW_WEIGHTS) + "}", "weights"),
    ('{"type": "restore", "clamps": {"f": [1.0, 1.0]}}', "clamps.f"),
    # training hyperparameters out of range or of the wrong type (the train message is refused whole)
    ('{"type": "train", "hidden": 17}', "hidden"),
    ('{"type": "train", "hidden": 0}', "hidden"),
    ('{"type": "train", "steps": 9}', "steps"),
    ('{"type": "train", "steps": 201}', "steps"),
    ('{"type": "train", "learning_rate": 0}', "learning_rate"),
    ('{"type": "train", "learning_rate": 1e9}', "learning_rate"),
    ('{"type": "train", "learning_rate": "0.01"}', "learning_rate"),
    ('{"type": "train", "batch": 0}', "batch"),
    ('{"type": "train", "batch": 4.5}', "batch"),
    ('{"type": "train", "forget_bias": 2}', "forget_bias"),
    ('{"type": "train", "task": "chess"}', "task"),
    ('{"type": "train", "seed": -1}', "seed"),
    ('{"type": "train", "curriculum": "yes"}', "curriculum"),
    ('{"type": "train", "epochs": 10}', "epochs"),
    ('{"type": "train_set", "learning_rate": -0.1}', "learning_rate"),
    ('{"type": "train_set", "batch": 100000}', "batch"),
    ('{"type": "train", "pace": 0}', "pace"),
    # training controls with no training to control
    ('{"type": "train_pause"}', None),
    ('{"type": "train_step"}', None),
    ('{"type": "train_resume"}', None),
    ('{"type": "train_reset"}', None),
    # names that try to reach elsewhere
    ('{"type": "load", "scenario": "../../etc/passwd"}', "scenario"),
    ('{"type": "load", "scenario": "__init__"}', "scenario"),
    ('{"type": "set_clamp", "gate": "__class__", "value": 0.5}', "gate"),
]


def test_the_battery_is_at_least_forty_distinct_inputs() -> None:
    assert len({text for text, _ in BATTERY}) == len(BATTERY) >= 40


@pytest.mark.parametrize(("text", "field"), BATTERY, ids=[f"{k:02d}" for k in range(len(BATTERY))])
def test_a_bad_message_is_named_harmless_and_changes_nothing(
    client: TestClient, text: str, field: str | None
) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_text(json.dumps({"type": "set_input", "t": 2, "j": 1, "value": 0.75}))
        receive(ws)
        before = sync(ws)
        ws.send_text(text)
        error = receive(ws)
        after = sync(ws)
        ws.send_text(json.dumps({"type": "set_input", "t": 0, "j": 0, "value": 0.5}))
        still_usable = receive(ws)

    assert error["type"] == "error" and error["field"] == field, error
    message = error["message"]
    assert message and len(message) < 400
    for leak in ("Traceback", 'File "', "/work/", "site-packages", ".py", "0x7f"):
        assert leak not in message, (leak, message)
    assert after["revision"] == before["revision"]
    assert after["trace"] == before["trace"] and after["knobs"] == before["knobs"]
    assert still_usable["type"] == "frame"
