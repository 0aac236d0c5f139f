"""The NumPy tanh RNN against PyTorch, its own equation, and its shape checks."""

import numpy as np
import pytest

from app.engine.rnn import RNNWeights, run
from tests.helpers import require_torch

Case = tuple[RNNWeights, np.ndarray, np.ndarray]


def random_case(seed: int, inputs: int = 3, hidden: int = 7, steps: int = 64, scale: float = 1.0) -> Case:
    """Weights uniform in ±scale, inputs ~ N(0, 4), non-zero h0."""
    rng = np.random.default_rng(seed)
    weights = RNNWeights(
        weight_ih=rng.uniform(-scale, scale, (hidden, inputs)),
        weight_hh=rng.uniform(-scale, scale, (hidden, hidden)),
        bias_ih=rng.uniform(-scale, scale, hidden),
        bias_hh=rng.uniform(-scale, scale, hidden),
    )
    x = rng.standard_normal((steps, inputs)) * 2
    h0 = rng.uniform(-0.9, 0.9, hidden)
    return weights, x, h0


@pytest.mark.torch
def test_every_step_matches_torch_nn_rnn() -> None:
    require_torch()
    import torch

    weights, x, h0 = random_case(seed=1, inputs=3, hidden=7, steps=64)
    rnn = torch.nn.RNN(3, 7, nonlinearity="tanh", dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(rnn, f"{name}_l0").copy_(torch.from_numpy(getattr(weights, name)))
        output, _ = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])  # (T, H): h at every step

    trace = run(weights, x, h0)

    np.testing.assert_allclose(trace.h, output.numpy(), atol=1e-6, rtol=0)


def test_trace_quantities_follow_the_rnn_equation() -> None:
    weights, x, h0 = random_case(seed=2)
    trace = run(weights, x, h0)

    assert trace.steps == 64 and trace.x.shape == (64, 3) and trace.h.shape == (64, 7)
    np.testing.assert_allclose(trace.h_prev[0], h0)
    np.testing.assert_allclose(trace.h_prev[1:], trace.h[:-1])
    for t in range(trace.steps):
        pre = (
            weights.weight_ih @ x[t] + weights.bias_ih + weights.weight_hh @ trace.h_prev[t] + weights.bias_hh
        )
        np.testing.assert_allclose(trace.pre[t], pre, atol=1e-12)
    np.testing.assert_allclose(trace.h, np.tanh(trace.pre))


def test_h0_defaults_to_zeros() -> None:
    weights, x, _ = random_case(seed=3)
    np.testing.assert_array_equal(run(weights, x).h, run(weights, x, np.zeros(7)).h)


def test_huge_weights_and_inputs_stay_finite() -> None:
    weights, _, _ = random_case(seed=4)
    huge = RNNWeights(
        *(1e3 * np.sign(getattr(weights, n)) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    )
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        trace = run(huge, np.full((50, 3), 1e3), np.full(7, 1e3))
    assert np.isfinite(trace.h).all() and (np.abs(trace.h) <= 1).all()


def test_mismatched_weight_shapes_are_named_with_the_expected_shape() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(
        ValueError, match=r"weight_hh has shape \(16, 8\), but weight_ih \(16, 3\) means H=16"
    ):
        RNNWeights(rng.random((16, 3)), rng.random((16, 8)), rng.random(16), rng.random(16))
    with pytest.raises(ValueError, match=r"bias_hh has shape \(4,\), .* so bias_hh must be \(16,\)"):
        RNNWeights(rng.random((16, 3)), rng.random((16, 16)), rng.random(16), rng.random(4))


def test_weight_ih_must_be_a_non_empty_matrix() -> None:
    with pytest.raises(ValueError, match=r"weight_ih must be \(H, D\) with H, D ≥ 1, got \(16,\)"):
        RNNWeights(np.ones(16), np.ones((16, 16)), np.ones(16), np.ones(16))
    with pytest.raises(ValueError, match=r"weight_ih must be \(H, D\) with H, D ≥ 1, got \(0, 3\)"):
        RNNWeights(np.ones((0, 3)), np.ones((0, 0)), np.ones(0), np.ones(0))


def test_input_with_the_wrong_width_is_rejected() -> None:
    weights, x, h0 = random_case(seed=5)
    with pytest.raises(ValueError, match=r"x must be \(T, 3\), got \(64, 2\)"):
        run(weights, x[:, :2], h0)


def test_initial_state_with_the_wrong_shape_is_rejected() -> None:
    weights, x, h0 = random_case(seed=6)
    with pytest.raises(ValueError, match=r"h0 must be \(7,\), got \(1, 7\)"):
        run(weights, x, h0[None])
