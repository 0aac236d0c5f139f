"""Named starting points for a session: weights, inputs and initial state, with an explanation.

The hand-set scenarios use no recurrent weights (W_hh = 0), so every gate is a readable function
of the current input alone: σ(w·x + b). Biases of ±8 put a gate at 0.9997 or 0.0003.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from .engine.embedding import TextModel
from .engine.gru import GRUWeights
from .engine.knobs import GRUKnobs, Knobs
from .engine.lstm import GATES, WEIGHT_NAMES, LSTMWeights
from .engine.sequences import pulse
from .engine.stack import Stack
from .engine.tasks import Task
from .engine.train import sign_memory_batch
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, ScenarioText, catalogue, scenario_text, scenario_texts

W = TypeVar("W", LSTMWeights, GRUWeights)
K = TypeVar("K", Knobs, GRUKnobs)


@dataclass(frozen=True)
class ModelScenario(Generic[W, K]):
    """A scenario of one model: an LSTM's (`Scenario`) or a GRU's (`GRUScenario`)."""

    name: str
    title: str
    description: str
    prompt: str  # "try this": one thing to do at open_step, and what it will show
    weights: W  # the model's kind goes with its weights
    x: np.ndarray  # (T, D)
    h0: np.ndarray  # (H,)
    c0: np.ndarray  # (H,); a GRU has no cell state: zeros, never sent
    input_names: tuple[str, ...]
    input_range: tuple[float, float] = (-2.0, 2.0)
    # The step a page opens the scenario at: where something happens, not t = 0 where every value
    # is still 0 (the prompt's input slider is the one of this step).
    open_step: int = 0
    # The unit a page opens it on (the belt's lanes and the equations include it): the one its
    # prompt is about, in a model too wide to show every unit.
    open_unit: int = 0
    # The knobs it starts (and resets) with: the gradient lab sets its RNN's w. A GRU's are GRUKnobs.
    knobs: K = field(default_factory=Knobs)  # type: ignore[assignment]  # a GRU's scenario passes GRUKnobs
    # A model that reads text: its vocabulary, embedding and decoder, and the token ids x came from
    # (x_t = embedding[ids_t]).
    text: TextModel | None = None
    ids: np.ndarray | None = None
    # A stack of layers (nn.LSTM(num_layers=K, bidirectional=…)): x is layer 0's input, and
    # `weights` are the direction the session shows, (layer, reverse) = `shown` (app/stacking.py).
    stack: Stack | None = None
    shown: tuple[int, bool] = (0, False)

    def __post_init__(self) -> None:
        if not 0 <= self.open_step < len(self.x):
            raise ValueError(f"open_step must be in 0..{len(self.x) - 1}, got {self.open_step}")
        if not 0 <= self.open_unit < len(self.h0):
            raise ValueError(f"open_unit must be in 0..{len(self.h0) - 1}, got {self.open_unit}")
        if isinstance(self.weights, GRUWeights) != isinstance(self.knobs, GRUKnobs):
            raise ValueError("a GRU's scenario takes GRUKnobs, an LSTM's Knobs")

    @property
    def kind(self) -> str:
        """ "lstm" or "gru"."""
        return "gru" if isinstance(self.weights, GRUWeights) else "lstm"

    def texts(self) -> dict[str, ScenarioText]:
        """Title, description and prompt in every language; a title someone gave their model is
        kept, and a scenario the catalogues do not know (one a benchmark registers) keeps its own."""
        section = TEXT_SECTIONS[self.kind]
        if self.name not in catalogue(DEFAULT_LANGUAGE)[section]:
            own: ScenarioText = {"title": self.title, "description": self.description, "prompt": self.prompt}
            return {lang: own.copy() for lang in LANGUAGES}
        sizes = {"hidden": self.weights.hidden_size, "inputs": self.weights.input_size}
        texts = scenario_texts(self.name, section=section, **sizes)
        if self.title != texts[DEFAULT_LANGUAGE]["title"]:
            for text in texts.values():
                text["title"] = self.title
        return texts

    def summary(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, object]:
        return {"name": self.name, **self.texts()[lang], "open_step": self.open_step}

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, object]:
        """Everything needed to reproduce the scenario with POST /api/trace, as plain lists."""
        weights = {name: getattr(self.weights, name).tolist() for name in WEIGHT_NAMES}
        # A GRU's: its kind and reset placement as /api/trace takes them, and no c0.
        model: dict[str, object] = {}
        if isinstance(self.weights, GRUWeights):
            model = {"model": "gru", "reset_after": self.weights.reset_after}
        return {
            **self.summary(lang),
            **model,
            "weights": weights,
            "x": self.x.tolist(),
            "h0": self.h0.tolist(),
            **({} if model else {"c0": self.c0.tolist()}),
            "input_names": list(self.input_names),
            "input_range": list(self.input_range),
            "knobs": self.knobs.as_dict(),
            **({} if self.text is None else {"tokens": self.text.tokens_of(self.x, self.ids)}),
        }


# Where each kind's scenario texts are in app/locales/*.json.
TEXT_SECTIONS = {"lstm": "scenarios", "gru": "gru_scenarios"}


Scenario = ModelScenario[LSTMWeights, Knobs]  # an LSTM's: what every scenario was before the GRU
GRUScenario = ModelScenario[GRUWeights, GRUKnobs]
AnyScenario = Scenario | GRUScenario


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
        **scenario_text("hold-and-release"),
        weights=weights,
        x=_columns(pulse(steps, at=5, width=1, amplitude=1.0), pulse(steps, at=28, width=2, amplitude=1.0)),
        h0=np.zeros(3),
        c0=np.zeros(3),
        input_names=("signal", "release"),
        open_step=5,  # the signal pulse: the + station writes onto every belt
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
        **scenario_text("long-memory"),
        weights=_write_once(forget_bias=10.0),
        x=_columns(pulse(steps, at=2, width=1, amplitude=1.0)),
        h0=np.zeros(2),
        c0=np.zeros(2),
        input_names=("pulse",),
        open_step=2,  # the pulse is written
    )


def forgetful() -> Scenario:
    steps = 40
    return Scenario(
        name="forgetful",
        **scenario_text("forgetful"),
        weights=_write_once(forget_bias=-1.0),
        x=_columns(pulse(steps, at=2, width=1, amplitude=1.0)),
        h0=np.zeros(2),
        c0=np.zeros(2),
        input_names=("pulse",),
        open_step=3,  # the step after the write: the × station takes three quarters off
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
        **scenario_text("latch"),
        weights=weights,
        x=_columns(value, store, clear),
        h0=np.zeros(1),
        c0=np.zeros(1),
        input_names=("value", "store", "clear"),
        open_step=6,  # the first store
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
        **scenario_text("counter"),
        weights=weights,
        x=_columns(fires),
        h0=np.zeros(1),
        c0=np.zeros(1),
        input_names=("fire",),
        input_range=(0.0, 1.0),
        open_step=COUNTER_FIRES[0],  # the first firing adds one
    )


LAB_STEPS = 120
LAB_RNN_W = 2.0


def gradient_lab() -> Scenario:
    """One write at step 0, read by the loss at step 119: the LSTM and the RNN compared fairly."""
    # Both models get the same write, g = tanh(2x), and the loss reads h at the last step. The
    # LSTM keeps it on the belt with its forget gate open (unit 0: f = σ(8) ≈ 0.9997, unit 1:
    # σ(5) ≈ 0.993, so the per-unit lines differ); its input gate shuts after the write. An RNN
    # only holds a value by feeding h back: with w = 1 tanh(h) shrinks it every step, with w = 2
    # it settles at ±0.96 whatever was written, where tanh is flat. The lab starts there.
    weights = input_driven(
        w={"i": [[16], [16]], "f": [[0], [0]], "g": [[2], [2]], "o": [[0], [0]]},
        b={"i": [-8, -8], "f": [8, 5], "g": [0, 0], "o": [3, 3]},
    )
    return Scenario(
        name="gradient-lab",
        **scenario_text("gradient-lab"),
        weights=weights,
        x=_columns(pulse(LAB_STEPS, at=0, width=1, amplitude=1.0)),
        h0=np.zeros(2),
        c0=np.zeros(2),
        input_names=("write",),
        open_step=0,  # the write the loss reads 119 steps later
        knobs=Knobs(rnn_scale=LAB_RNN_W),
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
        **scenario_text("trained-memory"),
        weights=weights,
        x=x[0],
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=("value", "marker"),
        input_range=(-3.0, 3.0),
        open_step=0,  # the marked step that carries the sign to remember
    )


PYTHON_CODE = Path(__file__).parent / "data" / "python-code.npz"
PYTHON_CODE_HELD_OUT = Path(__file__).parent / "data" / "python-code-heldout.txt"
# Where the scenario's text starts in the held-out code (heapq.py's heappush, at a line start: from
# a zero state the model knows the column), how many characters, and the step it opens at: the
# line break after the docstring's long line, where unit 76's forget gate wipes its count.
PYTHON_CODE_START, PYTHON_CODE_STEPS, PYTHON_CODE_OPEN = "def heappush(heap, item):", 240, 88
# The unit the training script found following the column (its manifest's "unit"), which the
# prompt names and the page opens on.
PYTHON_CODE_UNIT = 76


def python_code() -> Scenario:
    """The char-level language model scripts/train_text.py trained on the standard library's code,
    reading held-out code: x_t is the embedding row of character t, and the decoder's top 5 guess t+1."""
    weights, text = load_text_model(PYTHON_CODE)
    code = PYTHON_CODE_HELD_OUT.read_text(encoding="utf-8")
    start = code.index(PYTHON_CODE_START)
    ids = text.tokenize(code[start : start + PYTHON_CODE_STEPS])
    hidden = weights.hidden_size
    bound = float(np.ceil(np.abs(text.embedding).max()))  # every token's row fits the sliders
    return Scenario(
        name="python-code",
        **scenario_text("python-code"),
        weights=weights,
        x=text.embed(ids),
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=tuple(f"e{j}" for j in range(weights.input_size)),
        input_range=(-bound, bound),
        open_step=PYTHON_CODE_OPEN,
        open_unit=PYTHON_CODE_UNIT,
        text=text,
        ids=ids,
    )


