"""Backpropagation through time against finite differences, against torch.autograd, and the
concept itself: along the belt the gradient survives, through a plain RNN's tanh(W h) it fades."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pytest

from app.engine import lstm, rnn
from app.engine.backprop import lstm_backward, rnn_backward
from app.engine.lstm import LSTMWeights
from app.engine.rnn import RNNWeights
from tests.helpers import require_torch

if TYPE_CHECKING:
    import torch

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
TARGETS = [None, 2]  # L = Σ_k h_{T-1}[k], and L = h_{T-1}[2]


def lstm_case(
    seed: int, inputs: int = 3, hidden: int = 4, steps: int = 12, scale: float = 1.0
) -> tuple[LSTMWeights, np.ndarray, np.ndarray, np.ndarray]:
    """Weights uniform in ±scale, inputs ~ N(0, 1), non-zero h0 and c0."""
    rng = np.random.default_rng(seed)
    weights = LSTMWeights(
        *(rng.uniform(-scale, scale, shape) for shape in _shapes(4 * hidden, inputs, hidden))
    )
    return (
        weights,
        rng.standard_normal((steps, inputs)),
        rng.uniform(-0.9, 0.9, hidden),
        rng.standard_normal(hidden),
    )


def rnn_case(
    seed: int, inputs: int = 3, hidden: int = 4, steps: int = 12, scale: float = 1.0
) -> tuple[RNNWeights, np.ndarray, np.ndarray]:
    """Weights uniform in ±scale, inputs ~ N(0, 1), non-zero h0."""
    rng = np.random.default_rng(seed)
    weights = RNNWeights(*(rng.uniform(-scale, scale, shape) for shape in _shapes(hidden, inputs, hidden)))
    return weights, rng.standard_normal((steps, inputs)), rng.uniform(-0.9, 0.9, hidden)


def _shapes(rows: int, inputs: int, hidden: int) -> list[tuple[int, ...]]:
    return [(rows, inputs), (rows, hidden), (rows,), (rows,)]


def loss(h: np.ndarray, target: int | None) -> float:
    """The scalar the backward pass differentiates, written out independently of it."""
    last = h[-1]
    return float(last.sum() if target is None else last[target])


def numeric_gradient(f: Callable[[np.ndarray], float], at: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of f at every element of `at` (error ~eps², far below the tolerance)."""
    grad = np.empty_like(at)
    for index in np.ndindex(at.shape):
        plus, minus = at.copy(), at.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def assert_close(actual: np.ndarray, expected: np.ndarray, name: str) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9, err_msg=name)


# --- (a) against finite differences of the engine's own forward pass -----------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_lstm_dL_dx_matches_finite_differences_at_every_step(target: int | None) -> None:
    weights, x, h0, c0 = lstm_case(seed=1)
    grads = lstm_backward(weights, lstm.run(weights, x, h0, c0), target)

    numeric = numeric_gradient(lambda xs: loss(lstm.run(weights, xs, h0, c0).h, target), x)

    assert_close(grads.dL_dx, numeric, "dL/dx")


@pytest.mark.parametrize("target", TARGETS)
def test_lstm_dL_dc_and_dL_dh_match_finite_differences_of_the_state(target: int | None) -> None:
    weights, x, h0, c0 = lstm_case(seed=2)
    trace = lstm.run(weights, x, h0, c0)
    grads = lstm_backward(weights, trace, target)

    def loss_from(t: int, h_t: np.ndarray, c_t: np.ndarray) -> float:
        """L when the state after step t is (h_t, c_t): run steps t+1..T-1 from it."""
        rest = x[t + 1 :]
        return loss(lstm.run(weights, rest, h_t, c_t).h if len(rest) else h_t[None], target)

    for t in range(-1, trace.steps):
        h_t, c_t = (h0, c0) if t < 0 else (trace.h[t], trace.c[t])
        dh = numeric_gradient(lambda h: loss_from(t, h, c_t), h_t)  # noqa: B023
        # The belt alone: c_t perturbed, h_t held — only the path into c_{t+1}.
        dc_belt = numeric_gradient(lambda c: loss_from(t, h_t, c), c_t)  # noqa: B023
        assert_close(grads.dL_dh0 if t < 0 else grads.dL_dh[t], dh, f"dL/dh at t={t}")
        if t < 0:  # h0 and c0 are independent inputs: the belt is c0's only way in
            assert_close(grads.dL_dc0, dc_belt, "dL/dc0")
            continue
        if t + 1 < trace.steps:
            assert_close(grads.dL_dc[t + 1] * trace.f[t + 1], dc_belt, f"belt path at t={t}")
        # Every path: h_t = o_t ⊙ tanh(c_t) moves with c_t (o_t depends only on h_{t-1} and x_t).
        o_t = trace.o[t]
        dc = numeric_gradient(lambda c: loss_from(t, o_t * np.tanh(c), c), c_t)  # noqa: B023
        assert_close(grads.dL_dc[t], dc, f"dL/dc at t={t}")


