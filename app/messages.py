"""Validated shapes of the WebSocket messages a client may send (docs/protocol.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator

from .i18n import validation_problem
from .opened import KEY
from .schemas import Index, Matrix, Strict, TextModelIn, Value, Vector, WeightsIn, check_rectangular


class Message(Strict):
    id: Index | None = Field(default=None, description="echoed back as `ack`")


ModelKind = Literal["lstm", "gru"]


class LoadScenario(Message):
    type: Literal["load"]
    scenario: str
    model: ModelKind | None = Field(
        default=None, description='"gru" for the scenario\'s GRU version; default "lstm"'
    )


class SetInput(Message):
    type: Literal["set_input"]
    t: Index
    j: Index
    value: Value


class SetSequence(Message):
    type: Literal["set_sequence"]
    x: Matrix

    @field_validator("x")
    @classmethod
    def _rectangular(cls, x: Matrix) -> Matrix:
        check_rectangular("x", x)
        return x


class SetText(Message):
    """Text for a model that reads text: each token becomes a step (x_t = its embedding row)."""

    type: Literal["set_text"]
    text: str | None = Field(
        default=None, strict=True, description="the text; at most LSTM_CONVEYOR_MAX_TEXT_CHARS characters"
    )
    ids: list[Index] | None = Field(default=None, description="token ids instead of text (e.g. from an .npy)")


class Pulse(Strict):
    kind: Literal["pulse"]
    at: Index = 0
    width: Annotated[int, Field(strict=True, ge=1)] = 1
    amplitude: Value = 1.0


class Sine(Strict):
    kind: Literal["sine"]
    amplitude: Value = 1.0
    period: Annotated[float, Field(strict=True, ge=1.0, le=1e6)] = 20.0
    phase: Value = 0.0


class Noise(Strict):
    kind: Literal["noise"]
    amplitude: Value = 0.5
    seed: Index = 0


class Constant(Strict):
    kind: Literal["constant"]
    value: Value = 0.0


Generator = Annotated[Pulse | Sine | Noise | Constant, Field(discriminator="kind")]


class Generate(Message):
    type: Literal["generate"]
    component: Index | None = Field(default=None, description="input j, or every input")
    sequence: Generator


class SetState(Message):
    type: Literal["set_state"]
    h0: Vector | None = None
    c0: Vector | None = None


BiasShift = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-10.0, le=10.0)]
Scale = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0, le=3.0)]


class KnobFields(Strict):
    """Knob values; the ones left out (null) keep their value."""

    bias_i: BiasShift | None = Field(default=None, description="added to the input gate's bias")
    bias_f: BiasShift | None = Field(default=None, description="added to the forget gate's bias")
    bias_g: BiasShift | None = Field(default=None, description="added to the candidate's bias")
    bias_o: BiasShift | None = Field(default=None, description="added to the output gate's bias")
    bias_r: BiasShift | None = Field(default=None, description="a GRU's: added to the reset gate's bias")
    bias_z: BiasShift | None = Field(default=None, description="a GRU's: added to the update gate's bias")
    bias_n: BiasShift | None = Field(default=None, description="a GRU's: added to the candidate's bias")
    weight_scale: Scale | None = Field(default=None, description="multiplies weight_ih and weight_hh")
    rnn_scale: Scale | None = Field(default=None, description="the plain RNN's self-recurrent weight")
    target: Literal["sum"] | Index | None = Field(default=None, description='"sum" or a unit k')


class SetKnobs(KnobFields, Message):
    """Change any of the knobs; the ones left out keep their value."""

    type: Literal["set_knobs"]


GateName = Literal["i", "f", "g", "o", "r", "z", "n"]  # an LSTM's, then a GRU's
ClampValue = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1.0, le=1.0)]
CANDIDATES = ("g", "n")  # tanh: the LSTM's g and the GRU's n


def check_clamp(gate: str | None, value: float | None) -> None:
    """σ gates (i, f, o; r, z) live in [0, 1]; only a candidate (g, n) may be negative."""
    if value is not None and gate not in CANDIDATES and value < 0:
        raise validation_problem("sigmoid_range", gate=gate)


class SetClamp(Message):
    """Force a gate to `value` at every step, for one unit or all; `value` null releases it."""

    type: Literal["set_clamp"]
    gate: GateName
    unit: Index | None = Field(default=None, description="a unit k, or every unit")
    value: ClampValue | None

    @field_validator("value")
    @classmethod
    def _in_the_gates_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        check_clamp(info.data.get("gate"), value)
        return value


class StackLayerIn(Strict):
    """One layer of a stack: its forward direction, and a bidirectional layer's reverse one."""

    id: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="its id in the file, as POST /api/weights names it (kept for nothing else)"
    )
    weights: WeightsIn = Field(description="the forward direction (PyTorch's weight_ih_l{k}, …)")
    reverse: WeightsIn | None = Field(default=None, description="the reverse direction (…_l{k}_reverse)")


