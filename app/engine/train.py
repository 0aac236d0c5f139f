"""Training an LSTM with the engine's own BPTT and Adam, on a small memory task. Pure NumPy.

The task ("sign memory"): a sequence starts with a marked value ±1, then only noise follows;
after the last step, unit 0's hidden state must tell the sign of that first value. Solving it
means writing once onto the belt, holding it through the noise, and showing it at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid
from .backprop import lstm_backward_from
from .lstm import WEIGHT_NAMES, LSTMWeights, run

OUTPUT_SCALE = 4.0  # the logit is 4·h_{T-1}[0]: h lives in (−1, 1), a logit needs room


def sign_memory_batch(
    rng: np.random.Generator, batch: int, steps: int = 50, noise: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """x (B, T, 2): channel 0 the value (±1 first, then Gaussian noise), channel 1 marks step 0;
    y (B,): the sign to report."""
    y = rng.choice([-1.0, 1.0], size=batch)
    x = np.zeros((batch, steps, 2))
    x[:, :, 0] = noise * rng.standard_normal((batch, steps))
    x[:, 0, 0] = y
    x[:, 0, 1] = 1.0
    return x, y


def predictions(weights: LSTMWeights, x: np.ndarray) -> np.ndarray:
    """h_{T-1}[0] for each sequence of x (B, T, D)."""
    return np.array([run(weights, seq).h[-1, 0] for seq in x])


def accuracy(weights: LSTMWeights, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.sign(predictions(weights, x)) == y))


def loss_and_gradients(weights: LSTMWeights, x: np.ndarray, y: np.ndarray) -> tuple[float, LSTMWeights]:
    """Mean logistic loss softplus(−y·s·h_{T-1}[0]) over the batch and its parameter gradients."""
    total = 0.0
    grads = {name: np.zeros_like(getattr(weights, name)) for name in WEIGHT_NAMES}
    for seq, label in zip(x, y, strict=True):
        trace = run(weights, seq)
        margin = label * OUTPUT_SCALE * trace.h[-1, 0]
        total += float(np.logaddexp(0.0, -margin))
        seed = np.zeros(weights.hidden_size)
        seed[0] = -label * OUTPUT_SCALE * sigmoid(np.array(-margin))  # d softplus(−m) / dh
        step = lstm_backward_from(weights, trace, seed).dL_dweights
        for name in WEIGHT_NAMES:
            grads[name] += getattr(step, name)
    n = len(y)
    return total / n, LSTMWeights(**{name: g / n for name, g in grads.items()})


@dataclass(frozen=True)
class Adam:
    """Adam's running moments for every parameter tensor, and its step count."""

    m: LSTMWeights
    v: LSTMWeights
    steps: int = 0

    @staticmethod
    def start(weights: LSTMWeights) -> Adam:
        zeros = LSTMWeights(*(np.zeros_like(getattr(weights, name)) for name in WEIGHT_NAMES))
        return Adam(m=zeros, v=zeros)


def adam_step(
    weights: LSTMWeights, grads: LSTMWeights, state: Adam, lr: float, beta1: float = 0.9, beta2: float = 0.999
) -> tuple[LSTMWeights, Adam]:
    """One Adam update (Kingma & Ba), returning new weights and moments; nothing is mutated."""
    steps = state.steps + 1
    new_w, new_m, new_v = {}, {}, {}
    for name in WEIGHT_NAMES:
        g = getattr(grads, name)
        m = beta1 * getattr(state.m, name) + (1 - beta1) * g
        v = beta2 * getattr(state.v, name) + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**steps), v / (1 - beta2**steps)
        new_w[name] = getattr(weights, name) - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        new_m[name], new_v[name] = m, v
    return LSTMWeights(**new_w), Adam(LSTMWeights(**new_m), LSTMWeights(**new_v), steps)


def pytorch_default_init(rng: np.random.Generator, inputs: int, hidden: int) -> LSTMWeights:
    """nn.LSTM's default: every parameter uniform in ±1/√H."""
    bound = 1.0 / np.sqrt(hidden)
    shapes = [(4 * hidden, inputs), (4 * hidden, hidden), (4 * hidden,), (4 * hidden,)]
    return LSTMWeights(*(rng.uniform(-bound, bound, shape) for shape in shapes))


def curriculum(iteration: int, iterations: int, steps: int, first: int = 5) -> int:
    """Sequence length for an iteration: from `first` up to `steps` over the first two thirds.

    Straight at 50 steps the gradient from the end barely reaches step 0 while the forget gates
    are still ≈ 0.5 (the vanishing the belt is meant to cure has to be learned first)."""
    ramp = max(1, 2 * iterations // 3)
    return min(steps, first + (steps - first) * iteration // ramp)


def train_sign_memory(
    rng: np.random.Generator,
    iterations: int,
    hidden: int = 4,
    batch: int = 16,
    steps: int = 50,
    lr: float = 0.03,
) -> tuple[LSTMWeights, list[float]]:
    """Train from PyTorch's default initialisation with the forget-gate bias raised by 1 (the
    usual trick, so the belt starts half-way open); returns the weights and the loss per iteration."""
    weights = pytorch_default_init(rng, inputs=2, hidden=hidden)
    forget = slice(hidden, 2 * hidden)
    bias_ih = weights.bias_ih.copy()
    bias_ih[forget] += 1.0
    weights = LSTMWeights(weights.weight_ih, weights.weight_hh, bias_ih, weights.bias_hh)
    state = Adam.start(weights)
    losses = []
    for iteration in range(iterations):
        x, y = sign_memory_batch(rng, batch, curriculum(iteration, iterations, steps))
        loss, grads = loss_and_gradients(weights, x, y)
        weights, state = adam_step(weights, grads, state, lr)
        losses.append(loss)
    return weights, losses
