"""Everything computed from a session's state: the trace, its gradients, the RNN foil.

Pure functions of (weights, knobs, x, h0, c0); the session decides when to call them. The model is
an LSTM or a GRU, told by its weights' type (a GRU has no c0: it is ignored).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .engine import gru, rnn
from .engine.activations import sigmoid
from .engine.backprop import LSTMGradients, RNNGradients, lstm_backward, rnn_backward
from .engine.embedding import TextModel
from .engine.gru import GRUTrace, GRUWeights
from .engine.gru_backprop import GRUGradients, gru_backward
from .engine.knobs import AnyKnobs, GRUKnobs, Knobs, gru_weights, lstm_weights, rnn_weights
from .engine.lstm import LSTMWeights, Trace, rerun_from, run
from .engine.stack import KeptRun

Weights = LSTMWeights | GRUWeights
AnyTrace = Trace | GRUTrace


@dataclass(frozen=True)
class Counterpart:
    """The other gated model of a preset that runs as both (an LSTM session's GRU, a GRU session's
    LSTM), on the same inputs and initial h: its trace and its gradients of the same loss."""

    trace: AnyTrace
    gradients: LSTMGradients | GRUGradients


@dataclass(frozen=True)
class Foil:
    """Why the belt matters: the model's gradients, the plain RNN on the same inputs and, for a
    preset with both, the other gated model on them too."""

    gradients: LSTMGradients | GRUGradients
    rnn_trace: rnn.RNNTrace
    rnn_gradients: RNNGradients
    counterpart: Counterpart | None = None


@dataclass(frozen=True)
class Results:
    trace: AnyTrace
    foil: Foil | None = None  # computed only while a view shows it (and for exports)
    # A stack's output (T, ·), what its decoder reads, when that is not trace.h (app/stacking.py)
    output: np.ndarray | None = None
    # A stack's other directions, by (layer, reverse): kept so that the next change reruns each
    # only from the first row of its input that changed (app/stacking.py)
    kept: dict[tuple[int, bool], KeptRun] = field(default_factory=dict)

    @property
    def gradients(self) -> LSTMGradients | GRUGradients:
        """The model's gradients; only for results computed with them (see with_foil)."""
        if self.foil is None:
            raise ValueError("these results were computed without gradients")
        return self.foil.gradients


def compute(
    base: Weights,
    knobs: AnyKnobs,
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    previous: Results | None = None,
    start: int = 0,
    foil: bool = True,
    counterpart: Weights | None = None,
) -> Results:
    """Results for this state; with `previous`, steps before `start` are reused from it.

    With `foil`, also the gradients and the RNN foil: they depend on every step (the loss reads the
    last h), so they are redone whole, which costs more than the trace itself; the session asks for
    them only while a view shows them. `counterpart` (the other gated model's weights) is raced
    with the foil.
    """
    # Only a change at step t alone (same model, same initial state) reuses steps < t.
    kept = previous.trace if previous is not None and start > 0 else None
    clamp = knobs.clamp_array()
    trace: AnyTrace
    if isinstance(base, GRUWeights):
        weights = gru_weights(base, _gru_knobs(knobs))
        if isinstance(kept, GRUTrace):
            trace = gru.rerun_from(weights, x, kept, start, h0, clamp)
        else:
            trace = gru.run(weights, x, h0, clamp)
    else:
        lstm = lstm_weights(base, _lstm_knobs(knobs))
        if isinstance(kept, Trace):
            trace = rerun_from(lstm, x, kept, start, h0, c0, clamp)
        else:
            trace = run(lstm, x, h0, c0, clamp)
    results = Results(trace=trace)
    return with_foil(results, base, knobs, x, h0, counterpart) if foil else results


def with_foil(
    results: Results,
    base: Weights,
    knobs: AnyKnobs,
    x: np.ndarray,
    h0: np.ndarray,
    counterpart: Weights | None = None,
) -> Results:
    """`results` with the gradients and the RNN foil of the same state (as they are, if it has them),
    and `counterpart`'s run on the same inputs when given."""
    if results.foil is not None:
        return results
    gradients: LSTMGradients | GRUGradients
    if isinstance(base, GRUWeights) and isinstance(results.trace, GRUTrace):
        gradients = gru_backward(gru_weights(base, _gru_knobs(knobs)), results.trace, knobs.target_unit)
    elif isinstance(base, LSTMWeights) and isinstance(results.trace, Trace):
        gradients = lstm_backward(lstm_weights(base, _lstm_knobs(knobs)), results.trace, knobs.target_unit)
    else:
        raise TypeError("the results are not of these weights' model")
    foil = rnn_weights(base, knobs)
    rnn_trace = rnn.run(foil, x, h0)
    other = None if counterpart is None else run_counterpart(counterpart, knobs, x, h0)
    return replace(
        results, foil=Foil(gradients, rnn_trace, rnn_backward(foil, rnn_trace, knobs.target_unit), other)
    )


