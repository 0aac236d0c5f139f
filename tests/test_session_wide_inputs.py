"""Inputs too large for a message (T = 1,000 of D = 1,024; T = 10,000 of D = 256) no longer stop a
model from opening: snapshots and frames carry the inputs' first columns that fit, say how many, and
stay under the limit, while the model still reads every input (its numbers are PyTorch's) and a
`set_input` may still set one the page does not hold."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from app.config import get_settings
from app.engine.lstm import LSTMWeights
from app.engine.stack import Stack, StackLayer
from app.messages import ClientMessage
from app.scenarios import custom_scenario, stacked_scenario
from app.session import INPUT_COLUMNS, Session
from app.wire import encoded_size
from tests.helpers import require_torch

messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def layer(rng: np.random.Generator, inputs: int, hidden: int) -> LSTMWeights:
    rows, k = 4 * hidden, 1 / np.sqrt(hidden)  # nn.LSTM's own initialisation: not chaotic
    return LSTMWeights(
        weight_ih=rng.uniform(-0.05, 0.05, (rows, inputs)),
        weight_hh=rng.uniform(-k, k, (rows, hidden)),
        bias_ih=rng.uniform(-0.1, 0.1, rows),
        bias_hh=rng.uniform(-0.1, 0.1, rows),
    )


def torch_h(weights: list[LSTMWeights], x: np.ndarray) -> list[np.ndarray]:
    """Every layer's h of the stack, by nn.LSTM (float64)."""
    require_torch()
    import torch

    lstm = torch.nn.LSTM(x.shape[1], weights[0].hidden_size, num_layers=len(weights), dtype=torch.float64)
    with torch.no_grad():
        for k, w in enumerate(weights):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(lstm, f"{name}_l{k}").copy_(torch.from_numpy(getattr(w, name)))
        hs, below = [], torch.from_numpy(x)[:, None]
        for k in range(len(weights)):  # each layer's own h: nn.LSTM returns only the top's
            one = torch.nn.LSTM(below.shape[2], weights[k].hidden_size, dtype=torch.float64)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(one, f"{name}_l0").copy_(getattr(lstm, f"{name}_l{k}"))
            below = one(below)[0]
            hs.append(below[:, 0].numpy().copy())
    return hs


