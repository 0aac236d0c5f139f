"""POST /api/trace with "gradients", and with "model": "rnn" and "model": "gru"."""

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine import gru, rnn
from app.engine.backprop import lstm_backward, rnn_backward
from app.engine.gru_backprop import gru_backward
from app.engine.lstm import LSTMWeights, run
from tests.helpers import random_weights, require_torch


def lstm_body(seed: int = 0, inputs: int = 2, hidden: int = 3, steps: int = 15) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {
        "weights": random_weights(rng, inputs, hidden),
        "x": rng.standard_normal((steps, inputs)).tolist(),
        "h0": rng.uniform(-0.5, 0.5, hidden).tolist(),
    }


def other_model_body(
    model: str, seed: int = 0, inputs: int = 4, hidden: int = 3, steps: int = 50
) -> dict[str, Any]:
    """A request for the plain RNN (`rnn`, one block of rows) or the GRU (`gru`, three)."""
    rng = np.random.default_rng(seed)
    return {
        "model": model,
        "weights": random_weights(rng, inputs, hidden, blocks={"rnn": 1, "gru": 3}[model]),
        "x": rng.standard_normal((steps, inputs)).tolist(),
        "h0": rng.uniform(-0.5, 0.5, hidden).tolist(),
    }


rnn_body = partial(other_model_body, "rnn")
gru_body = partial(other_model_body, "gru")