@pytest.mark.parametrize("target", TARGETS)
def test_lstm_parameter_gradients_match_finite_differences(target: int | None) -> None:
    weights, x, h0, c0 = lstm_case(seed=3)
    grads = lstm_backward(weights, lstm.run(weights, x, h0, c0), target)

    for name in PARAMS:

        def loss_of(value: np.ndarray, name: str = name) -> float:
            return loss(lstm.run(replace(weights, **{name: value}), x, h0, c0).h, target)

        numeric = numeric_gradient(loss_of, getattr(weights, name))
        assert_close(getattr(grads.dL_dweights, name), numeric, f"dL/d{name}")


@pytest.mark.parametrize("target", TARGETS)
def test_rnn_dL_dx_matches_finite_differences_at_every_step(target: int | None) -> None:
    weights, x, h0 = rnn_case(seed=4)
    grads = rnn_backward(weights, rnn.run(weights, x, h0), target)

    numeric = numeric_gradient(lambda xs: loss(rnn.run(weights, xs, h0).h, target), x)

    assert_close(grads.dL_dx, numeric, "dL/dx")


@pytest.mark.parametrize("target", TARGETS)
def test_rnn_dL_dh_matches_finite_differences_of_the_state(target: int | None) -> None:
    weights, x, h0 = rnn_case(seed=5)
    trace = rnn.run(weights, x, h0)
    grads = rnn_backward(weights, trace, target)

    def loss_from(t: int, h_t: np.ndarray) -> float:
        """L when the state after step t is h_t: run steps t+1..T-1 from it."""
        rest = x[t + 1 :]
        return loss(rnn.run(weights, rest, h_t).h if len(rest) else h_t[None], target)

    for t in range(-1, trace.steps):
        dh = numeric_gradient(lambda h: loss_from(t, h), h0 if t < 0 else trace.h[t])  # noqa: B023
        assert_close(grads.dL_dh0 if t < 0 else grads.dL_dh[t], dh, f"dL/dh at t={t}")


@pytest.mark.parametrize("target", TARGETS)
def test_rnn_parameter_gradients_match_finite_differences(target: int | None) -> None:
    weights, x, h0 = rnn_case(seed=6)
    grads = rnn_backward(weights, rnn.run(weights, x, h0), target)

    for name in PARAMS:

        def loss_of(value: np.ndarray, name: str = name) -> float:
            return loss(rnn.run(replace(weights, **{name: value}), x, h0).h, target)

        numeric = numeric_gradient(loss_of, getattr(weights, name))
        assert_close(getattr(grads.dL_dweights, name), numeric, f"dL/d{name}")


# --- (b) against torch.autograd on PyTorch's own modules -----------------------------------------


def _grad(tensor: torch.Tensor) -> np.ndarray:
    assert tensor.grad is not None
    out: np.ndarray = tensor.grad.detach().numpy().reshape(tensor.shape[-1])
    return out


def _torch_loss(h_last: torch.Tensor, target: int | None) -> torch.Tensor:
    return h_last.sum() if target is None else h_last[0, target]


def assert_close_to_torch(actual: np.ndarray, expected: np.ndarray, name: str) -> None:
    # Same float64 arithmetic in a different order: agreement is ~1e-15, far inside 1e-6.
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-12, err_msg=name)


