"""A full-size model (H=1024, D=256, T=1000) opened through /api/open: no message the server sends is
over max_message_bytes (4 MiB); it sends a bounded set of units until the client names its own,
answers a set_input with a frame, and refuses what would be too big with one clear error."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from safetensors.numpy import save

from app.wire import decode
from tests.helpers import require_torch

LIMIT = 4 * 1024 * 1024
HIDDEN, INPUTS, STEPS = 1024, 256, 1000


class Socket:
    """A binary-encoded session (as the page's) that records the size of every message received."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.sizes: list[int] = []

    def receive(self) -> dict[str, Any]:
        message = self.ws.receive()
        data = message.get("bytes") or message.get("text") or b""
        self.sizes.append(len(data))
        decoded: dict[str, Any] = decode(data) if message.get("bytes") else json.loads(data)
        return decoded

    def send(self, **message: Any) -> dict[str, Any]:
        self.ws.send_text(json.dumps(message))
        return self.receive()


def full_size_arrays() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The full-size layer's tensors (as nn.LSTM names them, float32) and its inputs (T, D)."""
    rng = np.random.default_rng(0)
    rows = 4 * HIDDEN
    tensors = {
        "weight_ih_l0": rng.uniform(-0.05, 0.05, (rows, INPUTS)).astype(np.float32),
        "weight_hh_l0": rng.uniform(-0.05, 0.05, (rows, HIDDEN)).astype(np.float32),
        "bias_ih_l0": rng.uniform(-0.1, 0.1, rows).astype(np.float32),
        "bias_hh_l0": np.zeros(rows, dtype=np.float32),
    }
    return tensors, rng.uniform(-1, 1, (STEPS, INPUTS))


@pytest.fixture
def opened_key(client: TestClient, tmp_path: Path, override_settings: Callable[..., None]) -> Iterator[str]:
    override_settings(open_dir=str(tmp_path))
    tensors, inputs = full_size_arrays()
    x = io.BytesIO()
    np.save(x, inputs)
    files = {"file": ("big.safetensors", save(tensors)), "inputs": ("x.npy", x.getvalue())}
    answer = client.post("/api/open", files=files)
    assert answer.status_code == 200, answer.text
    yield answer.json()["id"]


def test_a_full_size_model_never_sends_a_message_over_the_limit(client: TestClient, opened_key: str) -> None:
    with client.websocket_connect("/ws?encoding=binary") as ws:
        socket = Socket(ws)
        socket.receive()
        snapshot = socket.send(type="open", id=1, open=opened_key)
        assert snapshot["type"] == "snapshot" and snapshot["sizes"] == {"T": STEPS, "D": INPUTS, "H": HIDDEN}
        units = snapshot["units"]
        assert units == list(range(len(units))) and 1 <= len(units) <= 64  # a bounded default
        assert snapshot["trace"]["h"].shape == (STEPS, len(units)) and "gradients" not in snapshot
        # and a summary of every unit: its largest |c| and |h| over the steps
        assert snapshot["summary"]["c_absmax"].shape == (HIDDEN,)
        assert np.allclose(snapshot["summary"]["h_absmax"][units], np.abs(snapshot["trace"]["h"]).max(axis=0))

        frame = socket.send(type="set_input", id=2, t=990, j=3, value=0.5)
        assert (frame["type"], frame["ack"], frame["start"]) == ("frame", 2, 990)
        while frame["end"] < STEPS:  # a rerun in parts: the rest follows on its own
            frame = socket.receive()
            assert frame["type"] == "frame" and frame["ack"] is None

        lanes = socket.send(type="views", id=3, shown=["belt", "timeline"], units=list(range(500, 512)))
        assert lanes["type"] == "snapshot" and lanes["units"] == list(range(500, 512))

        # every unit's columns, asked for: far over the limit, refused once, nothing changed
        refused = socket.send(type="views", id=4, shown=["belt", "gradients"], units=list(range(HIDDEN)))
        assert (refused["type"], refused["code"], refused["ack"]) == ("error", "reply_too_large", 4)
        assert refused["params"]["limit"] == LIMIT and refused["params"]["size"] > LIMIT
        assert "LSTM_CONVEYOR_MAX_MESSAGE_BYTES" in refused["message"]
        again = socket.send(type="set_input", id=5, t=999, j=0, value=-0.5)
        assert again["type"] == "frame" and again["units"] == list(range(500, 512))
    assert max(socket.sizes) <= LIMIT, socket.sizes


def torch_gradients(tensors: dict[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    """dL/dc_t, dL/dh_t (L = Σ h_{T-1}, the default loss) by PyTorch's autograd, float64, and the
    belt-only term Π_{s>t} f_s from PyTorch's forget gates."""
    require_torch()
    import torch

    cell = torch.nn.LSTMCell(INPUTS, HIDDEN, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.from_numpy(tensors[f"{name}_l0"].astype(np.float64)))
    h = c = torch.zeros(1, HIDDEN, dtype=torch.float64)
    hs, cs, fs = [], [], []
    for t in range(STEPS):
        step = torch.from_numpy(x[t : t + 1])
        gates = step @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
        fs.append(torch.sigmoid(gates[0, HIDDEN : 2 * HIDDEN]).detach().numpy())
        h, c = cell(step, (h, c))
        h.retain_grad()
        c.retain_grad()
        hs.append(h)
        cs.append(c)
    h.sum().backward()
    f = np.array(fs)
    belt = np.ones_like(f)
    for t in range(STEPS - 2, -1, -1):
        belt[t] = belt[t + 1] * f[t + 1]
    grad = lambda rows: np.array([row.grad[0].numpy() for row in rows])  # noqa: E731
    return {"dL_dc": grad(cs), "dL_dh": grad(hs), "belt": belt}


def test_a_full_size_models_gradients_come_as_the_shown_units_columns_and_what_a_chart_of_all_draws(
    client: TestClient, opened_key: str
) -> None:
    """The gradients dive at full size: each (T, H) gradient as the named units' columns and, for
    the chart of all units, ‖dL/dc_t‖ and ‖dL/dh_t‖ over every unit and the largest Π f, all equal
    to PyTorch's; the claims of those units only; and the whole within the message limit."""
    expected = torch_gradients(*full_size_arrays())
    units = list(range(500, 506))
    with client.websocket_connect("/ws?encoding=binary") as ws:
        socket = Socket(ws)
        socket.receive()
        socket.send(type="open", id=1, open=opened_key)
        reply = socket.send(type="views", id=2, shown=["belt", "gradients", "race"], units=units)
        assert reply["type"] in ("snapshot", "frame") and reply["units"] == units
        gradients = reply["gradients"]
        for name in ("dL_dc", "dL_dh", "belt"):
            np.testing.assert_allclose(gradients[name], expected[name][:, units], rtol=1e-6, atol=1e-12)
        for name in ("dL_dc", "dL_dh"):
            norm = np.linalg.norm(expected[name], axis=1)
            np.testing.assert_allclose(gradients[f"{name}_norm"], norm, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(gradients["belt_max"], expected["belt"].max(axis=1), rtol=1e-6, atol=1e-12)
        assert reply["rnn"]["h"].shape == (STEPS, len(units)) and reply["rnn"]["dL_dh_norm"].shape == (STEPS,)
        story = reply["story"]
        assert set(story["race"]) == set(story["gradients"]["units"]) == {str(k) for k in units}
        assert story["race"]["503"][0]["params"]["unit"] == 503
    assert max(socket.sizes) <= LIMIT, socket.sizes


def test_what_is_sent_is_checked_too_json_text_being_larger(
    client: TestClient, override_settings: Callable[..., None]
) -> None:
    with client.websocket_connect("/ws") as ws:
        as_json = len(ws.receive_text())
    with client.websocket_connect("/ws?encoding=binary") as ws:
        as_binary = len(ws.receive_bytes())
    assert as_binary < as_json
    limit = (as_binary + as_json) // 2  # the session's own check (binary) passes; the text does not
    override_settings(max_message_bytes=limit)
    with client.websocket_connect("/ws") as ws:
        socket = Socket(ws)
        first = socket.receive()
        assert (first["type"], first["code"], first["params"]["limit"]) == ("error", "reply_too_large", limit)
        answer = socket.send(type="sync", id=7)
        assert (answer["type"], answer["code"], answer["ack"]) == ("error", "reply_too_large", 7)
    with client.websocket_connect("/ws?encoding=binary") as ws:
        assert decode(ws.receive_bytes())["type"] == "snapshot"
    assert max(socket.sizes) <= limit
