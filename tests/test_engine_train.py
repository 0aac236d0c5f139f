"""The training pieces: task data, the loss gradient (finite differences), and Adam."""

import numpy as np

from app.engine.lstm import WEIGHT_NAMES, LSTMWeights
from app.engine.train import (
    Adam,
    adam_step,
    curriculum,
    loss_and_gradients,
    pytorch_default_init,
    sign_memory_batch,
)


def test_sign_memory_batch_marks_the_first_step_and_labels_its_sign() -> None:
    x, y = sign_memory_batch(np.random.default_rng(0), batch=8, steps=20)
    assert x.shape == (8, 20, 2) and y.shape == (8,)
    np.testing.assert_array_equal(x[:, 0, 0], y)
    np.testing.assert_array_equal(x[:, :, 1], np.eye(20)[0][None].repeat(8, axis=0))


def test_loss_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(3)
    weights = pytorch_default_init(rng, inputs=2, hidden=3)
    x, y = sign_memory_batch(rng, batch=3, steps=6)
    _, grads = loss_and_gradients(weights, x, y)
    eps = 1e-6
    for name in WEIGHT_NAMES:
        tensor = getattr(weights, name)
        flat_index = rng.integers(tensor.size)
        numeric = []
        for sign in (1, -1):
            bumped = tensor.copy().reshape(-1)
            bumped[flat_index] += sign * eps
            changed = {n: getattr(weights, n) for n in WEIGHT_NAMES} | {name: bumped.reshape(tensor.shape)}
            numeric.append(loss_and_gradients(LSTMWeights(**changed), x, y)[0])
        expected = (numeric[0] - numeric[1]) / (2 * eps)
        np.testing.assert_allclose(
            getattr(grads, name).reshape(-1)[flat_index], expected, rtol=1e-5, atol=1e-9
        )


def test_adam_first_step_moves_each_parameter_by_the_learning_rate_against_its_gradient() -> None:
    weights = pytorch_default_init(np.random.default_rng(1), inputs=2, hidden=2)
    grads = LSTMWeights(*(np.full_like(getattr(weights, n), 0.3) for n in WEIGHT_NAMES))
    stepped, state = adam_step(weights, grads, Adam.start(weights), lr=0.01)
    # Bias-corrected moments make the first step exactly lr · sign(g) (up to Adam's ε).
    np.testing.assert_allclose(stepped.weight_ih, weights.weight_ih - 0.01, atol=1e-7)
    assert state.steps == 1


def test_curriculum_grows_to_the_full_length_in_two_thirds_of_the_run() -> None:
    lengths = [curriculum(k, 300, steps=50) for k in range(300)]
    assert lengths[0] == 5 and lengths[199] < 50 <= lengths[200] and max(lengths) == 50
    assert lengths == sorted(lengths)