MAX_STACK_LAYERS = 16


class SetLayer(Message):
    """Show another layer (or direction) of the stack; layer 0's inputs stay."""

    type: Literal["set_layer"]
    layer: Index
    reverse: StrictBool = Field(default=False, description="its reverse direction (a bidirectional layer's)")


class Restore(Message):
    """A whole state in one message (a shared link, or the page after a reconnect)."""

    type: Literal["restore"]
    scenario: str | None = Field(default=None, description="a preset name; default: the current one")
    model: ModelKind | None = Field(
        default=None, description='"gru": the preset\'s GRU version, or GRU weights'
    )
    weights: WeightsIn | None = Field(
        default=None, description="custom weights (of `model`) instead of a preset"
    )
    reset_after: bool | None = Field(
        default=None, description="custom GRU weights': false for Keras' other GRU"
    )
    title: Annotated[str, Field(max_length=80)] | None = None
    text: TextModelIn | None = Field(
        default=None,
        description="with LSTM `weights` or a `stack`: the vocabulary, embedding and decoder around them",
    )
    stack: Annotated[list[StackLayerIn], Field(min_length=1, max_length=MAX_STACK_LAYERS)] | None = Field(
        default=None, description="several LSTM layers instead of `weights`, bottom up (nn.LSTM num_layers)"
    )
    open: str | None = Field(
        default=None,
        strict=True,
        description="the key of a model POST /api/open keeps, instead of a preset, `weights` or a `stack`",
    )
    layer: Index | None = Field(
        default=None, description="with a `stack` (or an `open` one): the layer shown (default 0)"
    )
    reverse: StrictBool | None = Field(
        default=None, description="with a `stack` (or an `open` one): show its reverse direction"
    )
    x: Matrix | None = None
    input_text: str | None = Field(
        default=None, strict=True, description="for a model that reads text: what it reads, instead of `x`"
    )
    h0: Vector | None = None
    c0: Vector | None = None
    knobs: KnobFields | None = None
    clamps: dict[GateName, list[ClampValue | None]] | None = None

    @field_validator("x")
    @classmethod
    def _rectangular(cls, x: Matrix | None) -> Matrix | None:
        if x is not None:
            check_rectangular("x", x)
        return x

    @field_validator("open")
    @classmethod
    def _a_key(cls, key: str | None) -> str | None:
        return None if key is None else checked_key(key)

    @field_validator("clamps")
    @classmethod
    def _clamps_in_range(
        cls, clamps: dict[str, list[float | None]] | None
    ) -> dict[str, list[float | None]] | None:
        for gate, values in (clamps or {}).items():
            for value in values:
                check_clamp(gate, value)
        return clamps


class Open(Message):
    """Open the model POST /api/open stored under this key (app/opened.py): read on the server."""

    type: Literal["open"]
    open: str = Field(strict=True, description="the key /api/open answered (`id`), 32 characters")

    @field_validator("open")
    @classmethod
    def _a_key(cls, key: str) -> str:
        return checked_key(key)


def checked_key(key: str) -> str:
    """A key /api/open gives, or the validation problem open_malformed."""
    if len(key) > 64 or not KEY.fullmatch(key):  # long text never reaches the pattern
        raise validation_problem("open_malformed", field="open")
    return key


class Export(Message):
    """Ask for the current trace or weights as a file (answered with a `file` message)."""

    type: Literal["export"]
    format: Literal["trace.csv", "trace.json", "weights.npz", "weights.safetensors"]


class Reset(Message):
    type: Literal["reset"]


class Sync(Message):
    type: Literal["sync"]


# The page's views. Only "gradients" and "race" need more than the trace: the LSTM's gradients and
# the plain RNN it is raced against, which the server computes only while one of them is shown.
ViewName = Literal["belt", "timeline", "equations", "gates", "numbers", "gradients", "race"]


