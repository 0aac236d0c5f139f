"""`/ws?encoding=binary`: snapshots and frames as binary columns (app/wire.py, docs/protocol.md).

The JSON path is the reference: a JSON session and a binary session driven with the same messages
must carry the very same numbers, each array in the dtype payload() gives it, bit for bit.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.encoding import NotFinite
from app.engine.lstm import Trace
from app.wire import ALIGN, ARRAY_KEY, decode, encode
from tests.helpers import random_weights, receive, receive_binary

# Driven through both sessions; each answers with one snapshot or frame.
MESSAGES: list[dict[str, Any]] = [
    {"type": "set_input", "t": 10, "j": 0, "value": -1.5, "id": 1},
    {"type": "set_knobs", "bias_f": 1.5, "target": 1, "id": 2},
    {"type": "set_clamp", "gate": "i", "unit": 1, "value": 0.3, "id": 3},
    {"type": "set_state", "h0": [0.1, -0.2, 0.3], "c0": [1.0 / 3, 0.0, -0.7], "id": 4},
    {"type": "generate", "component": 1, "sequence": {"kind": "noise", "seed": 3}, "id": 5},
    {"type": "sync", "id": 6},
]


def arrays(message: Any, path: str = "") -> Iterator[tuple[str, np.ndarray]]:
    """(path, array) of every NumPy array in a decoded message."""
    if isinstance(message, np.ndarray):
        yield path, message
    elif isinstance(message, dict):
        for key, value in message.items():
            yield from arrays(value, f"{path}.{key}" if path else key)


def assert_same_message(binary: Any, text: Any, path: str = "") -> None:
    """Every array of the binary message holds the JSON message's numbers read in the array's
    dtype, bit for bit (a float32 travels in JSON as its shortest decimal, which reads back to
    the same float32); everything else is equal as is."""
    if isinstance(binary, np.ndarray):
        expected = np.asarray(text, dtype=binary.dtype)
        if expected.size == 0:  # JSON's [] of rows cannot say how wide they would have been
            expected = expected.reshape((0, *binary.shape[1:]))
        assert expected.shape == binary.shape, path
        assert expected.tobytes() == binary.tobytes(), path
    elif isinstance(binary, dict):
        assert binary.keys() == text.keys(), path
        for key in binary:
            assert_same_message(binary[key], text[key], f"{path}.{key}")
    else:
        assert binary == text, path


def both(client: TestClient) -> tuple[Any, Any]:
    return client.websocket_connect("/ws"), client.websocket_connect("/ws?encoding=binary")


def test_a_snapshot_carries_the_json_numbers_bit_for_bit_in_its_dtypes(client: TestClient) -> None:
    text_ws, binary_ws = both(client)
    with text_ws, binary_ws:
        text, binary = receive(text_ws), receive_binary(binary_ws)

    assert_same_message(binary, text)
    dtypes = {path: array.dtype.str for path, array in arrays(binary)}
    # docs/protocol.md: states and gates float32, but what a user sets and every gradient float64.
    assert {dtypes[f"trace.{name}"] for name in ("x", "h_prev", "c_prev")} == {"<f8"}
    floats = ("c", "h", "f", "pre_i", "pre_i_x", "pre_g_h", "pre_o_b", "kept", "tanh_c")
    assert {dtypes[f"trace.{name}"] for name in floats} == {"<f4"}
    assert dtypes["rnn.h"] == "<f4" and dtypes["rnn.dL_dh"] == dtypes["gradients.belt"] == "<f8"
    # the scenario's GRU on the same inputs, as the RNN: its h float32, its gradients float64
    assert (
        dtypes["counterpart.h"] == "<f4"
        and dtypes["counterpart.dL_dh"] == dtypes["counterpart.belt"] == "<f8"
    )
    assert dtypes["curves.sigmoid"] == "<f8"
    assert dtypes["h0"] == dtypes["c0"] == "<f8"  # the initial state, exactly as set
    # trace, gradients, rnn, counterpart (h, dL_dh, dL_dx, belt), curves, h0 and c0: every array a column
    assert len(dtypes) == 29 + 4 + 3 + 4 + 3 + 2
    assert binary["trace"]["c"].shape == (40, 3) and binary["trace"]["x"].shape == (40, 2)


def test_frames_and_snapshots_after_the_same_messages_carry_the_same_numbers(client: TestClient) -> None:
    text_ws, binary_ws = both(client)
    with text_ws, binary_ws:
        receive(text_ws), receive_binary(binary_ws)
        for message in MESSAGES:
            text_ws.send_text(json.dumps(message))
            binary_ws.send_text(json.dumps(message))
            text, binary = receive(text_ws), receive_binary(binary_ws)
            assert binary["type"] == ("snapshot" if message["type"] == "sync" else "frame")
            assert binary["ack"] == message["id"]
            assert_same_message(binary, text)
    assert binary["revision"] == 5


def test_a_custom_models_weights_travel_as_float64_columns(client: TestClient) -> None:
    weights = random_weights(np.random.default_rng(7), inputs=2, hidden=5)
    restore = {"type": "restore", "weights": weights, "x": [[0.5, -1.0]] * 12, "id": 1}
    text_ws, binary_ws = both(client)
    with text_ws, binary_ws:
        receive(text_ws), receive_binary(binary_ws)
        text_ws.send_text(json.dumps(restore))
        binary_ws.send_text(json.dumps(restore))
        text, binary = receive(text_ws), receive_binary(binary_ws)

    assert_same_message(binary, text)
    assert binary["model"]["custom"] and binary["model"]["weights"]["weight_hh"].dtype == np.float64
    np.testing.assert_array_equal(binary["model"]["weights"]["weight_hh"], weights["weight_hh"])


def descriptors(header: Any) -> Iterator[list[Any]]:
    if isinstance(header, dict):
        if header.keys() == {ARRAY_KEY}:
            yield header[ARRAY_KEY]
        else:
            for value in header.values():
                yield from descriptors(value)


def test_every_column_starts_on_an_8_byte_boundary_and_none_overlap(client: TestClient) -> None:
    with client.websocket_connect("/ws?encoding=binary") as ws:
        ws.receive_bytes()
        # From step 11: 29 rows of H=3 float32 are 348 bytes, so the next column must be padded.
        ws.send_text(json.dumps({"type": "set_input", "t": 11, "j": 0, "value": 1.0}))
        data = ws.receive_bytes()

    (length,) = struct.unpack_from("<I", data)
    header = orjson.loads(data[4 : 4 + length])
    start = -(-(4 + length) // 8) * 8
    assert ALIGN == 8 and start % 8 == 0 and data[4 + length : start] == bytes(start - 4 - length)
    end = 0
    for offset, dtype, shape in sorted(descriptors(header)):
        assert offset % 8 == 0 and offset >= end, (offset, end)
        assert data[start + end : start + offset] == bytes(offset - end)  # padding is zeros
        end = offset + int(np.prod(shape)) * {"f4": 4, "f8": 8}[dtype]
    assert start + end == len(data)  # nothing after the last column
    assert header["type"] == "frame" and header["start"] == 11


def test_the_layout_is_exactly_the_documented_one() -> None:
    message = {"type": "frame", "a": np.array([1.0, 2.0, 3.0], np.float32), "b": np.array([[0.1]])}
    data = encode(message)

    header = b'{"type":"frame","a":{"$array":[0,"f4",[3]]},"b":{"$array":[16,"f8",[1,1]]}}'
    start = -(-(4 + len(header)) // 8) * 8
    assert data[:4] == struct.pack("<I", len(header)) and data[4 : 4 + len(header)] == header
    assert data[start : start + 12] == np.array([1, 2, 3], "<f4").tobytes()
    assert data[start + 12 : start + 16] == bytes(4)  # the float64 column waits for its boundary
    assert data[start + 16 :] == np.array([0.1], "<f8").tobytes()
    decoded = decode(data)
    assert decoded["type"] == "frame" and decoded["b"].shape == (1, 1) and decoded["b"][0, 0] == 0.1


def test_only_float32_and_float64_are_sent_and_non_finite_numbers_are_named() -> None:
    with pytest.raises(TypeError, match="int64"):
        encode({"a": np.arange(3)})
    with pytest.raises(NotFinite, match=r"gradients\.belt"):
        encode({"gradients": {"belt": np.array([1.0, np.inf])}})


def poison(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on every computation puts a NaN into the last c (as tests/test_stream.py does)."""
    from app import computation

    real_compute = computation.compute

    def poisoned(*args: Any, **kwargs: Any) -> Any:
        results = real_compute(*args, **kwargs)
        assert isinstance(results.trace, Trace)  # the LSTM's
        c = results.trace.c.copy()  # a trace's arrays are read-only views of its loop's rows
        c[-1, 0] = np.nan
        return replace(results, trace=replace(results.trace, c=c))

    monkeypatch.setattr("app.session.compute", poisoned)