def run_counterpart(weights: Weights, knobs: AnyKnobs, x: np.ndarray, h0: np.ndarray) -> Counterpart:
    """The other gated model on x from h0 (an LSTM from c0 = 0: a GRU session has no c0), with the
    knobs both models have (weight_scale, target). Gate biases and clamps belong to the session's
    model, whose gates the other one does not have: the other runs as its preset made it."""
    if isinstance(weights, GRUWeights):
        gru_layer = gru_weights(weights, GRUKnobs(weight_scale=knobs.weight_scale))
        gru_trace = gru.run(gru_layer, x, h0)
        return Counterpart(gru_trace, gru_backward(gru_layer, gru_trace, knobs.target_unit))
    lstm = lstm_weights(weights, Knobs(weight_scale=knobs.weight_scale))
    trace = run(lstm, x, h0, np.zeros_like(h0))
    return Counterpart(trace, lstm_backward(lstm, trace, knobs.target_unit))


def _gru_knobs(knobs: AnyKnobs) -> GRUKnobs:
    if not isinstance(knobs, GRUKnobs):
        raise TypeError("a GRU takes GRUKnobs")
    return knobs


def _lstm_knobs(knobs: AnyKnobs) -> Knobs:
    if not isinstance(knobs, Knobs):
        raise TypeError("an LSTM takes Knobs")
    return knobs


WIRE_DTYPE = np.float32
# What a user sets travels exactly even so: the inputs, and (as row 0) the initial state, so that
# a shared link or a reconnect carries the very numbers the user chose.
EXACT = ("x", "h_prev", "c_prev")


def activation_curves(limit: float = 8.0, points: int = 161) -> dict[str, np.ndarray]:
    """σ and tanh sampled on [−limit, limit], for the page's insets (the browser never computes them)."""
    z = np.linspace(-limit, limit, points)
    return {"z": z, "sigmoid": sigmoid(z), "tanh": np.tanh(z)}


def payload(
    results: Results,
    start: int = 0,
    values: type[np.floating[Any]] = np.float64,
    foil: bool = True,
    units: list[int] | None = None,
) -> dict[str, Any]:
    """The arrays a snapshot (start 0) or frame carries: trace rows from `start`, the rest whole
    (the gradients and the RNN foil only with `foil`, and only if the results hold them). With
    `units`, each (T, H) quantity of the trace carries only those units' columns, in that order
    (`x` is (T, D) and always whole).

    `values` is the dtype of the states and gates (the trace but EXACT, and the RNN's h). The socket
    sends them as float32 (WIRE_DTYPE): about half the bytes and half the JSON and deflate work per
    frame, and still ~7 significant digits for a page that shows 4 decimals. Gradients always
    stay float64: a vanishing gradient spans hundreds of orders of magnitude, below float32's
    smallest number. Files and the REST API keep everything float64."""
    trace = results.trace.as_dict(start, units)
    out: dict[str, Any] = {
        "trace": {name: rows if name in EXACT else rows.astype(values) for name, rows in trace.items()},
    }
    if not foil or results.foil is None:
        return out
    rnn_trace, rnn_gradients = results.foil.rnn_trace, results.foil.rnn_gradients
    other = results.foil.counterpart
    rnn_arrays = {"h": rnn_trace.h.astype(values), "dL_dh": rnn_gradients.dL_dh, "dL_dx": rnn_gradients.dL_dx}
    return out | {
        "gradients": unit_columns(gradient_arrays(results.foil.gradients), units),
        "rnn": unit_columns(rnn_arrays, units),
        **({} if other is None else {"counterpart": unit_columns(counterpart_arrays(other, values), units)}),
    }


# The (T, H) arrays of the gradients and the foil that a page reduces over every unit when its
# chart shows all units: how, by name (dL_dx is (T, D): its columns are inputs, not units).
OVER_UNITS = {"dL_dc": "norm", "dL_dh": "norm", "belt": "max"}


