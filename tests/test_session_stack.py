"""A session that holds a stack (nn.LSTM num_layers=2, bidirectional or not), uploaded through
POST /api/weights and restored whole: each layer and direction shown in turn against PyTorch, layer
0's inputs kept across set_layer, a slider move recomputing the stack, and a char model's next tokens."""

import io
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.messages import ClientMessage
from app.session import Session
from tests.helpers import require_torch

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)
STEPS, INPUTS, HIDDEN = 9, 3, 4
ROLES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def saved(state: dict[str, Any], fmt: str, metadata: dict[str, str] | None = None) -> tuple[bytes, str]:
    arrays = {name: value.detach().numpy() for name, value in state.items()}
    if fmt == "safetensors":
        from safetensors.numpy import save

        return save(arrays, metadata=metadata), "model.safetensors"
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue(), "model.npz"


def upload(client: TestClient, data: bytes, filename: str) -> dict[str, Any]:
    response = client.post("/api/weights", files={"file": (filename, data)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def cell_steps(state: dict[str, Any], name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h and c of one direction stepped by nn.LSTMCell over x (in that direction's order)."""
    import torch

    cell = torch.nn.LSTMCell(x.shape[1], HIDDEN).double()
    cell.load_state_dict({role: state[f"{role}_{name}"] for role in ROLES})
    h = c = torch.zeros(1, HIDDEN, dtype=torch.float64)
    hs, cs = [], []
    with torch.no_grad():
        for row in torch.from_numpy(np.ascontiguousarray(x)):
            h, c = cell(row[None], (h, c))
            hs.append(h[0].numpy().copy())
            cs.append(c[0].numpy().copy())
    return np.array(hs), np.array(cs)


def torch_views(
    lstm: Any, x: np.ndarray
) -> dict[tuple[int, bool], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(layer, reverse) → (its input in its own order, h, c), each direction stepped by LSTMCell."""
    state = {name: value for name, value in lstm.state_dict().items()}
    views, below = {}, x
    for k in range(lstm.num_layers):
        h, c = cell_steps(state, f"l{k}", below)
        views[k, False] = (below, h, c)
        outputs = [h]
        if lstm.bidirectional:
            h_rev, c_rev = cell_steps(state, f"l{k}_reverse", below[::-1])
            views[k, True] = (below[::-1], h_rev, c_rev)
            outputs.append(h_rev[::-1])
        below = np.concatenate(outputs, axis=1)
    return views


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_layer_and_direction_shown_matches_torch_and_keeps_layer_0s_inputs(
    client: TestClient, fmt: str, bidirectional: bool
) -> None:
    require_torch()
    import torch

    torch.manual_seed(7)
    lstm = torch.nn.LSTM(INPUTS, HIDDEN, num_layers=2, bidirectional=bidirectional).double()
    body = upload(client, *saved(lstm.state_dict(), fmt))
    assert [layer["id"] for layer in body["stack"]] == ["l0", "l1"]
    x = np.random.default_rng(3).uniform(-1, 1, (STEPS, INPUTS))
    session = Session()
    [snapshot] = session.apply([msg(type="restore", stack=body["stack"], x=x.tolist())])
    views = torch_views(lstm, x)
    assert snapshot["stack"]["shown"] == {"layer": 0, "reverse": False}
    assert [(v["layer"], v["reverse"]) for v in snapshot["stack"]["layers"]] == list(views)
    for (layer, reverse), (reads, h, c) in views.items():
        [shown] = session.apply([msg(type="set_layer", layer=layer, reverse=reverse)])
        assert shown["type"] == "snapshot" and shown["stack"]["shown"] == {"layer": layer, "reverse": reverse}
        np.testing.assert_array_equal(shown["inputs"], x)  # layer 0's inputs stay
        assert shown["sizes"] == {"T": STEPS, "D": INPUTS, "H": HIDDEN}
        np.testing.assert_allclose(session.trace.x, reads, atol=1e-6)
        np.testing.assert_allclose(session.trace.h, h, atol=1e-6)
        np.testing.assert_allclose(session.trace.c, c, atol=1e-6)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_move_of_a_layer_0_input_recomputes_the_layer_shown(
    client: TestClient, bidirectional: bool
) -> None:
    require_torch()
    import torch

    torch.manual_seed(8)
    lstm = torch.nn.LSTM(INPUTS, HIDDEN, num_layers=2, bidirectional=bidirectional).double()
    body = upload(client, *saved(lstm.state_dict(), "safetensors"))
    session = Session()
    session.apply([msg(type="restore", stack=body["stack"], layer=1)])
    [frame] = session.apply([msg(type="set_input", t=5, j=1, value=0.75)])
    x = np.zeros((40, INPUTS))
    x[5, 1] = 0.75
    _, h, c = torch_views(lstm, x)[1, False]
    # forward layers: from the step that moved; a reverse one below reads it at every step
    assert frame["type"] == "frame" and frame["start"] == (0 if bidirectional else 5)
    np.testing.assert_allclose(session.trace.h, h, atol=1e-6)
    np.testing.assert_allclose(session.trace.c, c, atol=1e-6)
    # layer 0's inputs: the rows from start through the one that moved (the client holds the rest)
    assert frame["x_end"] == 6
    np.testing.assert_array_equal(frame["inputs"], x[frame["start"] : 6])


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_a_char_model_on_a_two_layer_stack_matches_torch_and_guesses_its_next_five(
    client: TestClient, fmt: str
) -> None:
    """Embedding → 2-layer LSTM → Linear, saved both ways with its vocabulary (safetensors metadata,
    or an .npz string array): every layer's h and c and the top five next tokens are PyTorch's."""
    require_torch()
    import torch

    vocab = list("abcdefgh \n")
    torch.manual_seed(9)
    embed, lstm = torch.nn.Embedding(len(vocab), 5).double(), torch.nn.LSTM(5, HIDDEN, num_layers=2).double()
    decoder = torch.nn.Linear(HIDDEN, len(vocab)).double()
    state = {"embed.weight": embed.weight, "decoder.weight": decoder.weight, "decoder.bias": decoder.bias}
    state |= {f"lstm.{name}": value for name, value in lstm.state_dict().items()}
    if fmt == "safetensors":
        body = upload(client, *saved(state, fmt, {"vocab": json.dumps(vocab)}))
    else:
        buffer = io.BytesIO()
        arrays = {k: v.detach().numpy() for k, v in state.items()} | {"vocab": np.array(vocab)}
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        body = upload(client, buffer.getvalue(), "model.npz")
    assert body["text"]["vocab"] == vocab and "decoder_weight" in body["text"]
    session = Session()
    session.apply([msg(type="restore", stack=body["stack"], text=body["text"])])
    text = "bad cafe\nfed a bee"
    ids = torch.tensor([vocab.index(ch) for ch in text])
    with torch.no_grad():
        p = torch.softmax(decoder(lstm(embed(ids))[0]), dim=-1).numpy()
        views = torch_views(lstm, embed(ids).numpy())
    expected = [[vocab[k] for k in np.argsort(-row, kind="stable")[:5]] for row in p]
    session.apply([msg(type="set_text", text=text)])
    for layer in (0, 1):  # the decoder reads the top of the stack whichever layer is shown
        session.apply([msg(type="set_layer", layer=layer)])
        _, h, c = views[layer, False]
        np.testing.assert_allclose(session.trace.h, h, atol=1e-6)
        np.testing.assert_allclose(session.trace.c, c, atol=1e-6)
        reply = session.snapshot()
        assert reply["top"]["tokens"][: len(text)] == expected
        top_p = np.sort(p, axis=1)[:, ::-1][:, :5]
        np.testing.assert_allclose(reply["top"]["p"][: len(text)], top_p, atol=1e-6)


def test_a_layer_that_is_not_there_is_refused_and_changes_nothing(client: TestClient) -> None:
    require_torch()
    import torch

    lstm = torch.nn.LSTM(INPUTS, HIDDEN, num_layers=2).double()
    body = upload(client, *saved(lstm.state_dict(), "npz"))
    session = Session()
    session.apply([msg(type="restore", stack=body["stack"])])
    revision = session.revision
    for fields, field, code in (
        ({"layer": 2}, "layer", "layer_out_of_range"),
        ({"layer": 1, "reverse": True}, "reverse", "layer_has_no_reverse"),
    ):
        [error] = session.apply([msg(type="set_layer", **fields)])
        assert (error["field"], error["code"]) == (field, code)
    assert session.revision == revision and session.scenario.shown == (0, False)
    [error] = Session().apply([msg(type="set_layer", layer=0)])
    assert (error["field"], error["code"]) == ("layer", "not_a_stack")
    weights = body["stack"][0]["weights"]
    [error] = Session().apply([msg(type="restore", stack=body["stack"], weights=weights)])
    assert (error["field"], error["code"]) == ("stack", "stack_or_weights")
    [error] = Session().apply([msg(type="restore", stack=body["stack"][::-1])])
    assert (error["field"], error["code"]) == ("stack", "bad_stack")


@pytest.mark.parametrize("shown", [0, 1])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_moves_rerun_the_other_layers_from_where_their_inputs_changed_and_match_torch(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, bidirectional: bool, shown: int
) -> None:
    """A char model on a stack: after each slider move, every direction (the shown one, the kept
    ones below and above it) and the next tokens as a page holds them (the snapshot's, each frame's
    rows from its start) equal PyTorch's; a forward stack reruns its other layer only from the move."""
    require_torch()
    import torch

    from app.engine import stack as stack_module
    from app.engine.lstm import run

    vocab = list("abcdefgh \n")
    torch.manual_seed(10 + bidirectional)
    embed = torch.nn.Embedding(len(vocab), 5).double()
    lstm = torch.nn.LSTM(5, HIDDEN, num_layers=2, bidirectional=bidirectional).double()
    decoder = torch.nn.Linear(HIDDEN * (1 + bidirectional), len(vocab)).double()
    state = {"embed.weight": embed.weight, "decoder.weight": decoder.weight, "decoder.bias": decoder.bias}
    state |= {f"lstm.{name}": value for name, value in lstm.state_dict().items()}
    body = upload(client, *saved(state, "safetensors", {"vocab": json.dumps(vocab)}))
    session = Session()
    session.apply([msg(type="restore", stack=body["stack"], text=body["text"], layer=shown)])
    [held] = session.apply([msg(type="set_text", text="bad cafe\nfed a bee")])
    top, chances = list(held["top"]["tokens"]), np.array(held["top"]["p"])
    rows: list[int] = []

    def counted(*args: Any) -> Any:
        rows.append(len(args[1]))
        return run(*args)

    monkeypatch.setattr(stack_module, "run", counted)
    for move, (t, value) in enumerate(((9, 0.75), (4, -0.5), (15, 0.25))):
        rows.clear()
        [frame] = session.apply([msg(type="set_input", t=t, j=1, value=value)])
        top[frame["start"] :] = frame["top"]["tokens"]
        chances[frame["start"] :] = frame["top"]["p"]
        x = session.x
        if not bidirectional:
            assert rows == [len(x) - t]  # the other layer ran from the move only
        views = torch_views(lstm, x)
        _, h, c = views[shown, False]
        np.testing.assert_allclose(session.trace.h, h, atol=1e-6)
        np.testing.assert_allclose(session.trace.c, c, atol=1e-6)
        assert set(session.results.kept) == set(views) - {(shown, False)}, move
        for view, kept in session.results.kept.items():
            np.testing.assert_allclose(kept.h, views[view][1], atol=1e-6)
            np.testing.assert_allclose(kept.c, views[view][2], atol=1e-6)
        with torch.no_grad():
            p = torch.softmax(decoder(lstm(torch.from_numpy(x))[0]), dim=-1).numpy()
        assert top == [[vocab[k] for k in np.argsort(-row, kind="stable")[:5]] for row in p], move
        np.testing.assert_allclose(chances, np.sort(p, axis=1)[:, ::-1][:, :5], atol=1e-6)