def test_a_non_finite_result_is_refused_in_binary_mode_and_nothing_changes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client.websocket_connect("/ws?encoding=binary") as ws:
        receive_binary(ws)
        poison(monkeypatch)
        ws.send_text(json.dumps({"type": "set_input", "t": 4, "j": 0, "value": 1.0, "id": 5}))
        error = receive(ws)  # errors stay JSON text
        monkeypatch.undo()
        ws.send_text(json.dumps({"type": "set_input", "t": 4, "j": 0, "value": 0.5, "id": 6}))
        frame = receive_binary(ws)

    assert error["code"] == "not_finite" and "trace.c" in error["message"]
    assert frame["type"] == "frame" and frame["base"] == 0 and frame["revision"] == 1


def test_a_non_finite_snapshot_is_never_encoded(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    poison(monkeypatch)  # the session's first snapshot is never checked before app/wire.py's encode
    with client.websocket_connect("/ws?encoding=binary") as ws:
        error = receive(ws)
    assert error["type"] == "error" and error["code"] == "not_finite" and "trace.c" in error["message"]


def test_errors_and_files_stay_json_text_in_binary_mode(client: TestClient) -> None:
    with client.websocket_connect("/ws?encoding=binary") as ws:
        receive_binary(ws)
        ws.send_text(json.dumps({"type": "set_input", "t": 99, "j": 0, "value": 1.0, "id": 1}))
        error = receive(ws)
        ws.send_text(json.dumps({"type": "export", "format": "trace.csv", "id": 2}))
        file = receive(ws)
    assert error["type"] == "error" and error["field"] == "t" and error["ack"] == 1
    assert file["type"] == "file" and file["content"].startswith("step,unit,")


def test_encoding_json_is_the_default_text(client: TestClient) -> None:
    with client.websocket_connect("/ws?encoding=json") as ws:
        assert receive(ws)["type"] == "snapshot"


@pytest.mark.parametrize(
    "query", ["encoding=xml", "encoding=", "encoding=BINARY", "encoding=binary&encoding=json"]
)
def test_an_unknown_encoding_is_closed_with_the_parameter_named(client: TestClient, query: str) -> None:
    with client.websocket_connect(f"/ws?{query}") as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    assert closed.value.code == 1008
    assert closed.value.reason == "query parameter encoding must be json or binary"
    assert client.app.state.active_sessions == 0  # type: ignore[attr-defined]  # no session was made


# --- the browser's decoder (static/js/socket.js) -------------------------------------------------

DECODE_IN_PAGE_JS = """
async () => {
  const { decodeBinary } = await import("/static/js/socket.js");
  const open = (query) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/ws${query}`);
    ws.binaryType = "arraybuffer";
    const queue = [];
    const waiting = [];
    ws.onmessage = (event) => (waiting.length ? waiting.shift()(event.data) : queue.push(event.data));
    ws.next = () => new Promise((done) => (queue.length ? done(queue.shift()) : waiting.push(done)));
    ws.onopen = () => resolve(ws);
  });
  // Every array, at every depth, a plain Array (never a typed array) of numbers or Arrays.
  const plain = (value) => {
    if (ArrayBuffer.isView(value)) return false;
    if (Array.isArray(value)) return value.every((item) => typeof item === "number" || plain(item));
    return value === null || typeof value !== "object" || Object.values(value).every(plain);
  };
  const base64 = (buffer) => {
    let out = "";
    for (const byte of new Uint8Array(buffer)) out += String.fromCharCode(byte);
    return btoa(out);
  };
  const text = await open("");
  const binary = await open("?encoding=binary");
  const received = [];
  for (const move of [null, {type: "set_input", t: 10, j: 0, value: -1.5, id: 1}]) {
    if (move) [text, binary].forEach((ws) => ws.send(JSON.stringify(move)));
    const raw = await binary.next();
    const decoded = decodeBinary(raw);
    received.push({
      text: JSON.parse(await text.next()), decoded, bytes: base64(raw), plain: plain(decoded),
      // What the views and links do with rows: map them to text, stringify them.
      rowsWork: typeof decoded.trace.c[0].map((v) => v.toFixed(2))[0] === "string"
        && JSON.stringify(decoded.trace.h_prev[0]).startsWith("["),
    });
  }
  text.close();
  binary.close();
  return received;
}
"""


@pytest.mark.browser
def test_the_page_decodes_binary_into_plain_arrays_of_the_exact_numbers(page: Any, server_url: str) -> None:
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    received = page.evaluate(DECODE_IN_PAGE_JS)

    assert [item["decoded"]["type"] for item in received] == ["snapshot", "frame"]
    for item in received:
        assert item["plain"] and item["rowsWork"]
        reference = decode(base64.b64decode(item["bytes"]))  # the same bytes, decoded in Python
        for path, array in arrays(reference):
            keys = path.split(".")
            shown = item["decoded"]
            for key in keys:
                shown = shown[key]
            # A float32 arrives in the browser as the double it exactly is.
            assert np.asarray(shown, dtype=np.float64).tobytes() == array.astype(np.float64).tobytes(), path
        assert_same_message(reference, item["text"])
