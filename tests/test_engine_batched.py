"""The batched training pass: its forward agrees with lstm.run, its gradients with torch.autograd on
nn.LSTM + nn.Linear, and its Adam with torch.optim.Adam."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from app.engine import lstm
from app.engine.batched import (
    PARAM_NAMES,
    Adam,
    LossKind,
    Params,
    forward,
    init_params,
    loss_and_gradients,
)
from tests.helpers import require_torch

if TYPE_CHECKING:
    import torch


def case(kind: LossKind, seed: int = 5) -> tuple[Params, np.ndarray, np.ndarray]:
    """Random parameters (±0.8, so gates are far from ½), inputs and targets for B=6, T=30, D=3, H=5."""
    rng = np.random.default_rng(seed)
    outputs = 4 if kind == "class" else 2
    params = init_params(rng, inputs=3, hidden=5, outputs=outputs)
    params.flat[:] = rng.uniform(-0.8, 0.8, params.flat.size)
    x = rng.standard_normal((6, 30, 3))
    y = rng.integers(0, outputs, 6).astype(np.float64) if kind == "class" else rng.standard_normal((6, 2))
    return params, x, y


def test_the_batched_forward_reads_the_same_last_state_as_lstm_run() -> None:
    params, x, _ = case("value")
    run = forward(params, x)
    weights = params.lstm()
    for b, sequence in enumerate(x):
        trace = lstm.run(weights, sequence)
        np.testing.assert_allclose(run.h[1:, b], trace.h, rtol=0, atol=1e-13)
        np.testing.assert_allclose(run.c[1:, b], trace.c, rtol=0, atol=1e-13)
    head = weights_head(params)
    np.testing.assert_allclose(run.out, run.h[-1] @ head[0].T + head[1], atol=1e-14)


def weights_head(params: Params) -> tuple[np.ndarray, np.ndarray]:
    return params["head_weight"], params["head_bias"]


def torch_model(params: Params, dtype: Any) -> tuple[torch.nn.LSTM, torch.nn.Linear]:
    """nn.LSTM (batch_first) and nn.Linear holding the same numbers as `params`."""
    import torch

    inputs, hidden, outputs = params.sizes
    net = torch.nn.LSTM(inputs, hidden, batch_first=True, dtype=dtype)
    head = torch.nn.Linear(hidden, outputs, dtype=dtype)
    with torch.no_grad():
        for name in PARAM_NAMES:
            value = torch.from_numpy(params[name].copy()).to(dtype)
            if name.startswith("head_"):
                getattr(head, name.removeprefix("head_")).copy_(value)
            else:
                getattr(net, f"{name}_l0").copy_(value)
    return net, head


def torch_loss(net: Any, head: Any, x: np.ndarray, y: np.ndarray, kind: LossKind) -> torch.Tensor:
    import torch

    out, _ = net(torch.from_numpy(x).to(next(net.parameters()).dtype))
    logits = head(out[:, -1])
    if kind == "class":
        return torch.nn.functional.cross_entropy(logits, torch.from_numpy(y).long())
    return torch.nn.functional.mse_loss(logits, torch.from_numpy(y).to(logits.dtype))


def torch_grads(net: Any, head: Any) -> dict[str, np.ndarray]:
    named = {f"{name}": getattr(net, f"{name}_l0") for name in PARAM_NAMES[:4]}
    named |= {"head_weight": head.weight, "head_bias": head.bias}
    return {name: tensor.grad.detach().numpy() for name, tensor in named.items()}


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["class", "value"])
def test_batched_gradients_equal_torch_autograd(kind: LossKind) -> None:
    require_torch()
    import torch

    params, x, y = case(kind)
    loss, grads = loss_and_gradients(params, x, y, kind)
    net, head = torch_model(params, torch.float64)
    expected = torch_loss(net, head, x, y, kind)
    expected.backward()
    assert loss == pytest.approx(float(expected.detach()), rel=1e-12)
    for name, grad in torch_grads(net, head).items():
        assert np.abs(grad).max() > 1e-4, name  # a gradient that is all but zero would prove nothing
        np.testing.assert_allclose(grads[name], grad, rtol=1e-6, atol=1e-10, err_msg=name)


@pytest.mark.torch
def test_adam_takes_the_same_steps_as_torch_adam() -> None:
    require_torch()
    import torch

    params, x, y = case("class", seed=9)
    net, head = torch_model(params, torch.float64)
    optimiser = torch.optim.Adam([*net.parameters(), *head.parameters()], lr=0.05)
    adam = Adam.start(params)
    for _ in range(5):
        _, grads = loss_and_gradients(params, x, y, "class")
        adam.step(params, grads, lr=0.05)
        optimiser.zero_grad()
        torch_loss(net, head, x, y, "class").backward()
        optimiser.step()
    for name in PARAM_NAMES[:4]:
        np.testing.assert_allclose(params[name], getattr(net, f"{name}_l0").detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(params["head_weight"], head.weight.detach().numpy(), atol=1e-10)


def test_params_are_views_of_one_vector() -> None:
    params = init_params(np.random.default_rng(0), inputs=2, hidden=3, outputs=1, forget_bias=1.0)
    params.flat[:] = 0.0
    assert all(not params[name].any() for name in PARAM_NAMES)
    params["weight_hh"][0, 0] = 7.0
    assert params.flat.sum() == 7.0 and params.lstm().weight_hh[0, 0] == 7.0


def test_the_forget_bias_is_added_to_the_forget_rows_only() -> None:
    plain = init_params(np.random.default_rng(1), inputs=2, hidden=3, outputs=1, forget_bias=0.0)
    raised = init_params(np.random.default_rng(1), inputs=2, hidden=3, outputs=1, forget_bias=1.0)
    shift = raised["bias_ih"] - plain["bias_ih"]
    np.testing.assert_allclose(shift, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(raised["bias_hh"], plain["bias_hh"])