@pytest.mark.parametrize(("steps", "inputs"), [(1000, 1024), (10_000, 256)])
def test_a_model_whose_inputs_pass_a_message_opens_with_their_first_columns(steps: int, inputs: int) -> None:
    rng = np.random.default_rng(steps)
    weights = layer(rng, inputs, 8)
    x = rng.uniform(-1, 1, (steps, inputs))
    session = Session()
    snapshot = session.begin(replace(custom_scenario(weights, "wide", steps), x=x))
    held = snapshot["x_columns"]
    room = get_settings().max_message_bytes / 2
    assert held == min(INPUT_COLUMNS, int(room // (8 * steps))) < inputs
    np.testing.assert_array_equal(snapshot["trace"]["x"], x[:, :held])
    assert encoded_size(snapshot) <= get_settings().max_message_bytes
    [h] = torch_h([weights], x)
    units = snapshot["units"] or list(range(8))
    np.testing.assert_allclose(snapshot["trace"]["h"], h[:, units], atol=1e-6)

    # An input the page does not hold is set as any other, and the frame still carries the first columns.
    t, j = steps // 2, inputs - 1
    move = messages.validate_python({"type": "set_input", "id": 1, "t": t, "j": j, "value": 0.9})
    [frame] = session.apply([move])
    assert frame["type"] == "frame" and frame["start"] == t and frame["x_columns"] == held, frame.get("code")
    frames = [frame]
    while session.computing:  # T = 10,000 reruns in parts (docs/protocol.md): each brings its rows
        [frame] = session.apply([])
        assert frame["start"] == frames[-1]["end"] and frame["x_columns"] == held
        frames.append(frame)
    x[t, j] = 0.9
    [h] = torch_h([weights], x)
    rows = {name: np.concatenate([f["trace"][name] for f in frames]) for name in ("h", "x")}
    np.testing.assert_allclose(rows["h"], h[t:, units], atol=1e-6)
    # of the inputs, the row that moved, in the first part; the later parts carry none
    assert [f["x_end"] for f in frames] == [t + 1] + [f["start"] for f in frames[1:]]
    np.testing.assert_array_equal(rows["x"], x[t : t + 1, :held])


def test_cut_inputs_say_whether_they_are_still_the_models_own() -> None:
    rng = np.random.default_rng(9)
    steps, inputs = 1000, 1024
    x = rng.uniform(-1, 1, (steps, inputs))
    session = Session()
    snapshot = session.begin(replace(custom_scenario(layer(rng, inputs, 4), "wide", steps), x=x))
    assert snapshot["x_columns"] < inputs and snapshot["inputs_own"] is True

    def moved(value: float) -> Any:
        move = {"type": "set_input", "id": 1, "t": 5, "j": inputs - 1, "value": value}
        [frame] = session.apply([messages.validate_python(move)])
        return frame["inputs_own"]

    own = float(x[5, inputs - 1])
    # a column the page does not hold counts too; back to the very number, they are the own again
    assert [moved(0.25), moved(own), moved(-0.0 if own == 0.0 else own + 1e-12)] == [False, True, False]
    # inputs that travel whole say it too (a link to a kept model may leave them out)
    session = Session()
    assert session.snapshot()["inputs_own"] is True
    [frame] = session.apply([messages.validate_python({"type": "set_input", "t": 0, "j": 0, "value": 0.5})])
    assert frame["inputs_own"] is False


def test_a_stack_sends_the_first_columns_of_both_its_inputs() -> None:
    rng = np.random.default_rng(3)
    steps, inputs, hidden = 1000, 1024, 600
    weights = [layer(rng, inputs, hidden), layer(rng, hidden, hidden)]
    stack = Stack(tuple(StackLayer(w) for w in weights))
    x = rng.uniform(-1, 1, (steps, inputs))
    session = Session()
    session.begin(replace(stacked_scenario(stack, (0, False)), x=x))
    [shown] = session.apply([messages.validate_python({"type": "set_layer", "id": 1, "layer": 1})])
    assert shown["type"] == "snapshot", shown.get("code")
    assert shown["inputs_columns"] == 64 and shown["x_columns"] == 64  # float32 layer output: 4 bytes
    np.testing.assert_array_equal(shown["inputs"], x[:, :64])
    _, h1 = torch_h(weights, x)
    np.testing.assert_allclose(shown["trace"]["x"], session.trace.x[:, :64], atol=1e-6)
    units = shown["units"]
    np.testing.assert_allclose(shown["trace"]["h"], h1[:, units], atol=1e-6)
    assert encoded_size(shown) <= get_settings().max_message_bytes


def test_the_gradients_reaching_the_inputs_travel_in_the_same_columns() -> None:
    rng = np.random.default_rng(5)
    steps, inputs = 1000, 1024
    weights = layer(rng, inputs, 4)
    session = Session()
    session.begin(replace(custom_scenario(weights, "wide", steps), x=rng.uniform(-1, 1, (steps, inputs))))
    [shown] = session.apply([messages.validate_python({"type": "views", "shown": ["belt", "gradients"]})])
    held = shown["x_columns"]
    assert shown["type"] == "frame" and shown["gradients"]["dL_dx"].shape == (steps, held), shown.get("code")
    assert shown["rnn"]["dL_dx"].shape == (steps, held)
    np.testing.assert_array_equal(shown["gradients"]["dL_dx"], session.results.gradients.dL_dx[:, :held])
    assert encoded_size(shown) <= get_settings().max_message_bytes


def test_inputs_that_fit_travel_whole() -> None:
    snapshot = Session().snapshot()
    assert snapshot["x_columns"] == snapshot["sizes"]["D"] == len(snapshot["trace"]["x"][0])


def test_a_stack_over_10000_steps_fits_a_message_on_either_layer() -> None:
    """Layer 0's inputs and the shown layer's own share the inputs' half of a message: both at
    T = 10,000 once passed the limit together."""
    rng = np.random.default_rng(6)
    steps, inputs, hidden = 10_000, 256, 64
    stack = Stack((StackLayer(layer(rng, inputs, hidden)), StackLayer(layer(rng, hidden, hidden))))
    session = Session()
    first = session.begin(replace(stacked_scenario(stack, (0, False)), x=rng.uniform(-1, 1, (steps, inputs))))
    [upper] = session.apply([messages.validate_python({"type": "set_layer", "id": 1, "layer": 1})])
    for reply in (first, upper):
        assert reply["type"] == "snapshot", reply.get("code")
        assert encoded_size(reply) <= get_settings().max_message_bytes
        assert reply["inputs_columns"] < inputs and reply["inputs"].shape == (steps, reply["inputs_columns"])
