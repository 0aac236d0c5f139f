"""The GRU engine: its forward pass against torch.nn.GRU and against the gate equations written
independently in torch (both reset placements), its trace's parts adding up, its clamps, and its
gradients against finite differences and torch.autograd."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from app.engine import gru
from app.engine.activations import sigmoid
from app.engine.gru import GRUWeights
from app.engine.gru_backprop import gru_backward
from app.engine.knobs import GRUKnobs, gru_weights
from tests.helpers import require_torch
from tests.test_engine_backprop import assert_close, assert_close_to_torch, loss, numeric_gradient

if TYPE_CHECKING:
    import torch

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
TARGETS = [None, 2]  # L = Σ_k h_{T-1}[k], and L = h_{T-1}[2]
RESETS = [True, False]  # PyTorch's (and Keras' default) reset-after, and Keras' reset-before


def gru_case(
    seed: int, inputs: int = 3, hidden: int = 4, steps: int = 12, reset_after: bool = True
) -> tuple[GRUWeights, np.ndarray, np.ndarray]:
    """Weights uniform in ±1, inputs ~ N(0, 1), a non-zero h0."""
    rng = np.random.default_rng(seed)
    shapes = [(3 * hidden, inputs), (3 * hidden, hidden), (3 * hidden,), (3 * hidden,)]
    w_ih, w_hh, b_ih, b_hh = (rng.uniform(-1, 1, shape) for shape in shapes)
    weights = GRUWeights(w_ih, w_hh, b_ih, b_hh, reset_after=reset_after)
    return weights, rng.standard_normal((steps, inputs)), rng.uniform(-0.9, 0.9, hidden)


# --- forward ------------------------------------------------------------------------------------


def torch_gru_equations(weights: GRUWeights, x: np.ndarray, h0: np.ndarray) -> dict[str, list[torch.Tensor]]:
    """r, z, n and h per step, written from the equations in torch (not by the module under test)."""
    import torch

    w_ih, w_hh, b_ih, b_hh = (torch.from_numpy(getattr(weights, name)) for name in PARAMS)
    H = weights.hidden_size
    rows = [slice(k * H, (k + 1) * H) for k in range(3)]
    h = torch.from_numpy(h0)
    out: dict[str, list[torch.Tensor]] = {"r": [], "z": [], "n": [], "h": []}
    for x_t in torch.from_numpy(x):
        gi = w_ih @ x_t + b_ih
        r = torch.sigmoid(gi[rows[0]] + w_hh[rows[0]] @ h + b_hh[rows[0]])
        z = torch.sigmoid(gi[rows[1]] + w_hh[rows[1]] @ h + b_hh[rows[1]])
        if weights.reset_after:
            n = torch.tanh(gi[rows[2]] + r * (w_hh[rows[2]] @ h + b_hh[rows[2]]))
        else:
            n = torch.tanh(gi[rows[2]] + w_hh[rows[2]] @ (r * h) + b_hh[rows[2]])
        h = (1 - z) * n + z * h
        for name, value in (("r", r), ("z", z), ("n", n), ("h", h)):
            out[name].append(value)
    return out


@pytest.mark.torch
def test_the_gru_matches_torch_nn_gru_at_every_step() -> None:
    require_torch()
    import torch

    weights, x, h0 = gru_case(seed=11, inputs=5, hidden=7, steps=60)  # D ≠ H, T ≥ 50, h0 ≠ 0
    net = torch.nn.GRU(5, 7, dtype=torch.float64)
    with torch.no_grad():
        for name in PARAMS:
            getattr(net, name + "_l0").copy_(torch.from_numpy(getattr(weights, name)))
        out, _ = net(torch.from_numpy(x), torch.from_numpy(h0[None]))

    trace = gru.run(weights, x, h0)

    np.testing.assert_allclose(trace.h, out.numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(trace.h, out.numpy(), rtol=1e-12, atol=1e-13)  # float64 both sides


@pytest.mark.torch
@pytest.mark.parametrize("reset_after", RESETS)
def test_every_gate_matches_the_equations_written_in_torch(reset_after: bool) -> None:
    require_torch()
    import torch

    weights, x, h0 = gru_case(seed=12, inputs=3, hidden=5, steps=30, reset_after=reset_after)
    expected = torch_gru_equations(weights, x, h0)

    trace = gru.run(weights, x, h0)

    for name in ("r", "z", "n", "h"):
        np.testing.assert_allclose(
            getattr(trace, name), torch.stack(expected[name]).numpy(), rtol=1e-12, atol=1e-13, err_msg=name
        )


@pytest.mark.parametrize("reset_after", RESETS)
def test_the_trace_parts_add_up_and_the_belt_is_kept_plus_added(reset_after: bool) -> None:
    weights, x, h0 = gru_case(seed=13, reset_after=reset_after)

    trace = gru.run(weights, x, h0)

    for q in gru.GRU_GATES:
        parts = getattr(trace, f"pre_{q}_x") + getattr(trace, f"pre_{q}_h") + getattr(trace, f"pre_{q}_b")
        np.testing.assert_allclose(parts, getattr(trace, f"pre_{q}"), rtol=1e-13, atol=1e-13, err_msg=q)
    np.testing.assert_allclose(trace.r, sigmoid(trace.pre_r), rtol=1e-13)
    np.testing.assert_allclose(trace.z, sigmoid(trace.pre_z), rtol=1e-13)
    np.testing.assert_allclose(trace.n, np.tanh(trace.pre_n), rtol=1e-13)
    np.testing.assert_array_equal(trace.h, trace.kept + trace.added)
    np.testing.assert_allclose(trace.kept, trace.z * trace.h_prev, rtol=1e-15)
    np.testing.assert_allclose(trace.added, (1 - trace.z) * trace.n, rtol=1e-15)
    np.testing.assert_allclose(trace.forgotten + trace.kept, trace.h_prev, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(trace.h_prev[0], h0)
    np.testing.assert_array_equal(trace.h_prev[1:], trace.h[:-1])
    assert set(trace.as_dict()) == set(gru.GRU_QUANTITIES)


def test_z_clamped_to_one_holds_the_belt_and_n_clamped_writes_its_value() -> None:
    weights, x, h0 = gru_case(seed=14)
    clamp = np.full((3, 4), np.nan)
    clamp[1, 0] = 1.0  # unit 0 keeps everything: the belt holds h0
    clamp[1, 1], clamp[2, 1] = 0.0, -0.5  # unit 1 keeps nothing and writes −0.5

    trace = gru.run(weights, x, h0, clamp=clamp)

    np.testing.assert_array_equal(trace.h[:, 0], np.full(len(x), h0[0]))
    np.testing.assert_array_equal(trace.h[:, 1], np.full(len(x), -0.5))
    free = gru.run(weights, x, h0)
    np.testing.assert_allclose(trace.pre_z[0], free.pre_z[0])  # pre-activations still as computed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": np.zeros((5, 2))}, r"x must be \(T, 3\)"),
        ({"h0": np.zeros(3)}, r"h0 must be \(4,\)"),
        ({"clamp": np.zeros((4, 4))}, r"clamp must be \(3, 4\)"),
        ({"clamp": np.full((3, 4), 2.0)}, "clamped r, z must lie in"),
    ],
)
def test_bad_arguments_are_refused_naming_what_is_wrong(change: dict[str, np.ndarray], message: str) -> None:
    weights, x, h0 = gru_case(seed=15)
    arguments: dict[str, Any] = {"x": x, "h0": h0, "clamp": None, **change}
    with pytest.raises(ValueError, match=message):
        gru.run(weights, **arguments)


def test_weights_of_an_lstm_shape_are_refused_as_a_gru() -> None:
    with pytest.raises(ValueError, match=r"weight_hh has shape \(8, 2\).*must be \(6, 2\)"):
        GRUWeights(np.zeros((6, 3)), np.zeros((8, 2)), np.zeros(6), np.zeros(6))


# --- gradients ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reset_after", RESETS)
@pytest.mark.parametrize("target", TARGETS)
def test_gru_gradients_match_finite_differences(target: int | None, reset_after: bool) -> None:
    weights, x, h0 = gru_case(seed=21, reset_after=reset_after)
    trace = gru.run(weights, x, h0)
    grads = gru_backward(weights, trace, target)

    assert_close(
        grads.dL_dx, numeric_gradient(lambda xs: loss(gru.run(weights, xs, h0).h, target), x), "dL/dx"
    )
    assert_close(
        grads.dL_dh0, numeric_gradient(lambda h: loss(gru.run(weights, x, h).h, target), h0), "dL/dh0"
    )
    for t in range(trace.steps - 1):  # dL/dh_t: run steps t+1.. from a perturbed h_t
        rest = x[t + 1 :]
        numeric = numeric_gradient(lambda h: loss(gru.run(weights, rest, h).h, target), trace.h[t])  # noqa: B023
        assert_close(grads.dL_dh[t], numeric, f"dL/dh at t={t}")
    for name in PARAMS:

        def loss_of(value: np.ndarray, name: str = name) -> float:
            changed: dict[str, Any] = {name: value}
            return loss(gru.run(replace(weights, **changed), x, h0).h, target)

        assert_close(
            getattr(grads.dL_dweights, name), numeric_gradient(loss_of, getattr(weights, name)), name
        )


@pytest.mark.parametrize("reset_after", RESETS)
def test_a_clamped_gate_passes_no_gradient_to_its_pre_activation(reset_after: bool) -> None:
    weights, x, h0 = gru_case(seed=22, reset_after=reset_after)
    clamp = np.full((3, 4), np.nan)
    clamp[0, 1], clamp[1, 2], clamp[2, 3] = 0.3, 0.9, 0.1  # r of unit 1, z of unit 2, n of unit 3
    trace = gru.run(weights, x, h0, clamp=clamp)
    grads = gru_backward(weights, trace)

    # The clamped model's own gradients, by finite differences: the clamp is part of the function.
    numeric = numeric_gradient(lambda xs: loss(gru.run(weights, xs, h0, clamp=clamp).h, None), x)
    assert_close(grads.dL_dx, numeric, "dL/dx with clamps")
    assert np.all(grads.dL_dweights.bias_ih[[1, 4 + 2, 8 + 3]] == 0)  # rows r1, z2, n3 get nothing


def test_the_belt_only_term_is_the_product_of_the_update_gates_still_ahead() -> None:
    weights, x, h0 = gru_case(seed=23, steps=9)
    trace = gru.run(weights, x, h0)

    belt = gru_backward(weights, trace).belt

    for t in range(trace.steps):
        np.testing.assert_allclose(belt[t], np.prod(trace.z[t + 1 :], axis=0), rtol=1e-13)
    assert np.all(belt <= 1.0)


@pytest.mark.torch
@pytest.mark.parametrize("target", TARGETS)
def test_gru_gradients_match_torch_autograd(target: int | None) -> None:
    require_torch()
    import torch

    weights, x, h0 = gru_case(seed=24, inputs=3, hidden=5, steps=50)
    net = torch.nn.GRU(3, 5, dtype=torch.float64)
    with torch.no_grad():
        for name in PARAMS:
            getattr(net, name + "_l0").copy_(torch.from_numpy(getattr(weights, name)))
    xs = torch.from_numpy(x.copy()).requires_grad_()
    h_0 = torch.from_numpy(h0[None].copy()).requires_grad_()
    state, hs = h_0, []
    for t in range(len(x)):  # one step at a time, so every h_t is a tensor we can ask
        _, state = net(xs[t : t + 1], state)
        state.retain_grad()
        hs.append(state)
    last = state[0]
    torch.autograd.backward(last.sum() if target is None else last[target])

    grads = gru_backward(weights, gru.run(weights, x, h0), target)

    def grad_of(tensor: torch.Tensor) -> np.ndarray:
        assert tensor.grad is not None
        out: np.ndarray = tensor.grad.detach().numpy().reshape(-1)
        return out

    assert xs.grad is not None
    assert_close_to_torch(grads.dL_dx, xs.grad.numpy(), "dL/dx")
    assert_close_to_torch(grads.dL_dh, np.array([grad_of(h) for h in hs]), "dL/dh")
    assert_close_to_torch(grads.dL_dh0, grad_of(h_0), "dL/dh0")
    for name in PARAMS:
        assert_close_to_torch(getattr(grads.dL_dweights, name), getattr(net, name + "_l0").grad.numpy(), name)


# --- recomputing after a change, and the knobs ---------------------------------------------------


@pytest.mark.parametrize("reset_after", RESETS)
def test_rerun_from_a_step_equals_a_full_run_and_keeps_the_prefix(reset_after: bool) -> None:
    weights, x, h0 = gru_case(seed=31, steps=15, reset_after=reset_after)
    clamp = np.full((3, 4), np.nan)
    clamp[1, 2] = 0.8
    before = gru.run(weights, x, h0, clamp)
    changed = x.copy()
    changed[6, 1] = 2.5

    rerun = gru.rerun_from(weights, changed, before, 6, h0, clamp)

    full = gru.run(weights, changed, h0, clamp)
    for name in gru.GRU_QUANTITIES:
        np.testing.assert_allclose(
            getattr(rerun, name), getattr(full, name), rtol=1e-14, atol=1e-15, err_msg=name
        )
        np.testing.assert_array_equal(getattr(rerun, name)[:6], getattr(before, name)[:6], err_msg=name)
    assert not np.allclose(rerun.h[6:], before.h[6:])  # the change did reach the suffix
    with pytest.raises(ValueError, match=r"start must be in 0\.\.15"):
        gru.rerun_from(weights, changed, before, 16, h0)


def test_gru_knobs_shift_the_bias_of_each_gate_block_and_scale_the_weights() -> None:
    weights, _, _ = gru_case(seed=32, hidden=2)
    knobs = GRUKnobs(bias_r=1.0, bias_z=-2.0, bias_n=0.5, weight_scale=0.5)

    shifted = gru_weights(weights, knobs)

    np.testing.assert_array_equal(shifted.bias_ih - weights.bias_ih, [1, 1, -2, -2, 0.5, 0.5])  # rows r, z, n
    np.testing.assert_array_equal(shifted.bias_hh, weights.bias_hh)  # what r scales stays as it was
    np.testing.assert_array_equal(shifted.weight_hh, 0.5 * weights.weight_hh)
    assert shifted.reset_after is weights.reset_after
    assert knobs.with_clamp("z", 1, 0.9, 2).as_dict()["clamps"] == {"r": [None, None], "z": [None, 0.9],
                                                                      "n": [None, None]}  # fmt: skip