def load_text_model(path: Path) -> tuple[LSTMWeights, TextModel]:
    """A shipped text model, read by the same importer as an upload."""
    from .text_import import import_model  # the importer reads settings and files: not at import time

    found, text = import_model(path.read_bytes(), path.name)
    if not isinstance(found.weights, LSTMWeights) or text is None:
        raise ValueError(f"{path.name} holds no LSTM language model")
    return found.weights, text


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
        **scenario_text("random-init"),
        weights=weights,
        x=rng.standard_normal((steps, inputs)),
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=tuple(f"x{j}" for j in range(inputs)),
        open_step=min(5, steps - 1),  # a step with some history on the belt (the prompt's step)
    )


CUSTOM = "custom"


def custom_scenario(weights: LSTMWeights, title: str | None = None, steps: int = 40) -> Scenario:
    """Someone's own weights, starting from zero input (an upload or a shared link)."""
    hidden, inputs = weights.hidden_size, weights.input_size
    text = scenario_text(CUSTOM, hidden=hidden, inputs=inputs)
    return Scenario(
        name=CUSTOM,
        title=title or text["title"],
        description=text["description"],
        prompt=text["prompt"],
        weights=weights,
        x=np.zeros((steps, inputs)),
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=tuple(f"x{j}" for j in range(inputs)),
    )