class SetViews(Message):
    """Which views the client shows, and which units; the server computes and sends what they need."""

    type: Literal["views"]
    shown: Annotated[list[ViewName], Field(max_length=16)]
    units: list[Index] | None = Field(
        default=None, max_length=4096, description="the units whose trace columns to send; null: every unit"
    )


# --- which units to show (app/unit_search.py, app/engine/unit_finder.py) ------------------------------

Ranking = Literal["span", "memory", "pattern"]
TOP_UNITS = 64


class FindUnits(Message):
    """Rank the units (answered with a `units` message): on in a span of steps and off elsewhere
    (LSTMVis), by forget-gate saturation, or by correlation with where a regular expression matches
    the text."""

    type: Literal["find_units"]
    ranking: Ranking
    start: Index | None = Field(default=None, description="span: the first step of the span")
    stop: Index | None = Field(default=None, description="span: the step after the span's last")
    quantity: Literal["h", "c"] | None = Field(
        default=None, description="span and pattern: the values ranked; default the belt (c, a GRU's h)"
    )
    threshold: Value = Field(default=0.3, description="span: a unit is on at a step where its value ≥ this")
    pattern: Annotated[str, Field(strict=True, min_length=1, max_length=200)] | None = Field(
        default=None, description="pattern: a Python regular expression over the session's text"
    )
    top: Annotated[int, Field(strict=True, ge=1, le=TOP_UNITS)] = Field(
        default=10, description="how many units to answer with"
    )


# --- training (app/coach.py): an LSTM learns a task on the server, and the session shows it -----------

TaskName = Literal["sign-memory", "count", "latch", "copy"]  # app/engine/tasks.py TASKS
LearningRate = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0.0, le=1.0)]
BatchSize = Annotated[int, Field(strict=True, ge=1, le=256)]


class TrainSettings(Strict):
    """A training's hyperparameters (app/engine/fit.py Hyper); every one has a default."""

    task: TaskName = "sign-memory"
    model: Literal["lstm", "gru"] = Field(default="lstm", description="the layer trained: an LSTM or a GRU")
    steps: Annotated[int, Field(strict=True, ge=10, le=200, description="T")] = 50
    hidden: Annotated[int, Field(strict=True, ge=1, le=16, description="H")] = 8
    learning_rate: LearningRate = 0.03
    batch: BatchSize = 32
    forget_bias: Annotated[
        float,
        Field(
            strict=True,
            allow_inf_nan=False,
            ge=0.0,
            le=1.0,
            description="added to the keeping gate's bias at initialisation (b_f; a GRU's b_z)",
        ),
    ] = 1.0
    seed: Annotated[int, Field(strict=True, ge=0, le=2**32 - 1)] = 0
    curriculum: StrictBool = Field(default=True, description="start at 5 steps, one more every 8 updates")


Pace = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=1.0, le=10_000.0)]


class Train(TrainSettings, Message):
    """A new training (the session's one: any other ends), running at once unless `paused`."""

    type: Literal["train"]
    paused: StrictBool = False
    pace: Pace | None = Field(default=None, description="at most this many updates a second; null: no limit")


class TrainPause(Message):
    type: Literal["train_pause"]


class TrainResume(Message):
    type: Literal["train_resume"]


class TrainStep(Message):
    """One update (pausing first if running)."""

    type: Literal["train_step"]


class TrainReset(Message):
    """Back to update 0: the same seed gives the same initial weights and the same batches."""

    type: Literal["train_reset"]


class TrainSet(Message):
    """Change the learning rate, the batch size or the pace from the next update on."""

    type: Literal["train_set"]
    learning_rate: LearningRate | None = None
    batch: BatchSize | None = None
    pace: Pace | None = None
    full_speed: StrictBool = Field(default=False, description="drop the pace: as fast as it goes")


TRAINING_MESSAGES = (Train, TrainPause, TrainResume, TrainStep, TrainReset, TrainSet)
TrainingMessage = Train | TrainPause | TrainResume | TrainStep | TrainReset | TrainSet


ClientMessage = Annotated[
    LoadScenario
    | SetInput
    | SetSequence
    | SetText
    | Generate
    | SetState
    | SetKnobs
    | SetClamp
    | Restore
    | Open
    | Export
    | Reset
    | Sync
    | SetViews
    | FindUnits
    | SetLayer
    | TrainingMessage,
    Field(discriminator="type"),
]
