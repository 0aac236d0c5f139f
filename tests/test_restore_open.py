"""A `restore` with `open`: what a shared link of a page that showed a kept model (POST /api/open)
sends. It opens that model, on the layer and direction the link names, with the link's inputs or
text, and every number is PyTorch's; a link that names anything else as its model, a layer a single
layer lacks, or both text and x is refused naming the field, and the session stays as it was."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.helpers import receive, require_torch
from tests.test_api_open_stack import post_open, send
from tests.test_session_stack import HIDDEN, INPUTS, STEPS, saved, torch_views


@pytest.fixture
def opened_dir(tmp_path: Path, override_settings: Callable[..., None]) -> Iterator[Path]:
    override_settings(open_dir=str(tmp_path / "opened"))
    yield tmp_path / "opened"


def test_a_link_to_a_kept_stack_opens_its_layer_with_its_inputs_as_torch_runs_them(
    client: TestClient, opened_dir: Path
) -> None:
    require_torch()
    import torch

    torch.manual_seed(21)
    lstm = torch.nn.LSTM(INPUTS, HIDDEN, num_layers=2, bidirectional=True).double()
    lstm.load_state_dict({k: v.float().double() for k, v in lstm.state_dict().items()})
    body = post_open(client, *saved(lstm.state_dict(), "safetensors"))  # kept on 40 zero steps
    x = np.random.default_rng(8).uniform(-1, 1, (STEPS, INPUTS))
    reads, h, c = torch_views(lstm, x)[1, True]
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        restored = send(
            ws, type="restore", id=1, open=body["id"], layer=1, reverse=True, x=x.tolist(), title="shared"
        )
    assert restored["type"] == "snapshot" and restored["ack"] == 1, restored
    assert restored["stack"]["shown"] == {"layer": 1, "reverse": True}
    assert restored["scenario"]["title"] == "shared" and restored["model"]["custom"]
    np.testing.assert_array_equal(restored["inputs"], x)
    np.testing.assert_allclose(restored["trace"]["x"], reads, atol=1e-6)
    np.testing.assert_allclose(restored["trace"]["h"], h, atol=1e-6)
    np.testing.assert_allclose(restored["trace"]["c"], c, atol=1e-6)


def char_model(client: TestClient) -> tuple[dict[str, Any], list[str], Any]:
    """A kept char model (Embedding → 2-layer LSTM → Linear) and the torch function of its next-token
    probabilities for a text."""
    import torch

    vocab = list("abcdef \n")
    torch.manual_seed(22)
    embed, lstm = torch.nn.Embedding(len(vocab), 5).double(), torch.nn.LSTM(5, 6, num_layers=2).double()
    decoder = torch.nn.Linear(6, len(vocab)).double()
    state = {"embed.weight": embed.weight, "decoder.weight": decoder.weight, "decoder.bias": decoder.bias}
    state |= {f"lstm.{name}": value for name, value in lstm.state_dict().items()}
    body = post_open(client, *saved(state, "safetensors", {"vocab": json.dumps(vocab)}), text="abc")

    def probabilities(text: str) -> np.ndarray:
        ids = torch.tensor([vocab.index(ch) for ch in text])
        with torch.no_grad():
            return torch.softmax(decoder(lstm(embed(ids))[0]), dim=-1).numpy()

    return body, vocab, probabilities


def test_a_link_to_a_kept_text_model_reads_its_text_again(client: TestClient, opened_dir: Path) -> None:
    require_torch()
    body, vocab, probabilities = char_model(client)
    text = "fed a cab\nbead"
    p = probabilities(text)
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        restored = send(ws, type="restore", id=1, open=body["id"], input_text=text)
    assert restored["type"] == "snapshot", restored
    assert restored["tokens"] == list(text) and restored["sizes"]["T"] == len(text)
    assert restored["top"]["tokens"] == [[vocab[k] for k in np.argsort(-row, kind="stable")[:5]] for row in p]
    np.testing.assert_allclose(restored["top"]["p"], np.sort(p, axis=1)[:, ::-1][:, :5], atol=1e-6)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"scenario": "hold-and-release"}, "scenario", "open_alone"),
        ({"weights": {"weight_ih": [[0.0]], "weight_hh": [[0.0]], "bias_ih": [0.0], "bias_hh": [0.0]}},
         "weights", "open_alone"),
        ({"input_text": "abc", "x": [[0.0] * 5] * 3}, "input_text", "text_or_x"),
        ({"input_text": "abz"}, "input_text", "unknown_token"),
        ({"layer": 2}, "layer", "layer_out_of_range"),
        ({"reverse": True}, "reverse", "layer_has_no_reverse"),
        ({"open": "A" * 32}, "open", "open_unknown"),
    ],
)  # fmt: skip
def test_a_link_that_does_not_fit_its_kept_model_is_refused_and_changes_nothing(
    client: TestClient, opened_dir: Path, fields: dict[str, Any], field: str, code: str
) -> None:
    require_torch()
    body, _, _ = char_model(client)
    with client.websocket_connect("/ws") as ws:
        first = receive(ws)
        error = send(ws, **{"type": "restore", "id": 1, "open": body["id"], **fields})
        assert (error["type"], error["field"], error["code"]) == ("error", field, code), error
        assert "Traceback" not in error["message"]
        ws.send_text(json.dumps({"type": "sync", "id": 2}))
        after = receive(ws)
    assert after["scenario"]["name"] == first["scenario"]["name"] and after["revision"] == first["revision"]


def test_a_link_naming_a_layer_of_a_kept_single_layer_is_refused(
    client: TestClient, opened_dir: Path
) -> None:
    require_torch()
    import torch

    lstm = torch.nn.LSTM(INPUTS, HIDDEN).double()
    body = post_open(client, *saved(lstm.state_dict(), "safetensors"))
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        error = send(ws, type="restore", id=1, open=body["id"], layer=0)
    assert (error["field"], error["code"]) == ("layer", "layer_needs_stack"), error


def test_a_malformed_key_is_refused_before_anything_is_read(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        error = send(ws, type="restore", id=1, open="../../etc/passwd")
    assert (error["field"], error["code"]) == ("open", "open_malformed"), error
