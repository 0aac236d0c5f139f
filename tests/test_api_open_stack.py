"""POST /api/open keeps a whole stack (nn.LSTM num_layers=2, bidirectional or not) and the text
around it: the socket's `open` restores the session a `restore` with `stack` gives, every layer and
direction of which traces as PyTorch does, and a char model's next tokens are torch's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.opened import load
from tests.helpers import receive, require_torch
from tests.test_api_open import npy
from tests.test_session_stack import HIDDEN, INPUTS, STEPS, saved, torch_views


@pytest.fixture
def opened_dir(tmp_path: Path, override_settings: Callable[..., None]) -> Iterator[Path]:
    override_settings(open_dir=str(tmp_path / "opened"))
    yield tmp_path / "opened"


def post_open(client: TestClient, data: bytes, filename: str, **fields: Any) -> dict[str, Any]:
    files: dict[str, Any] = {"file": (filename, data)}
    if "inputs" in fields:
        files["inputs"] = ("x.npy", fields.pop("inputs"))
    answer = client.post("/api/open", files=files, data=fields)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def send(ws: Any, **message: Any) -> dict[str, Any]:
    ws.send_text(json.dumps(message))
    return receive(ws)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_an_opened_stack_shows_every_layer_and_direction_as_torch_runs_it(
    client: TestClient, opened_dir: Path, bidirectional: bool
) -> None:
    require_torch()
    import torch

    torch.manual_seed(11)
    lstm = torch.nn.LSTM(INPUTS, HIDDEN, num_layers=2, bidirectional=bidirectional).double()
    # what the file holds: float32, widened again (the session runs the stored numbers)
    lstm.load_state_dict({k: v.float().double() for k, v in lstm.state_dict().items()})
    x = np.random.default_rng(4).uniform(-1, 1, (STEPS, INPUTS))
    body = post_open(client, *saved(lstm.state_dict(), "safetensors"), inputs=npy(x))
    width = HIDDEN * (2 if bidirectional else 1)
    assert body["stack"] == [
        {"id": "l0", "H": HIDDEN, "D": INPUTS, "reverse": bidirectional},
        {"id": "l1", "H": HIDDEN, "D": width, "reverse": bidirectional},
    ]
    assert (body["T"], body["D"], body["H"], body["layer"]) == (STEPS, INPUTS, HIDDEN, "l0")
    views = torch_views(lstm, x)
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        opened = send(ws, type="open", id=1, open=body["id"])
        assert opened["type"] == "snapshot" and opened["ack"] == 1, opened
        assert opened["stack"]["shown"] == {"layer": 0, "reverse": False}
        assert [(v["layer"], v["reverse"]) for v in opened["stack"]["layers"]] == list(views)
        for (layer, reverse), (reads, h, c) in views.items():
            shown = send(ws, type="set_layer", id=2, layer=layer, reverse=reverse)
            assert shown["stack"]["shown"] == {"layer": layer, "reverse": reverse}
            assert shown["sizes"] == {"T": STEPS, "D": INPUTS, "H": HIDDEN}
            np.testing.assert_array_equal(shown["inputs"], x)  # layer 0's inputs stay
            np.testing.assert_allclose(shown["trace"]["x"], reads, atol=1e-6)
            np.testing.assert_allclose(shown["trace"]["h"], h, atol=1e-6)
            np.testing.assert_allclose(shown["trace"]["c"], c, atol=1e-6)
        # `reset` returns to the opened inputs, on the direction shown last (as after a restore)
        send(ws, type="set_input", id=3, t=2, j=0, value=0.9)
        reset = send(ws, type="reset", id=4)
        last = list(views)[-1]
        assert reset["stack"]["shown"] == {"layer": last[0], "reverse": last[1]}
        np.testing.assert_array_equal(reset["inputs"], x)
        np.testing.assert_allclose(reset["trace"]["h"], views[last][1], atol=1e-6)


def test_the_chosen_layer_is_the_one_shown_first(client: TestClient, opened_dir: Path) -> None:
    require_torch()
    import torch

    torch.manual_seed(12)
    lstm = torch.nn.LSTM(INPUTS, HIDDEN, num_layers=2, bidirectional=True).double()
    body = post_open(client, *saved(lstm.state_dict(), "npz"), layer="l1_reverse")
    assert body["layer"] == "l1_reverse" and body["D"] == INPUTS and len(body["stack"]) == 2
    kept = load(body["id"])
    assert kept.shown == (1, True) and kept.stack is not None and kept.weights is kept.stack.layers[1].reverse
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        opened = send(ws, type="open", id=1, open=body["id"])
    assert opened["stack"]["shown"] == {"layer": 1, "reverse": True}
    assert opened["sizes"] == {"T": 40, "D": INPUTS, "H": HIDDEN}
    _, h, _ = torch_views(lstm, np.zeros((40, INPUTS)))[1, True]
    np.testing.assert_allclose(opened["trace"]["h"], h, atol=1e-6)


def test_a_single_layer_opens_as_before_with_no_stack(client: TestClient, opened_dir: Path) -> None:
    require_torch()
    import torch

    lstm = torch.nn.LSTM(INPUTS, HIDDEN).double()
    body = post_open(client, *saved(lstm.state_dict(), "safetensors"))
    assert "stack" not in body and load(body["id"]).stack is None


def test_an_opened_char_model_on_a_stack_reads_text_and_guesses_torchs_next_five(
    client: TestClient, opened_dir: Path
) -> None:
    require_torch()
    import torch

    vocab = list("abcdefgh \n")
    torch.manual_seed(13)
    embed, lstm = torch.nn.Embedding(len(vocab), 5).double(), torch.nn.LSTM(5, 6, num_layers=2).double()
    decoder = torch.nn.Linear(6, len(vocab)).double()
    state = {"embed.weight": embed.weight, "decoder.weight": decoder.weight, "decoder.bias": decoder.bias}
    state |= {f"lstm.{name}": value for name, value in lstm.state_dict().items()}
    text = "bad cafe\nfed a bee"
    body = post_open(client, *saved(state, "safetensors", {"vocab": json.dumps(vocab)}), text=text)
    assert [layer["id"] for layer in body["stack"]] == ["lstm.l0", "lstm.l1"] and body["T"] == len(text)
    ids = torch.tensor([vocab.index(ch) for ch in text])
    with torch.no_grad():
        p = torch.softmax(decoder(lstm(embed(ids))[0]), dim=-1).numpy()
    expected = [[vocab[k] for k in np.argsort(-row, kind="stable")[:5]] for row in p]
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        opened = send(ws, type="open", id=1, open=body["id"])
        assert opened["model"]["text"]["decoder"] and opened["tokens"] == list(text)
        assert opened["top"]["tokens"] == expected
        np.testing.assert_allclose(opened["top"]["p"], np.sort(p, axis=1)[:, ::-1][:, :5], atol=1e-6)
        upper = send(ws, type="set_layer", id=2, layer=1)  # the decoder reads the top whichever is shown
        assert upper["top"]["tokens"] == expected and upper["tokens"] == list(text)


def test_a_stacks_own_input_travels_as_float32_beside_layer_0s_exact_inputs() -> None:
    """The shown layer's input is computed (float32, like every state); the inputs a user sets
    travel exactly: both whole, T = 1,000 of D = 256 no longer takes 4 MiB twice over."""
    from app.engine.lstm import LSTMWeights
    from app.engine.stack import Stack, StackLayer
    from app.scenarios import stacked_scenario
    from app.session import Session

    rng = np.random.default_rng(5)

    def layer(inputs: int) -> LSTMWeights:
        rows = 4 * HIDDEN
        shapes = {
            "weight_ih": (rows, inputs),
            "weight_hh": (rows, HIDDEN),
            "bias_ih": (rows,),
            "bias_hh": (rows,),
        }
        return LSTMWeights(**{name: rng.uniform(-1, 1, shape) for name, shape in shapes.items()})

    stack = Stack((StackLayer(layer(INPUTS)), StackLayer(layer(HIDDEN))))
    session = Session()
    session.begin(stacked_scenario(stack, (1, False)))
    snapshot = session.snapshot()
    assert snapshot["trace"]["x"].dtype == np.float32 and snapshot["inputs"].dtype == np.float64
    np.testing.assert_array_equal(snapshot["inputs"], session.x)
    np.testing.assert_allclose(snapshot["trace"]["x"], session.trace.x, atol=1e-6)
