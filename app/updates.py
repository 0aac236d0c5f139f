"""How each client message changes a session's state: old state in, new state and change out.

States are immutable, so a message that is rejected (Rejected, naming the field) or a batch that
fails part-way leaves the session exactly as it was: the session only commits at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .config import get_settings
from .engine import sequences
from .engine.embedding import TextModel, UnknownToken
from .engine.gru import GRUWeights
from .engine.knobs import AnyKnobs, GRUKnobs, Knobs
from .engine.lstm import GATES, LSTMWeights
from .engine.stack import Stack, StackLayer
from .file_errors import setting
from .gru_scenarios import GRU_SCENARIOS, custom_gru_scenario, get_gru_scenario
from .i18n import ProblemError, problem_text
from .messages import (
    Constant,
    Generate,
    KnobFields,
    LoadScenario,
    Noise,
    Open,
    Pulse,
    Reset,
    Restore,
    SetClamp,
    SetInput,
    SetKnobs,
    SetLayer,
    SetSequence,
    SetState,
    SetText,
    Sine,
    StackLayerIn,
)
from .opened import NotOpened, Opened, load
from .scenarios import SCENARIOS, AnyScenario, custom_scenario, get_scenario, stacked_scenario
from .schemas import WeightsIn


class Rejected(ValueError):
    """A well-formed message that does not fit this session (e.g. an index out of range).

    `code` and `params` name the problem in app/locales/*.json; str() is its English text."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.field, self.code, self.params = field, code, {"field": field, **params}
        super().__init__(problem_text(code, self.params))


@dataclass(frozen=True)
class State:
    scenario: AnyScenario  # what `reset` returns to
    x: np.ndarray  # (T, D)
    h0: np.ndarray  # (H,)
    c0: np.ndarray  # (H,); a GRU's stays zeros (it has no cell state)
    knobs: AnyKnobs  # GRUKnobs for a GRU
    ids: np.ndarray | None = None  # (T,) the tokens x was read from, for a model that reads text

    @staticmethod
    def start(scenario: AnyScenario) -> State:
        ids = None if scenario.ids is None else scenario.ids.copy()
        return State(scenario, scenario.x.copy(), scenario.h0.copy(), scenario.c0.copy(), scenario.knobs, ids)

    @property
    def hidden(self) -> int:
        return int(self.h0.shape[0])


@dataclass(frozen=True)
class Change:
    """The first step whose trace must be recomputed, and whether the client needs a snapshot."""

    start: int | None = None  # None: nothing to recompute
    resized: bool = False  # T, the model or the scenario changed

    def then(self, other: Change) -> Change:
        starts = [s for s in (self.start, other.start) if s is not None]
        return Change(min(starts) if starts else None, self.resized or other.resized)


EVERYTHING = Change(start=0, resized=True)
FROM_START = Change(start=0)


def apply_update(state: State, message: Any) -> tuple[State, Change]:
    """The state after `message` (any client message but sync); raises Rejected."""
    return _HANDLERS[type(message)](state, message)


def _load(state: State, message: LoadScenario) -> tuple[State, Change]:
    return State.start(_preset(message.scenario, message.model)), EVERYTHING


def _preset(name: str, model: str | None) -> AnyScenario:
    """A preset, as an LSTM (model None or "lstm") or as its GRU version."""
    if name not in SCENARIOS:
        raise Rejected("scenario", "unknown_scenario", name=name, known=", ".join(SCENARIOS))
    if model != "gru":
        return get_scenario(name)
    if name not in GRU_SCENARIOS:
        raise Rejected("model", "no_gru_version", name=name, known=", ".join(GRU_SCENARIOS))
    return get_gru_scenario(name)


def _reset(state: State, message: Reset) -> tuple[State, Change]:
    return State.start(state.scenario), EVERYTHING


def _set_input(state: State, message: SetInput) -> tuple[State, Change]:
    steps, inputs = state.x.shape
    if message.t >= steps:
        raise Rejected("t", "step_out_of_range", value=message.t, steps=steps)
    if message.j >= inputs:
        raise Rejected("j", "input_out_of_range", value=message.j, inputs=inputs)
    x = state.x.copy()
    x[message.t, message.j] = message.value
    return replace(state, x=x), Change(start=message.t)


def _set_sequence(state: State, message: SetSequence) -> tuple[State, Change]:
    x = _checked_inputs(np.asarray(message.x, dtype=np.float64), state.x.shape[1], "x")
    return replace(state, x=x), Change(start=0, resized=x.shape[0] != state.x.shape[0])


def _set_text(state: State, message: SetText) -> tuple[State, Change]:
    """Text in: its tokens' ids, and their embedding rows as x. A piece the vocabulary lacks is
    refused naming where it starts, unless the vocabulary has an unknown token to read it as."""
    text, given = state.scenario.text, message.text
    if text is None:
        raise Rejected("text" if message.ids is None else "ids", "no_text_model")
    if given is None:
        if message.ids is None:
            raise Rejected("text", "text_or_ids")
        return _read_ids(state, text, np.array(message.ids, dtype=np.intp))
    if message.ids is not None:
        raise Rejected("text", "text_or_ids")
    return _read_text(state, given, "text")


def _read_text(state: State, given: str, field: str) -> tuple[State, Change]:
    """x from text, read as the session's text model reads it; refusals name `field`."""
    text, limit = state.scenario.text, get_settings().max_text_chars
    if text is None:
        raise Rejected(field, "no_text_model")
    if len(given) > limit:
        raise Rejected(
            field, "text_too_long", value=len(given), limit=limit, setting=setting("max_text_chars")
        )
    try:
        ids = text.tokenize(given)
    except UnknownToken as err:
        raise Rejected(field, "unknown_token", token=err.token, position=err.position) from None
    return _read_ids(state, text, ids, field)


def _read_ids(state: State, text: TextModel, ids: np.ndarray, field: str = "ids") -> tuple[State, Change]:
    """x from token ids (checked): a snapshot if T changed, else a frame from the first changed step."""
    limit = get_settings().max_steps
    if len(ids) == 0:
        raise Rejected(field, "text_empty")
    if len(ids) > limit:
        raise Rejected(
            field, "text_too_many_steps", value=len(ids), limit=limit, setting=setting("max_steps")
        )
    if ids.max() >= len(text.vocab):
        raise Rejected(field, "token_id_out_of_range", value=int(ids.max()), tokens=len(text.vocab))
    x = text.embed(ids)
    if x.shape != state.x.shape:
        return replace(state, x=x, ids=ids), Change(start=0, resized=True)
    changed = np.flatnonzero(np.any(x != state.x, axis=1))
    start = int(changed[0]) if len(changed) else None
    return replace(state, x=x, ids=ids), Change(start=start)


def _generate(state: State, message: Generate) -> tuple[State, Change]:
    steps, inputs = state.x.shape
    j = message.component
    if j is not None and j >= inputs:
        raise Rejected("component", "input_out_of_range", value=j, inputs=inputs)
    x = state.x.copy()
    for column in range(inputs) if j is None else [j]:
        x[:, column] = generate(message.sequence, steps, column)
    return replace(state, x=x), FROM_START


def _set_state(state: State, message: SetState) -> tuple[State, Change]:
    _no_c0_for_a_gru(state.scenario, message.c0)
    h0 = state.h0 if message.h0 is None else _checked_vector(message.h0, state.hidden, "h0")
    c0 = state.c0 if message.c0 is None else _checked_vector(message.c0, state.hidden, "c0")
    return replace(state, h0=h0, c0=c0), FROM_START


def _set_knobs(state: State, message: SetKnobs) -> tuple[State, Change]:
    return replace(state, knobs=_with_knobs(state.knobs, message, state.hidden)), FROM_START


def _set_clamp(state: State, message: SetClamp) -> tuple[State, Change]:
    if message.unit is not None and message.unit >= state.hidden:
        raise Rejected("unit", "unit_out_of_range", value=message.unit, hidden=state.hidden)
    _check_gate(state.knobs, message.gate, "gate")
    knobs = state.knobs.with_clamp(message.gate, message.unit, message.value, state.hidden)
    return replace(state, knobs=knobs), FROM_START


def _restore(state: State, message: Restore) -> tuple[State, Change]:
    """A whole state at once (a shared link, or a page reconnecting): all checked, then applied."""
    scenario = _restored_scenario(state, message)
    _no_c0_for_a_gru(scenario, message.c0)
    restored = State.start(scenario)
    hidden, inputs = restored.hidden, restored.x.shape[1]
    x = (
        restored.x
        if message.x is None
        else _checked_inputs(np.asarray(message.x, dtype=np.float64), inputs, "x")
    )
    ids = restored.ids
    if message.input_text is not None:
        if message.x is not None:
            raise Rejected("input_text", "text_or_x")
        read, _ = _read_text(restored, message.input_text, "input_text")
        x, ids = read.x, read.ids
    # (a custom model starts on zeros; the message's x, when given, replaces them)
    h0 = restored.h0 if message.h0 is None else _checked_vector(message.h0, hidden, "h0")
    c0 = restored.c0 if message.c0 is None else _checked_vector(message.c0, hidden, "c0")
    # knobs the message leaves out are the scenario's own (the gradient lab's w is not 1)
    knobs = restored.knobs if message.knobs is None else _with_knobs(restored.knobs, message.knobs, hidden)
    for gate, values in (message.clamps or {}).items():
        _check_gate(knobs, gate, f"clamps.{gate}")
        if len(values) != hidden:
            raise Rejected(f"clamps.{gate}", "wrong_length", length=len(values), hidden=hidden)
        for unit, value in enumerate(values):
            knobs = knobs.with_clamp(gate, unit, value, hidden)
    return State(scenario, x, h0, c0, knobs, ids), EVERYTHING


def _restored_scenario(state: State, message: Restore) -> AnyScenario:
    if message.open is not None:
        return _restored_open(message, message.open)
    if message.stack is not None:
        return _restored_stack(message, message.stack)
    for name in ("layer", "reverse"):
        if getattr(message, name) is not None:
            raise Rejected(name, "layer_needs_stack")
    if message.reset_after is not None and message.model != "gru":
        raise Rejected("reset_after", "reset_after_is_for_gru")
    if message.text is not None and (message.weights is None or message.model == "gru"):
        raise Rejected("text", "text_needs_lstm_weights")
    if message.weights is None:
        if message.reset_after is not None:
            raise Rejected("reset_after", "reset_after_needs_weights")
        return _preset(message.scenario or state.scenario.name, message.model)
    gru = message.model == "gru"
    try:
        hidden, inputs = message.weights.sizes(blocks=3 if gru else len(GATES))
        if message.text is not None:
            message.text.check_sizes(inputs, hidden)
    except ProblemError as err:  # a named problem keeps its code, so the page can say it in Korean
        params = dict(err.params)
        tensor = params.pop("field", None)  # e.g. bias_hh: the field is then weights.bias_hh
        if tensor and tensor.startswith("text."):
            raise Rejected(tensor, err.code, **params) from None
        raise Rejected(f"weights.{tensor}" if tensor else "weights", err.code, **params) from None
    except ValueError as err:
        raise Rejected("weights", "bad_weights", detail=str(err)) from None
    tensors = {name: np.asarray(value) for name, value in message.weights.model_dump().items()}
    if gru:
        return custom_gru_scenario(
            GRUWeights(**tensors, reset_after=message.reset_after is not False), message.title
        )
    scenario = custom_scenario(LSTMWeights(**tensors), message.title)
    return scenario if message.text is None else replace(scenario, text=message.text.model())


def _restored_stack(message: Restore, layers: list[StackLayerIn]) -> AnyScenario:
    """A stack, showing `layer` (its reverse direction with `reverse`), with the text around it."""
    if message.weights is not None or message.model == "gru":
        raise Rejected("stack", "stack_or_weights")
    directions = [
        (f"stack[{k}].{part}", given)
        for k, layer in enumerate(layers)
        for part, given in (("weights", layer.weights), ("reverse", layer.reverse))
        if given is not None
    ]
    for field, given in directions:
        _check_lstm_sizes(field, given)
    try:
        stack = Stack(tuple(
            StackLayer(_lstm(layer.weights), None if layer.reverse is None else _lstm(layer.reverse))
            for layer in layers
        ))  # fmt: skip
    except ValueError as err:
        raise Rejected("stack", "bad_stack", detail=str(err)) from None
    shown = (message.layer or 0, bool(message.reverse))
    _check_shown(stack, shown)
    if message.text is not None:
        try:
            message.text.check_sizes(stack.input_size, stack.output_size)
        except ProblemError as err:
            params = dict(err.params)
            raise Rejected(str(params.pop("field", "text")), err.code, **params) from None
    scenario = stacked_scenario(stack, shown, message.title)
    return scenario if message.text is None else replace(scenario, text=message.text.model())


def _restored_open(message: Restore, key: str) -> AnyScenario:
    """The model /api/open keeps under `key` (a link to a page that showed it), showing `layer`
    (its reverse direction with `reverse`) if it is a stack; the message's own title if it has one."""
    for name in ("scenario", "model", "weights", "reset_after", "text", "stack"):
        if getattr(message, name) is not None:
            raise Rejected(name, "open_alone")
    opened = _load_opened(key)
    if message.layer is not None or message.reverse is not None:
        if opened.stack is None:
            raise Rejected("layer" if message.layer is not None else "reverse", "layer_needs_stack")
        shown = (message.layer or 0, bool(message.reverse))
        _check_shown(opened.stack, shown)
        weights = opened.stack.layers[shown[0]].direction(shown[1])
        # the initial state kept was the direction it was opened on: another starts from zeros
        opened = replace(opened, weights=weights, shown=shown, h0=None, c0=None)
    return opened_scenario(opened if message.title is None else replace(opened, title=message.title))


def _check_lstm_sizes(field: str, given: WeightsIn) -> None:
    try:
        given.sizes(blocks=len(GATES))
    except ProblemError as err:
        params = dict(err.params)
        tensor = params.pop("field", None)
        raise Rejected(f"{field}.{tensor}" if tensor else field, err.code, **params) from None


def _lstm(given: WeightsIn) -> LSTMWeights:
    return LSTMWeights(**{name: np.asarray(value) for name, value in given.model_dump().items()})


def _check_shown(stack: Stack, shown: tuple[int, bool]) -> None:
    layer, reverse = shown
    if layer >= len(stack.layers):
        raise Rejected("layer", "layer_out_of_range", value=layer, layers=len(stack.layers))
    if reverse and stack.layers[layer].reverse is None:
        raise Rejected("reverse", "layer_has_no_reverse", layer=layer)


def _set_layer(state: State, message: SetLayer) -> tuple[State, Change]:
    """Show another direction of the stack. Layer 0's inputs stay; the initial state, knobs and
    clamps were the old direction's (its H), so they start over."""
    scenario = state.scenario
    if scenario.stack is None or not isinstance(scenario.weights, LSTMWeights):
        raise Rejected("layer", "not_a_stack")
    shown = (message.layer, message.reverse)
    _check_shown(scenario.stack, shown)
    weights = scenario.stack.layers[message.layer].direction(message.reverse)
    hidden = weights.hidden_size
    shown_scenario = replace(scenario, weights=weights, shown=shown, h0=np.zeros(hidden), c0=np.zeros(hidden))
    zeros = np.zeros(hidden)
    return State(shown_scenario, state.x, zeros, zeros.copy(), Knobs(), state.ids), EVERYTHING


def _open(state: State, message: Open) -> tuple[State, Change]:
    """The model /api/open stored, read from disk here: the weights never pass through the socket."""
    return State.start(opened_scenario(_load_opened(message.open))), EVERYTHING


def _load_opened(key: str) -> Opened:
    try:
        return load(key)
    except NotOpened as err:
        raise Rejected("open", err.code) from None


def opened_scenario(opened: Opened) -> AnyScenario:
    """A custom scenario of the opened model (a stack, showing the direction it was opened on),
    whose own inputs and initial state are the opened ones (what `reset` returns to)."""
    weights, steps = opened.weights, len(opened.x)
    scenario: AnyScenario
    if isinstance(weights, GRUWeights):
        scenario = custom_gru_scenario(weights, opened.title, steps)
    elif opened.stack is not None:  # as a restore with `stack` holds it: x is layer 0's input
        scenario = replace(stacked_scenario(opened.stack, opened.shown, opened.title), text=opened.text)
    else:
        scenario = replace(custom_scenario(weights, opened.title, steps), text=opened.text)
    hidden = weights.hidden_size
    h0 = np.zeros(hidden) if opened.h0 is None else opened.h0
    c0 = np.zeros(hidden) if opened.c0 is None else opened.c0
    return replace(scenario, x=opened.x, h0=h0, c0=c0, ids=opened.ids)


def _with_knobs(knobs: AnyKnobs, given: KnobFields, hidden: int) -> AnyKnobs:
    if isinstance(given.target, int) and given.target >= hidden:
        raise Rejected("target", "unit_out_of_range", value=given.target, hidden=hidden)
    values = given.model_dump(include=set(KnobFields.model_fields), exclude_none=True)
    for name in values:  # a gate's bias knob only for the model's own gates
        if name.startswith("bias_") and name.removeprefix("bias_") not in knobs.GATES:
            biases = [f"bias_{gate}" for gate in knobs.GATES]
            raise Rejected(name, "not_a_knob_of_model", model=_model_name(knobs), knobs=biases)
    return replace(knobs, **values)


def _check_gate(knobs: AnyKnobs, gate: str, field: str) -> None:
    """Rejected unless `gate` is one of the model's (i, f, g, o for an LSTM; r, z, n for a GRU)."""
    if gate not in knobs.GATES:
        raise Rejected(
            field, "not_a_gate_of_model", gate=gate, model=_model_name(knobs), gates=list(knobs.GATES)
        )


def _no_c0_for_a_gru(scenario: AnyScenario, c0: list[float] | None) -> None:
    if c0 is not None and scenario.kind == "gru":
        raise Rejected("c0", "gru_has_no_c0")


def _model_name(knobs: AnyKnobs) -> str:
    return "GRU" if isinstance(knobs, GRUKnobs) else "LSTM"


def _checked_inputs(x: np.ndarray, inputs: int, field: str) -> np.ndarray:
    limit = get_settings().max_steps
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != inputs:
        raise Rejected(field, "wrong_width", inputs=inputs)
    if x.shape[0] > limit:
        raise Rejected(field, "too_many_steps", steps=x.shape[0], limit=limit)
    return x


def _checked_vector(values: list[float], hidden: int, field: str) -> np.ndarray:
    if len(values) != hidden:
        raise Rejected(field, "wrong_length", length=len(values), hidden=hidden)
    return np.asarray(values, dtype=np.float64)


def generate(spec: Pulse | Sine | Noise | Constant, steps: int, column: int) -> np.ndarray:
    """The (T,) column a generator message describes; noise differs per column."""
    if isinstance(spec, Pulse):
        return sequences.pulse(steps, spec.at, spec.width, spec.amplitude)
    if isinstance(spec, Sine):
        return sequences.sine(steps, spec.amplitude, spec.period, spec.phase)
    if isinstance(spec, Noise):
        return sequences.noise(steps, spec.amplitude, spec.seed + column)
    return sequences.constant(steps, spec.value)


_HANDLERS: dict[type, Callable[[State, Any], tuple[State, Change]]] = {
    LoadScenario: _load,
    Reset: _reset,
    SetInput: _set_input,
    SetSequence: _set_sequence,
    SetText: _set_text,
    Generate: _generate,
    SetState: _set_state,
    SetKnobs: _set_knobs,
    SetClamp: _set_clamp,
    Restore: _restore,
    SetLayer: _set_layer,
    Open: _open,
}
