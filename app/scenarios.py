"""Named starting points for a session: weights, inputs and initial state, with an explanation.

The hand-set scenarios use no recurrent weights (W_hh = 0), so every gate is a readable function
of the current input alone: σ(w·x + b). Biases of ±8 put a gate at 0.9997 or 0.0003.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.engine.lstm import GATES, WEIGHT_NAMES, LSTMWeights
from app.engine.sequences import pulse
from app.engine.train import sign_memory_batch


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

    def summary(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "description": self.description}

    def as_dict(self) -> dict[str, object]:
        """Everything needed to reproduce the scenario with POST /api/trace, as plain lists."""
        weights = {name: getattr(self.weights, name).tolist() for name in WEIGHT_NAMES}
        return {
            **self.summary(),
            "weights": weights,
            "x": self.x.tolist(),
            "h0": self.h0.tolist(),
            "c0": self.c0.tolist(),
            "input_names": list(self.input_names),
            "input_range": list(self.input_range),
        }


def input_driven(w: dict[str, list[list[float]]], b: dict[str, list[float]]) -> LSTMWeights:
    """An LSTM whose gates see only x: per gate a (H, D) input weight and an (H,) bias."""
    hidden = len(b["i"])
    return LSTMWeights(
        weight_ih=np.concatenate([np.array(w[gate], dtype=float) for gate in GATES]),  # (4H, D)
        weight_hh=np.zeros((4 * hidden, hidden)),
        bias_ih=np.concatenate([np.array(b[gate], dtype=float) for gate in GATES]),  # (4H,)
        bias_hh=np.zeros(4 * hidden),
    )


def _columns(*columns: np.ndarray) -> np.ndarray:
    return np.stack(columns, axis=1)  # (T, D)


def hold_and_release() -> Scenario:
    """Three units, two inputs (signal, release), 40 steps; hand-set so each gate has one job."""
    # Unit 0 remembers the signal until "release" closes its forget gate.
    # Unit 1 writes the same signal but its forget gate is half shut: gone in a few steps.
    # Unit 2 stores the signal's negative and hides it (o ≈ 0) until "release" opens its output.
    weights = input_driven(
        w={
            "i": [[8, 0], [8, 0], [8, 0]],
            "f": [[0, -14], [0, 0], [0, 0]],
            "g": [[3, 0], [3, 0], [-3, 0]],
            "o": [[0, 0], [0, 0], [0, 10]],
        },
        b={"i": [-4, -4, -4], "f": [6, 0.3, 6], "g": [0, 0, 0], "o": [2, 2, -4]},
    )
    steps = 40
    return Scenario(
        name="hold-and-release",
        title="Hold and release",
        description=(
            "A signal pulse at step 5 opens the input gate of all three units. Unit 0 keeps it on "
            "the belt (forget gate ≈ 1) until the release pulse at steps 28–29 shuts its forget "
            "gate and erases it. Unit 1 has a half-open forget gate, so its copy is gone within a "
            "few steps. Unit 2 stores the negative of the signal but keeps its output gate shut, "
            "so h₂ stays near 0 until the release pulse opens it and the memory shows."
        ),
        weights=weights,
        x=_columns(pulse(steps, at=5, width=1, amplitude=1.0), pulse(steps, at=28, width=2, amplitude=1.0)),
        h0=np.zeros(3),
        c0=np.zeros(3),
        input_names=("signal", "release"),
    )


def _write_once(forget_bias: float) -> LSTMWeights:
    """Two units that write +tanh(2x) and −tanh(2x) when x fires; the forget bias sets how long."""
    return input_driven(
        w={"i": [[16], [16]], "f": [[0], [0]], "g": [[2], [-2]], "o": [[0], [0]]},
        b={"i": [-8, -8], "f": [forget_bias, forget_bias], "g": [0, 0], "o": [3, 3]},
    )


def long_memory() -> Scenario:
    steps = 120
    return Scenario(
        name="long-memory",
        title="Long memory",
        description=(
            "A pulse at step 2 is written onto the belt (unit 0 stores it, unit 1 its negative). "
            "After that the input gate is shut (i ≈ 0.0003) and the forget gate is wide open "
            "(f ≈ 0.99995), so the value rides the belt almost unchanged for more than 100 steps: "
            "only a pointwise × close to 1 and a + close to 0 touch it."
        ),
        weights=_write_once(forget_bias=10.0),
        x=_columns(pulse(steps, at=2, width=1, amplitude=1.0)),
        h0=np.zeros(2),
        c0=np.zeros(2),
        input_names=("pulse",),
    )


def forgetful() -> Scenario:
    steps = 40
    return Scenario(
        name="forgetful",
        title="Forgetful",
        description=(
            "The same pulse and the same write as in Long memory, but the forget gate is mostly "
            "closed (f ≈ 0.27). Every step the × station takes about three quarters of each "
            "parcel off the belt, so the memory is gone within a few steps."
        ),
        weights=_write_once(forget_bias=-1.0),
        x=_columns(pulse(steps, at=2, width=1, amplitude=1.0)),
        h0=np.zeros(2),
        c0=np.zeros(2),
        input_names=("pulse",),
    )


def latch() -> Scenario:
    """One unit; inputs value, store, clear."""
    # store opens the input gate and shuts the forget gate: the old content is replaced.
    # clear shuts the forget gate alone: the content is erased and nothing is written.
    weights = input_driven(
        w={"i": [[0, 16, 0]], "f": [[0, -16, -16]], "g": [[1, 0, 0]], "o": [[0, 0, 0]]},
        b={"i": [-8], "f": [8], "g": [0], "o": [4]},
    )
    steps = 60
    value = 0.8 * np.sin(2 * np.pi * np.arange(steps) / 9.0)  # a distractor that never stops
    value[6], value[30] = 0.9, -0.7
    store = pulse(steps, at=6, width=1, amplitude=1.0) + pulse(steps, at=30, width=1, amplitude=1.0)
    clear = pulse(steps, at=48, width=1, amplitude=1.0)
    return Scenario(
        name="latch",
        title="Latch: store and clear",
        description=(
            "Input 0 is a value that keeps changing. A store pulse (input 1) opens the input gate "
            "and shuts the forget gate at the same step, so tanh(value) replaces whatever the belt "
            "held. In between, the input gate is shut and the forget gate open: the belt holds "
            "the stored value however the value input moves. A clear pulse (input 2) shuts the "
            "forget gate alone and empties the belt."
        ),
        weights=weights,
        x=_columns(value, store, clear),
        h0=np.zeros(1),
        c0=np.zeros(1),
        input_names=("value", "store", "clear"),
    )


COUNTER_FIRES = (3, 9, 14, 22, 30, 31, 40, 47)


def counter() -> Scenario:
    """One unit adds ≈1 to the belt each time the input fires."""
    weights = input_driven(
        w={"i": [[16]], "f": [[0]], "g": [[16]], "o": [[0]]},
        b={"i": [-8], "f": [10], "g": [0], "o": [0]},
    )
    steps = 60
    fires = np.zeros(steps)
    fires[list(COUNTER_FIRES)] = 1.0
    return Scenario(
        name="counter",
        title="Counter",
        description=(
            "Each time the input fires, the input gate opens and the candidate is ≈ 1, so the + "
            "station adds one parcel of ≈ 1 to the belt; the forget gate stays open. The cell "
            "state counts the firings (8 by the end). The hidden state h = o·tanh(c) squashes the "
            "count into (−1, 1), but the belt itself is never squashed."
        ),
        weights=weights,
        x=_columns(fires),
        h0=np.zeros(1),
        c0=np.zeros(1),
        input_names=("fire",),
        input_range=(0.0, 1.0),
    )


TRAINED_MEMORY = Path(__file__).parent / "data" / "trained-memory.npz"


def trained_memory() -> Scenario:
    """The LSTM scripts/train_memory.py trained on the sign-memory task, on one fresh sequence."""
    with np.load(TRAINED_MEMORY, allow_pickle=False) as data:
        weights = LSTMWeights(*(data[name] for name in WEIGHT_NAMES))
    x, _ = sign_memory_batch(np.random.default_rng(7), batch=1, steps=50)
    hidden = weights.hidden_size
    return Scenario(
        name="trained-memory",
        title="Trained: remember a sign for 50 steps",
        description=(
            "This LSTM was trained in this repository (NumPy backpropagation through time and "
            "Adam, scripts/train_memory.py) on one task: the first step carries +1 or −1 and a "
            "marker, then 49 steps of noise follow, and at the end unit 0's h must show the "
            "first sign. It solves it on fresh sequences. Watch unit 0: the marked first step "
            "writes the sign onto its belt; afterwards its forget gate stays near 1 and its own h "
            "keeps the candidate pointing the same way, so the belt keeps growing in the "
            "direction of the sign and the noise cannot flip it. Drag the value at step 0 to the "
            "other sign and unit 0's belt turns around; the other units found other jobs. "
            "Training found its own way to remember, not the hand-set write-once belt: the belt "
            "grows far beyond ±1, tanh(c) saturates, and the gradient view shows little gradient "
            "reaching step 0 — the trained network no longer needs it to get there."
        ),
        weights=weights,
        x=x[0],
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=("value", "marker"),
        input_range=(-3.0, 3.0),
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
            "the hand-set scenarios to see what training has to find."
        ),
        weights=weights,
        x=rng.standard_normal((steps, inputs)),
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=tuple(f"x{j}" for j in range(inputs)),
    )


CUSTOM = "custom"


def custom_scenario(weights: LSTMWeights, title: str | None = None, steps: int = 40) -> Scenario:
    """Someone's own weights, starting from zero input (an upload or a shared link)."""
    hidden, inputs = weights.hidden_size, weights.input_size
    return Scenario(
        name=CUSTOM,
        title=title or "Your LSTM",
        description=(
            f"Your own weights: H={hidden} units, D={inputs} inputs. Upload or generate an input "
            "sequence, or drag the input sliders, and watch what your gates do."
        ),
        weights=weights,
        x=np.zeros((steps, inputs)),
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=tuple(f"x{j}" for j in range(inputs)),
    )


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "hold-and-release": hold_and_release,
    "long-memory": long_memory,
    "forgetful": forgetful,
    "latch": latch,
    "counter": counter,
    "trained-memory": trained_memory,
    "random-init": random_init,
}
DEFAULT_SCENARIO = "hold-and-release"


def get_scenario(name: str) -> Scenario:
    """The named scenario, built fresh; KeyError lists the known names."""
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return SCENARIOS[name]()
