"""Named starting points for a session: weights, inputs and initial state, with an explanation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.lstm import LSTMWeights
from app.engine.sequences import pulse


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    weights: LSTMWeights
    x: np.ndarray  # (T, D)
    h0: np.ndarray  # (H,)
    c0: np.ndarray  # (H,)
    input_names: tuple[str, ...]
    input_range: tuple[float, float] = (-2.0, 2.0)


def _gate_rows(i: np.ndarray, f: np.ndarray, g: np.ndarray, o: np.ndarray) -> np.ndarray:
    """Stack per-gate blocks in PyTorch's order i, f, g, o."""
    return np.concatenate([i, f, g, o])


def hold_and_release() -> Scenario:
    """Three units, two inputs (signal, release), 40 steps; hand-set so each gate has one job."""
    # Unit 0 remembers the signal until "release" closes its forget gate.
    # Unit 1 writes the same signal but its forget gate is half shut: gone in a few steps.
    # Unit 2 stores the signal's negative and hides it (o ≈ 0) until "release" opens its output.
    w_i = np.array([[8.0, 0.0], [8.0, 0.0], [8.0, 0.0]])
    b_i = np.array([-4.0, -4.0, -4.0])
    w_f = np.array([[0.0, -14.0], [0.0, 0.0], [0.0, 0.0]])
    b_f = np.array([6.0, 0.3, 6.0])
    w_g = np.array([[3.0, 0.0], [3.0, 0.0], [-3.0, 0.0]])
    b_g = np.zeros(3)
    w_o = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 10.0]])
    b_o = np.array([2.0, 2.0, -4.0])
    weights = LSTMWeights(
        weight_ih=_gate_rows(w_i, w_f, w_g, w_o),
        weight_hh=np.zeros((12, 3)),
        bias_ih=_gate_rows(b_i, b_f, b_g, b_o),
        bias_hh=np.zeros(12),
    )
    steps = 40
    x = np.stack(
        [pulse(steps, at=5, width=1, amplitude=1.0), pulse(steps, at=28, width=2, amplitude=1.0)], axis=1
    )
    return Scenario(
        name="hold-and-release",
        title="Hold and release",
        description=(
            "A signal pulse at step 5 opens the input gate of all three units. Unit 0 keeps it on "
            "the belt (forget gate ≈ 1) until the release pulse at steps 28–29 shuts its forget gate "
            "and erases it. Unit 1 has a half-open forget gate, so its copy is gone within a few "
            "steps. Unit 2 stores the negative of the signal but keeps its output gate shut, so "
            "h₂ stays near 0 until the release pulse opens it and the memory shows."
        ),
        weights=weights,
        x=x,
        h0=np.zeros(3),
        c0=np.zeros(3),
        input_names=("signal", "release"),
    )


def random_init(seed: int = 0, hidden: int = 4, inputs: int = 2, steps: int = 40) -> Scenario:
    """PyTorch's default initialisation, U(−1/√H, 1/√H) for every parameter, on a noisy input."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(hidden)

    def uniform(*shape: int) -> np.ndarray:
        return rng.uniform(-bound, bound, size=shape)

    weights = LSTMWeights(
        uniform(4 * hidden, inputs), uniform(4 * hidden, hidden), uniform(4 * hidden), uniform(4 * hidden)
    )
    return Scenario(
        name="random-init",
        title="Random initialisation",
        description=(
            "An untrained LSTM with PyTorch's default initialisation on a noisy input. Gates hover "
            "around 0.5: the belt neither holds nor clears anything deliberately. Compare it with "
            "the hand-set scenario to see what training has to find."
        ),
        weights=weights,
        x=rng.standard_normal((steps, inputs)),
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=tuple(f"x{j}" for j in range(inputs)),
    )


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "hold-and-release": hold_and_release,
    "random-init": random_init,
}
DEFAULT_SCENARIO = "hold-and-release"


def get_scenario(name: str) -> Scenario:
    """The named scenario, built fresh; KeyError lists the known names."""
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return SCENARIOS[name]()