def arrays(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    return {k: np.array(v) for k, v in payload["weights"].items()}


@pytest.mark.parametrize("target", ["sum", 0, 2])
def test_lstm_gradients_come_back_beside_the_trace(client: TestClient, target: str | int) -> None:
    payload = lstm_body() | {"gradients": {"target": target}}
    data = client.post("/api/trace", json=payload).json()

    weights = LSTMWeights(**arrays(payload))
    expected = lstm_backward(
        weights,
        run(weights, np.array(payload["x"]), np.array(payload["h0"])),
        None if target == "sum" else int(target),
    )
    for name in ("dL_dc", "dL_dh", "dL_dx", "belt"):
        np.testing.assert_allclose(data[name], getattr(expected, name), atol=1e-12)
    assert np.shape(data["dL_dx"]) == (15, 2) and np.shape(data["dL_dc"]) == (15, 3)


def test_lstm_gradients_match_torch_autograd(client: TestClient) -> None:
    require_torch()
    import torch

    payload = lstm_body(seed=5, inputs=3, hidden=4, steps=50) | {"gradients": {"target": 1}}
    data = client.post("/api/trace", json=payload).json()

    cell = torch.nn.LSTMCell(3, 4, dtype=torch.float64)
    with torch.no_grad():
        for name, value in payload["weights"].items():
            getattr(cell, name).copy_(torch.tensor(value, dtype=torch.float64))
    x = torch.tensor(payload["x"], dtype=torch.float64, requires_grad=True)
    h = torch.tensor([payload["h0"]], dtype=torch.float64)
    c = torch.zeros(1, 4, dtype=torch.float64)
    cells = []
    for t in range(50):
        h, c = cell(x[t : t + 1], (h, c))
        c.retain_grad()
        cells.append(c)
    h[0, 1].backward()
    assert x.grad is not None
    np.testing.assert_allclose(data["dL_dx"], x.grad.numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(
        data["dL_dc"], np.concatenate([c.grad.numpy() for c in cells]), rtol=1e-6, atol=1e-12
    )


def test_without_gradients_no_gradient_keys_are_returned(client: TestClient) -> None:
    data = client.post("/api/trace", json=lstm_body()).json()
    assert not {"dL_dc", "dL_dh", "dL_dx", "belt"} & set(data)


def test_rnn_model_returns_its_trace_and_gradients(client: TestClient) -> None:
    payload = rnn_body() | {"gradients": {"target": "sum"}}
    data = client.post("/api/trace", json=payload).json()

    weights = rnn.RNNWeights(**arrays(payload))
    trace = rnn.run(weights, np.array(payload["x"]), np.array(payload["h0"]))
    grads = rnn_backward(weights, trace)
    assert set(data) == {"x", "h_prev", "pre", "h", "dL_dh", "dL_dx"}
    np.testing.assert_allclose(data["h"], trace.h, atol=1e-12)
    np.testing.assert_allclose(data["dL_dh"], grads.dL_dh, atol=1e-12)
    np.testing.assert_allclose(data["dL_dx"], grads.dL_dx, atol=1e-12)


@pytest.mark.parametrize(("module", "body"), [("RNN", rnn_body), ("GRU", gru_body)])
def test_other_models_match_their_torch_module(
    client: TestClient, module: str, body: Callable[..., dict[str, Any]]
) -> None:
    require_torch()
    import torch

    payload = body(seed=6, inputs=5, hidden=3, steps=60)
    data = client.post("/api/trace", json=payload).json()

    layer = getattr(torch.nn, module)(5, 3, dtype=torch.float64)
    with torch.no_grad():
        for name, value in payload["weights"].items():
            getattr(layer, f"{name}_l0").copy_(torch.tensor(value, dtype=torch.float64))
        output, _ = layer(
            torch.tensor(payload["x"], dtype=torch.float64),
            torch.tensor([payload["h0"]], dtype=torch.float64),
        )
    np.testing.assert_allclose(data["h"], output.numpy(), atol=1e-6, rtol=0)


@pytest.mark.parametrize("reset_after", [None, True, False])
def test_gru_model_returns_its_trace_and_gradients(client: TestClient, reset_after: bool | None) -> None:
    payload = gru_body(seed=5) | {"gradients": {"target": 1}}
    if reset_after is not None:
        payload["reset_after"] = reset_after
    data = client.post("/api/trace", json=payload).json()

    weights = gru.GRUWeights(**arrays(payload), reset_after=reset_after is not False)
    trace = gru.run(weights, np.array(payload["x"]), np.array(payload["h0"]))
    grads = gru_backward(weights, trace, target=1)
    assert set(data) == {*gru.GRU_QUANTITIES, "dL_dh", "dL_dx", "belt"}
    for name in gru.GRU_QUANTITIES:
        np.testing.assert_allclose(data[name], getattr(trace, name), atol=1e-12, err_msg=name)
    for name in ("dL_dh", "dL_dx", "belt"):
        np.testing.assert_allclose(data[name], getattr(grads, name), atol=1e-12, err_msg=name)
    assert np.max(data["belt"]) <= 1.0


def bad_bodies() -> list[tuple[dict[str, Any], str]]:
    ragged_gru = gru_body()
    ragged_gru["weights"]["weight_ih"] = ragged_gru["weights"]["weight_ih"][:8]
    ragged_lstm = lstm_body()
    ragged_lstm["weights"]["weight_ih"] = ragged_lstm["weights"]["weight_ih"][:10]
    return [
        (lstm_body() | {"gradients": {"target": 3}}, "gradients.target=3 is out of range: H=3"),
        (lstm_body() | {"model": "transformer"}, "Input should be 'lstm', 'gru' or 'rnn'"),
        # An LSTM's 12 rows read as a GRU's mean H = 4, which its weight_hh (3 wide) contradicts.
        (lstm_body() | {"model": "gru"}, "weight_hh[0] has 3 values, expected 4"),
        (gru_body() | {"c0": [0.0, 0.0, 0.0]}, "c0 is for an LSTM; a GRU has no cell state"),
        (lstm_body() | {"reset_after": False}, "reset_after is for a GRU only"),
        (ragged_gru, "weight_ih has 8 rows; a GRU needs 3H rows (gates r, z, n)"),
        (ragged_lstm, "weight_ih has 10 rows; an LSTM needs 4H rows"),
        (lstm_body() | {"model": "rnn"}, "weight_hh[0] has 3 values, expected 12"),
        (rnn_body() | {"c0": [0.0, 0.0, 0.0]}, "c0 is for an LSTM; a plain RNN has no cell state"),
        (rnn_body() | {"gradients": {"target": -1}}, "greater than or equal to 0"),
    ]


@pytest.mark.parametrize(("payload", "message"), bad_bodies())
def test_bad_gradient_and_model_requests_are_explained(
    client: TestClient, payload: dict[str, Any], message: str
) -> None:
    response = client.post("/api/trace", json=payload)
    assert response.status_code == 422
    assert message in " | ".join(problem["msg"] for problem in response.json()["detail"])