@pytest.mark.torch
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("module", ["LSTM", "LSTMCell"])
def test_lstm_gradients_match_torch_autograd(module: str, target: int | None) -> None:
    require_torch()
    import torch

    weights, x, h0, c0 = lstm_case(seed=7, inputs=3, hidden=5, steps=50)
    if module == "LSTM":
        net: torch.nn.Module = torch.nn.LSTM(3, 5, dtype=torch.float64)
        suffix = "_l0"
    else:
        net, suffix = torch.nn.LSTMCell(3, 5, dtype=torch.float64), ""
    with torch.no_grad():
        for name in PARAMS:
            getattr(net, name + suffix).copy_(torch.from_numpy(getattr(weights, name)))
    xs = torch.from_numpy(x.copy()).requires_grad_()
    h_0 = torch.from_numpy(h0[None].copy()).requires_grad_()  # (1, H)
    c_0 = torch.from_numpy(c0[None].copy()).requires_grad_()
    state = (h_0, c_0)
    hs: list[torch.Tensor] = []
    cs: list[torch.Tensor] = []
    for t in range(len(x)):  # one step at a time, so every h_t and c_t is a tensor we can ask
        if module == "LSTM":
            _, state = net(xs[t : t + 1], state)
        else:
            state = net(xs[t : t + 1], state)
        for tensor, store in zip(state, (hs, cs), strict=True):
            tensor.retain_grad()
            store.append(tensor)
    torch.autograd.backward(_torch_loss(state[0], target))

    grads = lstm_backward(weights, lstm.run(weights, x, h0, c0), target)

    assert xs.grad is not None
    assert_close_to_torch(grads.dL_dx, xs.grad.numpy(), "dL/dx")
    assert_close_to_torch(grads.dL_dh, np.array([_grad(h) for h in hs]), "dL/dh")
    assert_close_to_torch(grads.dL_dh0, _grad(h_0), "dL/dh0")
    assert_close_to_torch(grads.dL_dc0, _grad(c_0), "dL/dc0")
    for name in PARAMS:
        expected = getattr(net, name + suffix).grad.numpy()
        assert_close_to_torch(getattr(grads.dL_dweights, name), expected, f"dL/d{name}")
    if module == "LSTMCell":
        assert_close_to_torch(grads.dL_dc, np.array([_grad(c) for c in cs]), "dL/dc")
    else:
        # nn.LSTM hands back c_n as a stacked copy that its own h_n does not depend on, so c_n.grad
        # only carries the belt path into the next step — and the last c_n gets no gradient at all.
        assert cs[-1].grad is None
        via_next_step = grads.dL_dc[1:] * lstm.run(weights, x, h0, c0).f[1:]
        assert_close_to_torch(via_next_step, np.array([_grad(c) for c in cs[:-1]]), "dL/dc via c_{t+1}")


@pytest.mark.torch
@pytest.mark.parametrize("target", TARGETS)
def test_rnn_gradients_match_torch_autograd(target: int | None) -> None:
    require_torch()
    import torch

    weights, x, h0 = rnn_case(seed=8, inputs=3, hidden=5, steps=50)
    net = torch.nn.RNN(3, 5, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        for name in PARAMS:
            getattr(net, name + "_l0").copy_(torch.from_numpy(getattr(weights, name)))
    xs = torch.from_numpy(x.copy()).requires_grad_()
    h_0 = torch.from_numpy(h0[None].copy()).requires_grad_()
    h, hs = h_0, []
    for t in range(len(x)):
        _, h = net(xs[t : t + 1], h)
        h.retain_grad()
        hs.append(h)
    torch.autograd.backward(_torch_loss(h, target))

    grads = rnn_backward(weights, rnn.run(weights, x, h0), target)

    assert xs.grad is not None
    assert_close_to_torch(grads.dL_dx, xs.grad.numpy(), "dL/dx")
    assert_close_to_torch(grads.dL_dh, np.array([_grad(h) for h in hs]), "dL/dh")
    assert_close_to_torch(grads.dL_dh0, _grad(h_0), "dL/dh0")
    for name in PARAMS:
        expected = getattr(net, name + "_l0").grad.numpy()
        assert_close_to_torch(getattr(grads.dL_dweights, name), expected, f"dL/d{name}")


# --- (c) the belt ---------------------------------------------------------------------------------


def test_belt_is_the_product_of_the_forget_gates_still_ahead() -> None:
    weights, x, h0, c0 = lstm_case(seed=9, steps=30)
    trace = lstm.run(weights, x, h0, c0)

    belt = lstm_backward(weights, trace).belt

    for t in range(trace.steps):
        ahead = np.ones(4)
        for s in range(t + 1, trace.steps):
            ahead = ahead * trace.f[s]
        np.testing.assert_allclose(belt[t], ahead, rtol=1e-12, err_msg=f"t={t}")
    np.testing.assert_array_equal(belt[-1], np.ones(4))


def test_without_recurrent_weights_the_belt_is_the_only_path_back() -> None:
    # With W_hh = 0, h_t feeds nothing but the loss at the last step: c_t reaches L only along the belt.
    weights, x, h0, c0 = lstm_case(seed=10, steps=30)
    weights = replace(weights, weight_hh=np.zeros_like(weights.weight_hh))

    grads = lstm_backward(weights, lstm.run(weights, x, h0, c0))

    np.testing.assert_allclose(grads.dL_dc, grads.belt * grads.dL_dc[-1], rtol=1e-12, atol=1e-300)


def test_the_belt_keeps_the_gradient_over_100_steps_where_the_rnn_loses_it() -> None:
    steps, hidden = 100, 8
    weights, x, h0, c0 = lstm_case(seed=11, hidden=hidden, steps=steps, scale=0.1)
    forget_open = weights.bias_hh.copy()
    forget_open[hidden : 2 * hidden] = 8.0  # f = σ(≈8) ≈ 0.9997: the belt barely leaks
    weights = replace(weights, bias_hh=forget_open)
    lstm_grads = lstm_backward(weights, lstm.run(weights, x, h0, c0))

    rnn_weights, rnn_x, rnn_h0 = rnn_case(seed=11, hidden=hidden, steps=steps, scale=0.1)
    rnn_grads = rnn_backward(rnn_weights, rnn.run(rnn_weights, rnn_x, rnn_h0))

    first, last = np.linalg.norm(lstm_grads.dL_dc[0]), np.linalg.norm(lstm_grads.dL_dc[-1])
    assert last > 0.1 and 0.5 < first / last < 2, (first, last)
    assert np.linalg.norm(rnn_grads.dL_dh[-1]) == pytest.approx(np.sqrt(hidden))  # ∂L/∂h_{T-1} = 1
    assert np.linalg.norm(rnn_grads.dL_dh[0]) < 1e-6

    # It is the forget gate that holds the belt open: at f ≈ σ(0) = ½ the same LSTM forgets too.
    half_open = forget_open.copy()
    half_open[hidden : 2 * hidden] = 0.0
    leaky = replace(weights, bias_hh=half_open)
    assert np.linalg.norm(lstm_backward(leaky, lstm.run(leaky, x, h0, c0)).dL_dc[0]) < 1e-6


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [4, -1, 10])
def test_a_target_outside_the_units_is_rejected_with_the_valid_range(target: int) -> None:
    weights, x, h0, c0 = lstm_case(seed=12)
    rnn_weights, rnn_x, rnn_h0 = rnn_case(seed=12)
    message = rf"target must be a unit index in 0\.\.3 \(or None for the sum\), got {target}"
    with pytest.raises(ValueError, match=message):
        lstm_backward(weights, lstm.run(weights, x, h0, c0), target)
    with pytest.raises(ValueError, match=message):
        rnn_backward(rnn_weights, rnn.run(rnn_weights, rnn_x, rnn_h0), target)


