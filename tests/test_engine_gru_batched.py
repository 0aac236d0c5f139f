"""The batched GRU training pass: its forward agrees with gru.run, its gradients with torch.autograd
on nn.GRU + nn.Linear and with finite differences, and the update gate's bias is where
`keep_bias` goes."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import gru
from app.engine.batched import PARAM_NAMES, LossKind, Params
from app.engine.gru_batched import forward, gru_of, init_params, loss_and_gradients
from tests.helpers import require_torch


def case(kind: LossKind, seed: int = 5) -> tuple[Params, np.ndarray, np.ndarray]:
    """Random parameters (±0.8), inputs and targets for B=6, T=25, D=3, H=5."""
    rng = np.random.default_rng(seed)
    outputs = 4 if kind == "class" else 2
    params = init_params(rng, inputs=3, hidden=5, outputs=outputs)
    params.flat[:] = rng.uniform(-0.8, 0.8, params.flat.size)
    x = rng.standard_normal((6, 25, 3))
    y = rng.integers(0, outputs, 6).astype(np.float64) if kind == "class" else rng.standard_normal((6, 2))
    return params, x, y


def test_the_batched_forward_reads_the_same_states_as_gru_run() -> None:
    params, x, _ = case("value")
    run = forward(params, x)
    weights = gru_of(params)
    for b, sequence in enumerate(x):
        trace = gru.run(weights, sequence)
        np.testing.assert_allclose(run.h[1:, b], trace.h, rtol=0, atol=1e-13)
        np.testing.assert_allclose(run.z[:, b], trace.z, rtol=0, atol=1e-13)
    np.testing.assert_allclose(run.out, run.h[-1] @ params["head_weight"].T + params["head_bias"], atol=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["class", "value"])
def test_gradients_match_torch_autograd_on_nn_gru_and_a_linear_head(kind: LossKind) -> None:
    require_torch()
    import torch

    params, x, y = case(kind)
    inputs, hidden, outputs = params.sizes
    net = torch.nn.GRU(inputs, hidden, batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(hidden, outputs, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(net, f"{name}_l0").copy_(torch.from_numpy(params[name].copy()))
        head.weight.copy_(torch.from_numpy(params["head_weight"].copy()))
        head.bias.copy_(torch.from_numpy(params["head_bias"].copy()))
    out = head(net(torch.from_numpy(x))[0][:, -1])
    if kind == "class":
        loss = torch.nn.functional.cross_entropy(out, torch.from_numpy(y).long())
    else:
        loss = torch.nn.functional.mse_loss(out, torch.from_numpy(y))
    loss.backward()

    ours, grads = loss_and_gradients(params, x, y, kind)
    assert ours == pytest.approx(loss.item(), rel=1e-12)
    theirs = {
        f"{name}": getattr(net, f"{name}_l0").grad
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    }
    theirs |= {"head_weight": head.weight.grad, "head_bias": head.bias.grad}
    for name in PARAM_NAMES:
        grad = theirs[name]
        assert grad is not None
        np.testing.assert_allclose(grads[name], grad.numpy(), rtol=1e-9, atol=1e-13, err_msg=name)


def test_gradients_match_finite_differences() -> None:
    params, x, y = case("class", seed=8)
    _, grads = loss_and_gradients(params, x[:3, :12], y[:3], "class")
    rng = np.random.default_rng(0)
    for index in rng.choice(params.flat.size, 25, replace=False):
        step = 1e-6
        plus, minus = params.copy(), params.copy()
        plus.flat[index] += step
        minus.flat[index] -= step
        numeric = (
            loss_and_gradients(plus, x[:3, :12], y[:3], "class")[0]
            - loss_and_gradients(minus, x[:3, :12], y[:3], "class")[0]
        ) / (2 * step)
        assert grads.flat[index] == pytest.approx(numeric, rel=1e-5, abs=1e-9), index


def test_keep_bias_opens_the_update_gate_only() -> None:
    plain = init_params(np.random.default_rng(1), inputs=2, hidden=4, outputs=2)
    kept = init_params(np.random.default_rng(1), inputs=2, hidden=4, outputs=2, keep_bias=1.0)
    shift = kept["bias_ih"] - plain["bias_ih"]
    np.testing.assert_allclose(shift, np.repeat([0.0, 1.0, 0.0], 4), atol=1e-15)  # rows r, z, n
    assert np.array_equal(kept["weight_hh"], plain["weight_hh"]) and kept["weight_ih"].shape == (12, 2)