def unit_columns(arrays: dict[str, Any], units: list[int] | None) -> dict[str, Any]:
    """With `units`, each (T, H) array of the gradients or the foil as only those units' columns,
    and what a chart of all units draws of it computed here over every unit, since the page no
    longer holds them all: `<name>_norm` (‖row‖, of a gradient) or `<name>_max` (the largest Π f
    of a row: a norm of a product of gates would be no product of gates)."""
    if units is None:
        return arrays
    out = dict(arrays)
    for name, rows in arrays.items():
        if name == "dL_dx" or not isinstance(rows, np.ndarray) or rows.ndim != 2:
            continue
        out[name] = np.ascontiguousarray(rows[:, units])
        over = OVER_UNITS.get(name)
        if over == "norm":
            out[f"{name}_norm"] = np.sqrt(np.sum(rows * rows, axis=1))
        elif over == "max":
            out[f"{name}_max"] = rows.max(axis=1)
    return out


def counterpart_arrays(other: Counterpart, values: type[np.floating[Any]]) -> dict[str, Any]:
    """The other model's kind, what rides its belt and its h (as `values`, like the RNN's h), and
    its gradients (float64, as the model's)."""
    trace = other.trace
    states = {"c": trace.c, "h": trace.h} if isinstance(trace, Trace) else {"h": trace.h}
    return {
        "model": "lstm" if isinstance(trace, Trace) else "gru",
        **{name: rows.astype(values) for name, rows in states.items()},
        **gradient_arrays(other.gradients),
    }


def gradient_arrays(gradients: LSTMGradients | GRUGradients) -> dict[str, np.ndarray]:
    """The per-step gradients by name: dL_dc (an LSTM's; a GRU has no c), dL_dh, dL_dx, belt."""
    cell = {"dL_dc": gradients.dL_dc} if isinstance(gradients, LSTMGradients) else {}
    return cell | {"dL_dh": gradients.dL_dh, "dL_dx": gradients.dL_dx, "belt": gradients.belt}


def text_parts(text: TextModel, ids: np.ndarray, h: np.ndarray, top: int = 5) -> dict[str, Any]:
    """Each step's token, and with a decoder the `top` likeliest next tokens after h_t (T, H) and
    their probabilities."""
    out: dict[str, Any] = {"tokens": [text.vocab[k] for k in ids.tolist()]}
    return out | next_tokens(text, h, top)


def next_tokens(text: TextModel, h: np.ndarray, top: int = 5) -> dict[str, Any]:
    """With a decoder, {"top": {"tokens", "p"}}: the `top` likeliest next tokens after each h_t
    (T, H), likeliest first, and their softmax probabilities; without one, nothing."""
    out: dict[str, Any] = {}
    if text.decoder_weight is not None:
        best, p = text.top(h, top)
        out["top"] = {"tokens": [[text.vocab[k] for k in row] for row in best.tolist()], "p": p}
    return out


def standalone_trace(
    model: str,
    weights: dict[str, np.ndarray],
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    gradients: bool,
    target: int | None,
    reset_after: bool = True,
) -> dict[str, np.ndarray]:
    """What POST /api/trace returns: every quantity of one run, plus gradients when asked."""
    if model == "rnn":
        rnn_layer = rnn.RNNWeights(**weights)
        rnn_trace = rnn.run(rnn_layer, x, h0)
        out = {"x": rnn_trace.x, "h_prev": rnn_trace.h_prev, "pre": rnn_trace.pre, "h": rnn_trace.h}
        if gradients:
            rnn_grads = rnn_backward(rnn_layer, rnn_trace, target)
            out |= {"dL_dh": rnn_grads.dL_dh, "dL_dx": rnn_grads.dL_dx}
        return out
    if model == "gru":
        return _gru_trace(GRUWeights(**weights, reset_after=reset_after), x, h0, gradients, target)
    layer = LSTMWeights(**weights)
    trace = run(layer, x, h0, c0)
    out = trace.as_dict()
    if gradients:
        grads = lstm_backward(layer, trace, target)
        out |= {"dL_dc": grads.dL_dc, "dL_dh": grads.dL_dh, "dL_dx": grads.dL_dx, "belt": grads.belt}
    return out


def _gru_trace(
    layer: GRUWeights, x: np.ndarray, h0: np.ndarray | None, gradients: bool, target: int | None
) -> dict[str, np.ndarray]:
    trace = gru.run(layer, x, h0)
    out = trace.as_dict()
    if gradients:
        grads = gru_backward(layer, trace, target)
        out |= {"dL_dh": grads.dL_dh, "dL_dx": grads.dL_dx, "belt": grads.belt}
    return out
