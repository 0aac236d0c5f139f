"""One connection's state and results: apply a burst of validated messages, recompute once.

A Session never touches the network; app/web/stream.py feeds it messages and sends what it
returns. Outgoing messages are plain dicts of NumPy arrays and numbers (see docs/protocol.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast, get_args

import numpy as np

from .computation import (
    WIRE_DTYPE,
    AnyTrace,
    Foil,
    Results,
    activation_curves,
    compute,
    next_tokens,
    payload,
    with_foil,
)
from .config import get_settings
from .counterpart_story import tell_counterpart
from .encoding import check_finite
from .engine.backprop import LSTMGradients
from .engine.gru import GRUTrace, GRUWeights
from .engine.gru_backprop import GRUGradients
from .engine.knobs import AnyKnobs, GRUKnobs, Knobs
from .engine.lstm import WEIGHT_NAMES, LSTMWeights, Trace
from .engine.stack import KeptRuns, first_changed_row
from .exports import export_file
from .file_errors import setting
from .gradient_story import tell
from .gru_scenarios import GRU_SCENARIOS, counterpart_weights
from .gru_story import tell_gru
from .i18n import problem_text
from .input_changes import inputs_changed_until, same_bits
from .messages import ClientMessage, Export, FindUnits, SetViews, Sync, ViewName
from .parts import part_end
from .scenarios import CUSTOM, DEFAULT_SCENARIO, AnyScenario, Scenario, get_scenario
from .stacking import first_changed, shown_input, stack_output
from .unit_search import find_units
from .updates import Change, Rejected, State, apply_update
from .wire import encoded_size

Outgoing = dict[str, Any]

# A custom model's weights travel back in snapshots (for exporting and sharing) up to this size.
MAX_ECHOED_PARAMETERS = 20_000

# The views a session serves until its client says which it shows (`views`): all of them, so a
# client that never says gets everything. The gradients and the RNN foil cost more than the trace
# itself and only these views show them.
ALL_VIEWS: frozenset[str] = frozenset(get_args(ViewName))
FOIL_VIEWS = frozenset({"gradients", "race"})


# A model whose every unit fits a message (DEFAULT_SHARE of max_message_bytes) travels whole. A
# larger one (H and D up to 1,024, T up to 10,000: hundreds of MB of trace) sends, while its client
# names no units, only the first units that fit (at most WHOLE_UNITS), and until the client says
# which views it shows no gradients or RNN foil (whole (T, H) arrays each): a page that asks for
# more is answered, or refused with reply_too_large.
WHOLE_UNITS = 64
DEFAULT_SHARE = 0.75
UNIT_STEP_BYTES = 8 * 32  # an upper bound: ≤ 32 (T, H) quantities a unit, ≤ 8 bytes a value

# The inputs (T, D) travel whole while they fit INPUT_SHARE of a message (a stack's two inputs, half
# of it each; T = 1,000 of D = 256 as float64 is 2 MB of 4 MiB; T = 10,000 or D = 1,024 do not);
# else only their first columns that fit, at most INPUT_COLUMNS, as many as a page shows (16
# sliders, 8 lines, the numbers table's 64).
INPUT_SHARE = 0.5
INPUT_COLUMNS = 64
GRADIENT_INPUT_COLUMNS = 16


@dataclass(frozen=True)
class Serving:
    """What the client shows (`views`): which views, and which units' columns of the trace (None:
    every unit, or for a model that does not fit a message the first that fit); `told`: whether
    the client has said."""

    views: frozenset[str] = ALL_VIEWS
    units: tuple[int, ...] | None = None
    told: bool = False

    def foil(self, shape: tuple[int, int, int]) -> bool:
        """Whether the gradients and the RNN foil are served, for a model of shape (H, T, D): a
        model whose units or inputs do not fit a message (the foil's input gradients are (T, D)
        whole) only once its client asked for them."""
        hidden, steps, inputs = shape
        fits = _units_that_fit(*shape) >= hidden and input_columns(steps, inputs, 8) == inputs
        return bool(self.views & FOIL_VIEWS) and (self.told or fits)

    def columns(
        self, hidden: int, steps: int = 1, inputs: int = 1, whole: int | None = None
    ) -> list[int] | None:
        """The units to send for a model of `hidden` units (a load may have made some too many).
        `whole`: the bytes sent whole whatever the units (default: x, float64)."""
        if self.units is not None:
            return [k for k in self.units if k < hidden]
        fit = _units_that_fit(hidden, steps, inputs, whole)
        # Every unit while every unit fits; else the first that do (python-code, T=240: 51 of 128;
        # T=1000, H=64: 12), until the client names the units it shows.
        return None if fit >= hidden else list(range(min(WHOLE_UNITS, fit)))


def _units_that_fit(hidden: int, steps: int, inputs: int, whole: int | None = None) -> int:
    """How many units' columns (every quantity, gradients and foil included) fit DEFAULT_SHARE of
    a message beside what is sent whatever the units (`whole` bytes; default: x's columns sent)
    (at least one)."""
    whole = 8 * steps * input_columns(steps, inputs, 8) if whole is None else whole
    room = get_settings().max_message_bytes * DEFAULT_SHARE - whole
    return int(max(1, room // (steps * UNIT_STEP_BYTES)))


def _shape(state: State) -> tuple[int, int, int]:
    """(H, T, D) of the state's model and inputs."""
    return state.hidden, state.x.shape[0], state.x.shape[1]


class ReplyTooLarge(ValueError):
    """A reply over max_message_bytes: refused, never sent (the socket's peer would close on it)."""

    def __init__(self, size: int) -> None:
        self.params = {
            "size": size,
            "limit": get_settings().max_message_bytes,
            "setting": setting("max_message_bytes"),
        }
        super().__init__(f"a reply of {size} bytes")


def check_size(reply: Outgoing) -> None:
    """ReplyTooLarge if a snapshot or frame, as the binary encoding sends it, is over
    max_message_bytes (JSON text is larger still, and a `file` changes no state:
    app/web/stream.py checks every message it sends, too)."""
    if reply["type"] not in ("snapshot", "frame"):
        return
    size = encoded_size(reply)
    if size > get_settings().max_message_bytes:
        raise ReplyTooLarge(size)


class Session:
    def __init__(self, scenario_name: str = DEFAULT_SCENARIO) -> None:
        self.revision = 0
        self.serving = Serving()
        self.state = State.start(get_scenario(scenario_name))
        self.results = _compute(self.state)

    # Read-only views of the state, for callers and tests.
    @property
    def scenario(self) -> AnyScenario:
        return self.state.scenario

    @property
    def x(self) -> np.ndarray:
        return self.state.x

    @property
    def h0(self) -> np.ndarray:
        return self.state.h0

    @property
    def c0(self) -> np.ndarray:
        return self.state.c0

    @property
    def knobs(self) -> AnyKnobs:
        return self.state.knobs

    @property
    def trace(self) -> Trace:
        """The LSTM's trace (a GRU session's is `gru_trace`; `results.trace` is either)."""
        if not isinstance(self.results.trace, Trace):
            raise TypeError("this session runs a GRU: see gru_trace")
        return self.results.trace

    @property
    def gru_trace(self) -> GRUTrace:
        if not isinstance(self.results.trace, GRUTrace):
            raise TypeError("this session runs an LSTM: see trace")
        return self.results.trace

    @property
    def computing(self) -> bool:
        """Whether a rerun in parts is under way (app/parts.py): the results hold the first rows
        only, and `apply([])` computes the next part."""
        return self.results.trace.steps < int(self.state.x.shape[0])

    def apply(self, messages: Sequence[ClientMessage]) -> list[Outgoing]:
        """Apply a burst of messages, recompute once from the earliest changed step, and reply.

        A long rerun goes in parts (app/parts.py): the reply is a frame of its first rows, and each
        later `apply` (with no messages, or with new ones that supersede the rest) goes on from the
        first row not yet computed. A reply that needs every row (a snapshot, a file, the units
        found, the gradients) finishes the rerun first.

        Nothing is committed until every reply is built and finite: a rejected message, or a
        failure anywhere in the batch, leaves the session exactly as it was.
        """
        state, change, replies, ack, wants_sync = self.state, Change(), [], None, False
        serving = self.serving
        exports: list[Export] = []
        finds: list[FindUnits] = []
        for message in messages:
            try:
                if isinstance(message, SetViews):
                    serving = _serving(message, state.hidden)
                elif isinstance(message, FindUnits):
                    finds.append(message)  # answered from the state after the whole batch, as exports
                elif isinstance(message, Sync | Export):
                    wants_sync = wants_sync or isinstance(message, Sync)
                    exports += [message] if isinstance(message, Export) else []
                else:
                    state, step_change = apply_update(state, message)
                    change = change.then(step_change)
            except Rejected as err:
                replies.append(error_reply(err.field, err.code, err.params, message.id))
                continue
            ack = message.id if message.id is not None else ack
        results, revision, start = self.results, self.revision, change.start
        foil, held_foil = serving.foil(_shape(state)), self.serving.foil(_shape(self.state))
        if serving.units != self.serving.units and not change.resized:
            # Other units' columns: the client needs them for every step, so a snapshot follows,
            # under a new revision (a client keeps nothing at or below the revision it holds).
            wants_sync = True
            revision += 1
        steps, computed = state.x.shape[0], results.trace.steps
        if computed < steps and not change.resized:
            # a rerun in parts is under way: it goes on from its first row not yet computed
            start = computed if start is None else min(start, computed)
        if start is not None:
            # Only a change at step t alone (same model, same initial state) reuses steps < t;
            # in a stack, a reverse direction below the shown one reads step t at every step.
            start = first_changed(state.scenario, start)
            whole = change.resized or wants_sync or bool(exports or finds) or foil
            end = steps if whole else part_end(state.scenario, start, steps, change.start is not None)
            # a stack's other directions are kept even across a resize: each compares its input
            previous = None if change.resized else results
            results = _compute(state, previous, start, foil, results.kept, end)
            start = _decoded_from(self.results, results, start)
            revision += 1
        elif foil and not held_foil:
            # A view that shows the gradients was opened: the client holds none (a frame without
            # such a view carries none), so a frame with no trace rows (start = T) brings them,
            # computed now unless the results hold them.
            results = _with_foil(state, results)
            revision += 1
            start = results.trace.steps
        if change.resized or wants_sync:
            replies.append(snapshot(state, results, revision, ack, serving))
        elif start is not None:
            x_end = inputs_changed_until(self.state.x, state.x, start)
            replies.append(frame(state, results, revision, self.revision, start, ack, serving, x_end))
        replies += [file_reply(state, results, request) for request in exports]
        replies += [units_reply(state, results, request) for request in finds]
        try:
            for reply in replies:
                check_finite(reply)  # NaN/Inf is not JSON: refuse before anything is committed
                check_size(reply)  # nor is anything committed that cannot be sent
        except ReplyTooLarge as err:
            return [r for r in replies if r["type"] == "error"] + [
                error_reply(None, "reply_too_large", err.params, ack)
            ]
        self.state, self.results, self.revision, self.serving = state, results, revision, serving
        return replies

    def snapshot(self, ack: int | None = None) -> Outgoing:
        return snapshot(self.state, self.results, self.revision, ack, self.serving)

    def begin(self, scenario: AnyScenario, ack: int | None = None) -> Outgoing:
        """Start over on `scenario` (a training's new model), as `load` does → a snapshot."""
        return self._commit(State.start(scenario), ack)

    def adopt(self, weights: LSTMWeights | GRUWeights, ack: int | None = None) -> Outgoing:
        """Make `weights` the model (a training's, as it pauses), keeping the inputs, the initial
        state, the knobs and the clamps the learner set → a snapshot."""
        return self._commit(_with_weights(self.state, weights), ack)

    def _commit(self, state: State, ack: int | None) -> Outgoing:
        results = _compute(state, foil=self.serving.foil(_shape(state)))
        reply = snapshot(state, results, self.revision + 1, ack, self.serving)
        check_finite(reply)  # as in apply: nothing is committed that cannot be sent
        check_size(reply)
        self.state, self.results, self.revision = state, results, self.revision + 1
        return reply


def drawing(state: State, weights: LSTMWeights | GRUWeights, serving: Serving) -> dict[str, Any]:
    """The arrays a snapshot would carry for `state` with `weights` as its model (a training's
    progress: the belt and the gradients under the weights it has now)."""
    state = _with_weights(state, weights)
    return _served(state, _compute(state, foil=serving.foil(_shape(state))), 0, serving)


def _with_weights(state: State, weights: LSTMWeights | GRUWeights) -> State:
    """`state` with `weights` as its model, of the kind it runs. A training's session holds the
    kind it trains (`train` begins on one), and a `load` or `restore` ends the training first."""
    if isinstance(weights, GRUWeights) != (state.scenario.kind == "gru"):
        raise TypeError("the weights are not of the session's kind of model")
    scenario = cast(Scenario, state.scenario)  # either kind: only its weights are replaced
    return replace(state, scenario=replace(scenario, weights=cast(LSTMWeights, weights)))


def _serving(message: SetViews, hidden: int) -> Serving:
    """What a `views` message asks for; Rejected if it names a unit the model does not have."""
    units = None if message.units is None else tuple(message.units)
    if units is not None and units and max(units) >= hidden:
        raise Rejected("units", "unit_out_of_range", value=max(units), hidden=hidden)
    return Serving(frozenset(message.shown), units, told=True)


def _compute(
    state: State,
    previous: Results | None = None,
    start: int = 0,
    foil: bool = True,
    kept: KeptRuns | None = None,
    end: int | None = None,
) -> Results:
    """The shown layer's results; in a stack, it reads the layers below it (x is layer 0's input),
    and a decoder reads the layers above it. Those other layers' runs are kept in the results, and
    `kept` (the previous results') spares rerunning what their changed inputs did not reach.

    With `end`, of steps 0..end-1 only (a rerun in parts; without the foil, which needs them all):
    a forward direction's step reads nothing after it, so these rows are the whole run's."""
    scenario = state.scenario
    x, below = shown_input(scenario, state.x[:end], kept)
    other = _counterpart(state)
    results = compute(scenario.weights, state.knobs, x, state.h0, state.c0, previous, start, foil, other)
    if scenario.stack is None or scenario.text is None or scenario.text.decoder_weight is None:
        return replace(results, kept=below)
    output, around = stack_output(scenario, results.trace, kept)
    return replace(results, output=output, kept=below | around)


def _decoded_from(before: Results, after: Results, start: int) -> int:
    """The first row a frame must carry: `start`, or earlier where a decoder's input (the stack's
    output) changed before it, as a reverse direction above the shown one changes every row up to
    the move."""
    if before.output is None or after.output is None:
        return start
    return min(start, first_changed_row(before.output, after.output))


def _with_foil(state: State, results: Results) -> Results:
    # the trace's own x: in a stack, the shown layer's input, not the session's (layer 0's)
    return with_foil(
        results, state.scenario.weights, state.knobs, results.trace.x, state.h0, _counterpart(state)
    )


def _counterpart(state: State) -> LSTMWeights | GRUWeights | None:
    """The other gated model raced beside the session's (a preset that runs as both), if it fits
    the state (a preset's inputs and units are both models')."""
    scenario = state.scenario
    other = counterpart_weights(scenario.name, scenario.kind)
    if other is None or (other.hidden_size, other.input_size) != (state.hidden, state.x.shape[1]):
        return None
    return other


def snapshot(
    state: State, results: Results, revision: int, ack: int | None, serving: Serving = Serving()
) -> Outgoing:
    """Everything the page needs to draw from scratch (as much of it as `serving` shows)."""
    scenario = state.scenario
    return {
        "type": "snapshot",
        "revision": revision,
        "ack": ack,
        "scenario": {
            "name": scenario.name,
            "title": scenario.title,
            "description": scenario.description,
            "prompt": scenario.prompt,
            "text": scenario.texts(),  # {"en": {"title", "description", "prompt"}, "ko": {…}}
            "input_names": list(scenario.input_names),
            "input_range": list(scenario.input_range),
            # within the sequence even after set_sequence or a restore shortened it
            "open_step": min(scenario.open_step, results.trace.steps - 1),
            "open_unit": scenario.open_unit,
            # the kinds of model it runs as: the page's LSTM | GRU switch, drawn with the snapshot
            "models": _models(scenario),
        },
        "sizes": {"T": results.trace.steps, "D": state.x.shape[1], "H": state.hidden},
        "model": _model(scenario),
        "knobs": state.knobs.as_dict(),
        "curves": activation_curves(),
        "limits": _limits(),
        "start": 0,
        **_stack(scenario),
        **_served(state, results, 0, serving),
    }


def frame(
    state: State,
    results: Results,
    revision: int,
    base: int,
    start: int,
    ack: int | None,
    serving: Serving,
    x_end: int,
) -> Outgoing:
    """Steps start..T-1 of the trace, to replace the same rows of revision `base` (and the gradients
    and the RNN foil whole, if shown). Of the inputs the user sets, only rows start..x_end-1: those
    that changed since `base`."""
    return {
        "type": "frame",
        "revision": revision,
        "base": base,
        "ack": ack,
        "knobs": state.knobs.as_dict(),
        "start": start,
        # rows start..end-1 are carried; rows from end on are still an earlier revision's, while a
        # rerun in parts goes on (end < T; the next frame starts at end unless a change came first)
        "end": results.trace.steps,
        # rows start..x_end-1 of the inputs the user sets are carried; the rest did not change (a
        # slider's move at t=0, T=1,000, D=64 sends one row of x, not 512 KB)
        "x_end": x_end,
        **_served(state, results, start, serving, x_end),
    }


def _served(
    state: State, results: Results, start: int, serving: Serving, x_end: int | None = None
) -> dict[str, Any]:
    """The arrays of a snapshot or frame: the units' columns served, the inputs' columns that fit
    (rows start..x_end-1 of the inputs the user sets), and the initial state whole (what a page puts
    in a link, whichever units it shows)."""
    steps, inputs = state.x.shape
    stack = state.scenario.stack is not None
    # A stack sends layer 0's inputs (float64, what the user sets) and the shown layer's own input
    # (float32: it is computed, a layer's output, like every state); a single layer its x (float64).
    share = INPUT_SHARE / 2 if stack else INPUT_SHARE  # a stack's two inputs share it
    held_inputs = input_columns(steps, inputs, 8, share)
    held_x = input_columns(steps, results.trace.x.shape[1], 4, share) if stack else held_inputs
    whole = 8 * steps * held_inputs + (4 * steps * held_x if stack else 0)
    units = serving.columns(state.hidden, steps, inputs, whole)
    served = {
        "units": units,
        "h0": state.h0,
        # a GRU has no cell state: no c0 (its trace has no c_prev either)
        **({} if state.scenario.kind == "gru" else {"c0": state.c0}),
        **payload(results, start, values=WIRE_DTYPE, foil=serving.foil(_shape(state)), units=units),
    }
    served |= _text(state, results, start)
    x_end = steps if x_end is None else x_end
    # A single layer's x is what the user sets: its changed rows, even past a rerun's first part.
    # A stack's shown layer reads a computed x (the layer below's h): the rows computed.
    x = served["trace"]["x"] if stack else state.x[start:x_end]
    served["trace"]["x"] = np.ascontiguousarray(x[:, :held_x], dtype=WIRE_DTYPE if stack else x.dtype)
    served["x_columns"] = held_x
    # the gradients reaching x (the page draws none of them; clients may): the same columns, or for
    # a model that sends some units' columns, as many as the sliders a page shows (float64 twice)
    held_dx = held_x if units is None else min(held_x, GRADIENT_INPUT_COLUMNS)
    for part in (served.get("gradients"), served.get("rnn"), served.get("counterpart")):
        if part is not None:
            part["dL_dx"] = np.ascontiguousarray(part["dL_dx"][:, :held_dx])
    end = results.trace.steps  # < T during a rerun in parts
    if stack:
        served["inputs"] = np.ascontiguousarray(state.x[start:x_end, :held_inputs])
        served["inputs_columns"] = held_inputs
    # While the inputs are exactly those the model came with, a link to a kept model need not carry
    # them (its key alone reopens them): the only way when a client holds their first columns only.
    served["inputs_own"] = same_bits(state.x, state.scenario.x)
    if units is not None and end == steps:  # of every step: not while a rerun in parts goes on
        served["summary"] = unit_summary(results)
    if "gradients" in served and results.foil is not None:
        served["story"] = story(state, results.trace, results.foil, units)
    return served


def input_columns(steps: int, width: int, value_bytes: int, share: float = INPUT_SHARE) -> int:
    """How many of an input's first columns a message carries: every one while (T, width) fits
    `share` of max_message_bytes, else as many as fit, at most INPUT_COLUMNS (at least one)."""
    room = get_settings().max_message_bytes * share
    if steps * width * value_bytes <= room:
        return width
    return int(max(1, min(INPUT_COLUMNS, room // (steps * value_bytes))))


def unit_summary(results: Results) -> dict[str, np.ndarray]:
    """Every unit's largest |h| (and an LSTM's largest |c|) over all steps, (H,) each: sent beside a
    subset of units' columns, so a client can tell which of the units it does not hold matter."""
    trace = results.trace
    summary = {"h_absmax": np.abs(trace.h).max(axis=0).astype(WIRE_DTYPE)}
    if isinstance(trace, Trace):
        summary["c_absmax"] = np.abs(trace.c).max(axis=0).astype(WIRE_DTYPE)
    return summary


TOP = 5  # next tokens sent per step


def _text(state: State, results: Results, start: int) -> dict[str, Any]:
    """For a model that reads text, steps start..T-1: the token of each step (null where x_t is no
    longer its token's row), and with a decoder the top 5 next tokens after h_t and their
    probabilities."""
    text = state.scenario.text
    if text is None:
        return {}
    served: dict[str, Any] = {"tokens": text.tokens_of(state.x, state.ids)[start : results.trace.steps]}
    output = results.trace.h if results.output is None else results.output
    served |= next_tokens(text, output[start:], TOP)
    if "top" in served:
        served["top"]["p"] = served["top"]["p"].astype(WIRE_DTYPE)
    return served


def story(state: State, trace: AnyTrace, foil: Foil, units: list[int] | None = None) -> dict[str, Any]:
    """What the gradient chart and the race say in words, from the step the scenario writes at:
    sent beside the gradients and the RNN they are read off (each unit's claims: of `units` only,
    when given). An LSTM's claims speak of forget gates and c (app/gradient_story.py), a GRU's of
    update gates and h (app/gru_story.py)."""
    first, gradients, knobs = state.scenario.open_step, foil.gradients, state.knobs
    if isinstance(trace, GRUTrace) and isinstance(gradients, GRUGradients) and isinstance(knobs, GRUKnobs):
        told = tell_gru(trace, gradients, foil.rnn_trace, foil.rnn_gradients, knobs, first, units)
    elif isinstance(trace, Trace) and isinstance(gradients, LSTMGradients) and isinstance(knobs, Knobs):
        told = tell(trace, gradients, foil.rnn_trace, foil.rnn_gradients, knobs, first, units)
    else:
        raise TypeError("the trace, gradients and knobs are not of one model")
    # the other gated model raced beside it (a preset that runs as both): its own claims
    return (
        told
        if foil.counterpart is None
        else told | {"counterpart": tell_counterpart(foil.counterpart, first)}
    )


def _stack(scenario: AnyScenario) -> dict[str, Any]:
    """A stack's layers and the direction shown: {"stack": …}, or nothing for a single layer."""
    stack = scenario.stack
    if stack is None:
        return {}
    layers = [
        {"layer": k, "reverse": reverse, "H": stack.layers[k].hidden_size, "D": stack.layers[k].input_size}
        for k, reverse in stack.views()
    ]
    layer, reverse = scenario.shown
    return {"stack": {"layers": layers, "shown": {"layer": layer, "reverse": reverse}}}


def _models(scenario: AnyScenario) -> list[str]:
    """["lstm", "gru"] for a preset with a GRU version, else the one kind it runs as."""
    if scenario.name in GRU_SCENARIOS:
        return ["lstm", "gru"]
    return [scenario.kind]


def _limits() -> dict[str, float]:
    """What the server accepts, so a page can refuse before sending (see app/config.py)."""
    settings = get_settings()
    names = ("max_message_bytes", "max_steps", "max_hidden", "max_inputs", "max_abs_value")
    return {name: getattr(settings, name) for name in names}


def _model(scenario: AnyScenario) -> dict[str, Any]:
    """Whether the model is someone's own, its size, and (if small enough) its weights."""
    weights = scenario.weights
    parameters = sum(getattr(weights, name).size for name in WEIGHT_NAMES)
    echoed = scenario.name == CUSTOM and parameters <= MAX_ECHOED_PARAMETERS
    # A GRU says so, and where its reset gate acts; an LSTM's model is as it always was.
    kind = {"kind": "gru", "reset_after": weights.reset_after} if isinstance(weights, GRUWeights) else {}
    text = scenario.text
    reads = {} if text is None else {"text": {
        "vocab_size": len(text.vocab), "embed": text.embed_size, "decoder": text.decoder_weight is not None,
        "unknown": None if text.unknown is None else text.vocab[text.unknown],
        "by": "characters" if text.by_characters else "words",
    }}  # fmt: skip
    return {
        **kind,
        **reads,
        "custom": scenario.name == CUSTOM,
        "parameters": parameters,
        "weights": {name: getattr(weights, name) for name in WEIGHT_NAMES} if echoed else None,
    }


def file_reply(state: State, results: Results, request: Export) -> Outgoing:
    """The requested export, computed from the state after the whole batch (gradients included,
    shown or not; not the other gated model's, which no file holds)."""
    weights = state.scenario.weights
    with_gradients = with_foil(results, weights, state.knobs, state.x, state.h0)
    exported = export_file(request.format, weights, state.knobs, with_gradients)
    return {"type": "file", "ack": request.id, "format": request.format, **exported}


def units_reply(state: State, results: Results, request: FindUnits) -> Outgoing:
    """The `units` a find_units asks for, or the error that says why not (it changes nothing)."""
    try:
        return find_units(state, results.trace, request)
    except Rejected as err:
        return error_reply(err.field, err.code, err.params, request.id)


def error_reply(
    field: str | None,
    code: str,
    params: dict[str, Any] | None = None,
    ack: int | None = None,
    text: str | None = None,
) -> Outgoing:
    """An error naming the field, the problem (a code and its parameters, as in app/locales, or a
    pydantic error type and its context) and its English text."""
    params = params or {}
    message = text if text is not None else problem_text(code, params)
    return {"type": "error", "ack": ack, "field": field, "code": code, "params": params, "message": message}