def test_a_trace_from_weights_of_another_size_is_rejected() -> None:
    weights, x, h0, c0 = lstm_case(seed=13, hidden=4)
    other, _, _, _ = lstm_case(seed=13, hidden=6)
    with pytest.raises(ValueError, match=r"trace has hidden size \(4,\), but the weights have H=6"):
        lstm_backward(other, lstm.run(weights, x, h0, c0))


def test_an_empty_trace_has_no_loss_to_differentiate() -> None:
    weights, _, _ = rnn_case(seed=14)
    with pytest.raises(ValueError, match="trace has no steps"):
        rnn_backward(weights, rnn.run(weights, np.zeros((0, 3))))


def test_a_clamped_gate_passes_no_gradient_to_its_pre_activation() -> None:
    """With f clamped, the input can only reach L through i, g and o: compare with finite differences."""
    rng = np.random.default_rng(21)
    hidden, inputs, steps = 3, 2, 12
    weights = LSTMWeights(
        rng.uniform(-1, 1, (4 * hidden, inputs)),
        rng.uniform(-1, 1, (4 * hidden, hidden)),
        rng.uniform(-1, 1, 4 * hidden),
        rng.uniform(-1, 1, 4 * hidden),
    )
    x = rng.standard_normal((steps, inputs))
    clamp = np.full((4, hidden), np.nan)
    clamp[1] = 0.7  # f fixed at 0.7 for every unit
    grads = lstm_backward(weights, lstm.run(weights, x, clamp=clamp))

    eps = 1e-6
    numeric = np.empty_like(x)
    for t in range(steps):
        for j in range(inputs):
            up, down = x.copy(), x.copy()
            up[t, j] += eps
            down[t, j] -= eps
            loss_up = lstm.run(weights, up, clamp=clamp).h[-1].sum()
            loss_down = lstm.run(weights, down, clamp=clamp).h[-1].sum()
            numeric[t, j] = (loss_up - loss_down) / (2 * eps)
    np.testing.assert_allclose(grads.dL_dx, numeric, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(grads.belt[:-1], 0.7 ** np.arange(steps - 1, 0, -1)[:, None] * np.ones(hidden))