def stacked_scenario(stack: Stack, shown: tuple[int, bool], title: str | None = None) -> Scenario:
    """Someone's own stack, showing one direction of one layer, on zero input to layer 0."""
    layer, reverse = shown
    scenario = custom_scenario(stack.layers[layer].direction(reverse), title)
    inputs = stack.input_size
    return replace(
        scenario,
        x=np.zeros((len(scenario.x), inputs)),
        input_names=tuple(f"x{j}" for j in range(inputs)),
        stack=stack,
        shown=shown,
    )


def training_scenario(weights: LSTMWeights, task: Task, x: np.ndarray) -> Scenario:
    """A training's model, shown like a custom one, on the task's probe sequence x (T, D)."""
    scenario = custom_scenario(weights, steps=len(x))
    return replace(scenario, x=x.copy(), input_names=task.input_names, input_range=(-3.0, 3.0))


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "hold-and-release": hold_and_release,
    "long-memory": long_memory,
    "forgetful": forgetful,
    "latch": latch,
    "counter": counter,
    "trained-memory": trained_memory,
    "random-init": random_init,
    "gradient-lab": gradient_lab,
    "python-code": python_code,
}
DEFAULT_SCENARIO = "hold-and-release"


def get_scenario(name: str) -> Scenario:
    """The named scenario, built fresh; KeyError lists the known names."""
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return SCENARIOS[name]()
