"""POST /api/open keeps a model on the server's disk; the socket's `open` message loads it there.

The opened model must trace exactly as torch.nn.LSTM does; a malformed, unknown or expired key is
refused naming the field `open` (the session unchanged); the folder stays within its bounds.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.opened import KEY, NotOpened, folder, load
from tests.helpers import receive, require_torch


@pytest.fixture
def opened_dir(tmp_path: Path, override_settings: Callable[..., None]) -> Iterator[Path]:
    override_settings(open_dir=str(tmp_path / "opened"))
    yield tmp_path / "opened"


def torch_lstm(inputs: int, hidden: int, seed: int = 0) -> Any:
    require_torch()
    import torch

    torch.manual_seed(seed)
    return torch.nn.LSTM(inputs, hidden).double()


def safetensors_of(lstm: Any) -> bytes:
    from safetensors.torch import save

    return save({name: value.float() for name, value in lstm.state_dict().items()})


def npy(x: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, x)
    return buffer.getvalue()


def post_open(client: TestClient, weights: bytes, **fields: Any) -> Any:
    files: dict[str, Any] = {"file": ("lstm.safetensors", weights)}
    if "inputs" in fields:
        files["inputs"] = ("x.npy", fields.pop("inputs"))
    return client.post("/api/open", files=files, data=fields)


def open_over_socket(client: TestClient, key: str) -> dict[str, Any]:
    with client.websocket_connect("/ws") as ws:
        assert receive(ws)["type"] == "snapshot"
        ws.send_text(json.dumps({"type": "open", "id": 1, "open": key}))
        return receive(ws)


def test_an_opened_safetensors_file_traces_as_torch_does(client: TestClient, opened_dir: Path) -> None:
    import torch

    lstm = torch_lstm(inputs=3, hidden=5)
    x = np.random.default_rng(1).uniform(-1, 1, (12, 3))
    answer = post_open(client, safetensors_of(lstm), inputs=npy(x), title="from a notebook")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert KEY.fullmatch(body["id"]) and body["path"] == f"/?open={body['id']}"
    assert body["url"].endswith(body["path"]) and (body["T"], body["D"], body["H"]) == (12, 3, 5)
    snapshot = open_over_socket(client, body["id"])
    assert snapshot["type"] == "snapshot" and snapshot["ack"] == 1, snapshot
    assert snapshot["sizes"] == {"T": 12, "D": 3, "H": 5}
    assert snapshot["scenario"]["title"] == "from a notebook" and snapshot["model"]["custom"]
    # torch's float32 file, widened: the session runs exactly the stored numbers in float64
    lstm.load_state_dict({k: v.float().double() for k, v in lstm.state_dict().items()})
    with torch.no_grad():
        h, _ = lstm(torch.from_numpy(x).unsqueeze(1))
    np.testing.assert_allclose(snapshot["trace"]["h"], h.squeeze(1).numpy(), atol=1e-6)
    np.testing.assert_array_equal(snapshot["trace"]["x"], x)


def test_a_json_body_opens_too(client: TestClient, opened_dir: Path) -> None:
    rng = np.random.default_rng(2)
    weights = {
        "weight_ih": rng.uniform(-1, 1, (8, 1)).tolist(),
        "weight_hh": rng.uniform(-1, 1, (8, 2)).tolist(),
        "bias_ih": [0.0] * 8,
        "bias_hh": [0.0] * 8,
    }
    body = {"weights": weights, "x": [[0.5], [-1.0], [0.25]], "h0": [0.1, -0.1]}
    answer = client.post("/api/open", json=body)
    assert answer.status_code == 200, answer.text
    snapshot = open_over_socket(client, answer.json()["id"])
    expected = client.post("/api/trace", json=body).json()["h"]
    np.testing.assert_allclose(snapshot["trace"]["h"], expected, atol=1e-6)
    np.testing.assert_array_equal(snapshot["h0"], [0.1, -0.1])


def test_a_kept_model_is_float32_where_that_is_exact_and_reads_back_the_same_numbers(
    client: TestClient, opened_dir: Path
) -> None:
    lstm = torch_lstm(inputs=3, hidden=5, seed=4)
    key = post_open(client, safetensors_of(lstm)).json()["id"]
    with np.load(opened_dir / f"{key}.npz") as stored:
        assert stored["weight_hh"].dtype == np.float32  # a float32 file: half the bytes kept
    for name, value in lstm.state_dict().items():  # the file's float32 numbers, widened exactly
        np.testing.assert_array_equal(getattr(load(key).weights, name[:-3]), value.float().double().numpy())
    rng = np.random.default_rng(5)
    weights = {"weight_ih": rng.uniform(-1, 1, (8, 1)), "weight_hh": rng.uniform(-1, 1, (8, 2))}
    weights |= {"bias_ih": np.zeros(8), "bias_hh": np.full(8, 0.1)}  # 0.1 has no float32 twin
    body = {"weights": {name: value.tolist() for name, value in weights.items()}, "x": [[0.5]]}
    key = client.post("/api/open", json=body).json()["id"]
    with np.load(opened_dir / f"{key}.npz") as stored:
        assert stored["weight_hh"].dtype == stored["bias_hh"].dtype == np.float64
        assert stored["bias_ih"].dtype == np.float32  # zeros are exact in float32
    for name, value in weights.items():
        np.testing.assert_array_equal(getattr(load(key).weights, name), value)


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("../../etc/passwd", "open_malformed"),
        ("a" * 31 + "/", "open_malformed"),
        ("x" * 10_000, "open_malformed"),
        ("A" * 32, "open_unknown"),
    ],
)
def test_a_bad_or_unknown_key_is_refused_and_the_session_is_unchanged(
    client: TestClient, opened_dir: Path, key: str, code: str
) -> None:
    with client.websocket_connect("/ws") as ws:
        before = receive(ws)
        ws.send_text(json.dumps({"type": "open", "id": 4, "open": key}))
        error = receive(ws)
        assert error["type"] == "error" and error["field"] == "open" and error["code"] == code, error
        assert error["ack"] == 4 and "Traceback" not in error["message"]
        ws.send_text(json.dumps({"type": "sync"}))
        after = receive(ws)
    assert after["scenario"]["name"] == before["scenario"]["name"] and after["sizes"] == before["sizes"]


def test_an_expired_key_is_refused(
    client: TestClient, opened_dir: Path, override_settings: Callable[..., None]
) -> None:
    lstm = torch_lstm(inputs=2, hidden=3)
    key = post_open(client, safetensors_of(lstm), x=json.dumps([[0.0, 1.0]])).json()["id"]
    stored = opened_dir / f"{key}.npz"
    an_hour_ago = time.time() - 3600
    os.utime(stored, (an_hour_ago, an_hour_ago))
    override_settings(open_dir=str(opened_dir), open_max_age_seconds=60)
    error = open_over_socket(client, key)
    assert (error["type"], error["field"], error["code"]) == ("error", "open", "open_expired"), error
    assert not stored.exists()  # and it is gone from the disk


def test_the_folder_keeps_within_its_size_and_drops_the_oldest(
    client: TestClient, opened_dir: Path, override_settings: Callable[..., None]
) -> None:
    weights = safetensors_of(torch_lstm(inputs=4, hidden=8))
    x = json.dumps(np.zeros((50, 4)).tolist())
    first = post_open(client, weights, x=x).json()["id"]
    size = (opened_dir / f"{first}.npz").stat().st_size
    override_settings(open_dir=str(opened_dir), open_max_bytes=int(size * 2.5))
    keys = [first]
    for _ in range(3):
        time.sleep(0.01)  # distinct modification times: the oldest is known
        keys.append(post_open(client, weights, x=x).json()["id"])
    kept = sorted(path.stem for path in opened_dir.glob("*.npz"))
    assert kept == sorted(keys[-2:])
    assert sum(path.stat().st_size for path in opened_dir.iterdir()) <= size * 2.5
    assert open_over_socket(client, first)["code"] == "open_unknown"
    override_settings(open_dir=str(opened_dir), open_max_bytes=size // 2)
    refused = post_open(client, weights, x=x)
    assert refused.status_code == 413 and refused.json()["code"] == "open_too_large"


def test_the_folder_defaults_to_the_temp_dir_and_a_key_reaches_nothing_else(
    override_settings: Callable[..., None],
) -> None:
    override_settings(open_dir="")
    assert folder() == Path(tempfile.gettempdir()) / "lstm-conveyor-opened" and folder().is_dir()

    for key in ("../" * 8 + "etc/passwd", "/etc/passwd", "a" * 32 + "/../x", "", "."):
        with pytest.raises(NotOpened):
            load(key)


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"x": "[[1.0, 2.0, 3.0]]"}, 422, "wrong_width"),
        ({"x": "[[1.0, 2.0]]", "text": "hi"}, 422, "open_one_input"),
        ({"x": "[[1.0, 2.0]]", "h0": "[0.0]"}, 422, "state_length"),
        ({"x": "[[1.0, 2.0]]", "model": "rnn"}, 422, "open_bad_model"),
        ({"text": "hello"}, 422, "no_text_model"),
    ],
)
def test_a_form_that_does_not_fit_is_refused_naming_why(
    client: TestClient, opened_dir: Path, fields: dict[str, str], status: int, code: str
) -> None:
    weights = safetensors_of(torch_lstm(inputs=2, hidden=3))
    answer = post_open(client, weights, **fields)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert not list(opened_dir.glob("*.npz"))


def test_a_malformed_form_field_names_it(client: TestClient, opened_dir: Path) -> None:
    weights = safetensors_of(torch_lstm(inputs=2, hidden=3))
    answer = post_open(client, weights, x="[[1.0, NaN-ish")
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"][:2] == ["form", "x"]
    no_file = client.post("/api/open", data={"x": "[[1.0, 2.0]]"}, files={"inputs": ("x.npy", b"")})
    assert no_file.status_code == 400 and no_file.json()["code"] == "open_no_file"


def test_weights_alone_open_on_zeros_and_the_answer_lists_the_layers(
    client: TestClient, opened_dir: Path
) -> None:
    answer = post_open(client, safetensors_of(torch_lstm(inputs=2, hidden=3)), title="mine")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["T"], body["D"], body["H"], body["layer"]) == (40, 2, 3, "l0")
    assert [layer["id"] for layer in body["layers"]] == ["l0"] and body["skipped"] == []
    snapshot = open_over_socket(client, body["id"])
    assert snapshot["sizes"] == {"T": 40, "D": 2, "H": 3}
    np.testing.assert_array_equal(snapshot["trace"]["x"], np.zeros((40, 2)))
