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


@pytest.fixture
def opened_key(client: TestClient, tmp_path: Path, override_settings: Callable[..., None]) -> Iterator[str]:
    override_settings(open_dir=str(tmp_path))
    rng = np.random.default_rng(0)
    rows = 4 * HIDDEN
    tensors = {
        "weight_ih_l0": rng.uniform(-0.05, 0.05, (rows, INPUTS)).astype(np.float32),
        "weight_hh_l0": rng.uniform(-0.05, 0.05, (rows, HIDDEN)).astype(np.float32),
        "bias_ih_l0": rng.uniform(-0.1, 0.1, rows).astype(np.float32),
        "bias_hh_l0": np.zeros(rows, dtype=np.float32),
    }
    x = io.BytesIO()
    np.save(x, rng.uniform(-1, 1, (STEPS, INPUTS)))
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

        # every unit's gradients, asked for: far over the limit, refused once, nothing changed
        refused = socket.send(type="views", id=4, shown=["gradients"], units=None)
        assert (refused["type"], refused["code"], refused["ack"]) == ("error", "reply_too_large", 4)
        assert refused["params"]["limit"] == LIMIT and refused["params"]["size"] > LIMIT
        assert "LSTM_CONVEYOR_MAX_MESSAGE_BYTES" in refused["message"]
        again = socket.send(type="set_input", id=5, t=999, j=0, value=-0.5)
        assert again["type"] == "frame" and again["units"] == list(range(500, 512))
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
