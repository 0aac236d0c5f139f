"""A `find_units` message answered from a session's state and trace: which units to show (the
rankings are app/engine/unit_finder.py's; this checks the request and builds the `units` reply)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .computation import AnyTrace
from .config import get_settings
from .engine.embedding import UNKNOWN_TOKENS, TextModel
from .engine.gru import GRUTrace
from .engine.unit_finder import SATURATED, correlations, memory_scores, ranked, span_scores, steps_in_matches
from .file_errors import setting
from .messages import FindUnits
from .pattern_match import PatternProblem, matches
from .updates import Rejected, State

# A step whose x is no token's embedding row any more (a slider moved it), or an unknown token,
# stands in the text as this character: it is no character of the text the model read.
NOT_A_CHARACTER = "\ufffd"


def find_units(state: State, trace: AnyTrace, request: FindUnits) -> dict[str, Any]:
    """The `units` reply; Rejected (naming the field) when the request does not fit the session."""
    if request.ranking == "memory":
        found = _memory(trace, request.top)
    elif request.ranking == "span":
        found = _span(trace, request)
    else:
        found = _pattern(state, trace, request)
    return {"type": "units", "ack": request.id, "ranking": request.ranking, "hidden": state.hidden, **found}


def _quantity(trace: AnyTrace, request: FindUnits) -> str:
    """h or c; by default the belt (c, or a GRU's h). A GRU has no c."""
    gru = isinstance(trace, GRUTrace)
    if request.quantity == "c" and gru:
        raise Rejected("quantity", "gru_has_no_c")
    return request.quantity or ("h" if gru else "c")


def _entries(order: np.ndarray, scores: np.ndarray, **more: np.ndarray) -> list[dict[str, Any]]:
    """{"unit", "score", and any of `more`} for each unit of `order`."""
    return [
        {"unit": int(k), "score": float(scores[k]), **{n: float(v[k]) for n, v in more.items()}}
        for k in order
    ]


def _memory(trace: AnyTrace, top: int) -> dict[str, Any]:
    """Forget-gate saturation: an LSTM's f, a GRU's z (the gate that keeps h_{t−1})."""
    gate = "z" if isinstance(trace, GRUTrace) else "f"
    fraction, mean = memory_scores(getattr(trace, gate))
    order = ranked(fraction, top, tiebreak=mean)
    return {"gate": gate, "saturated": SATURATED, "units": _entries(order, fraction, mean=mean)}


def _span(trace: AnyTrace, request: FindUnits) -> dict[str, Any]:
    steps = trace.steps
    for name in ("start", "stop"):
        if getattr(request, name) is None:
            raise Rejected(name, "needed_for_ranking", ranking=request.ranking)
    start, stop = int(request.start or 0), int(request.stop or 0)
    if stop > steps:
        raise Rejected("stop", "step_out_of_range", value=stop, steps=steps)
    if start >= stop:
        raise Rejected("start", "span_empty", start=start, stop=stop)
    quantity = _quantity(trace, request)
    scores = span_scores(getattr(trace, quantity), start, stop, request.threshold)
    return {
        "quantity": quantity,
        "start": start,
        "stop": stop,
        "threshold": request.threshold,
        "units": _entries(ranked(scores, request.top), scores),
    }


def _pattern(state: State, trace: AnyTrace, request: FindUnits) -> dict[str, Any]:
    """Pearson r with the steps whose text a regular expression matches, ranked by |r|."""
    if request.pattern is None:
        raise Rejected("pattern", "needed_for_ranking", ranking=request.ranking)
    text_model = state.scenario.text
    if text_model is None:
        raise Rejected("pattern", "no_text_model")
    quantity = _quantity(trace, request)
    feature = _feature(text_model, state, request.pattern)
    matched, steps = int(feature.sum()), len(feature)
    if matched == 0:
        raise Rejected("pattern", "pattern_matches_nothing", steps=steps)
    if matched == steps:
        raise Rejected("pattern", "pattern_matches_everything", steps=steps)
    r = correlations(getattr(trace, quantity), feature)
    return {
        "quantity": quantity,
        "pattern": request.pattern,
        "matched": matched,
        "steps": steps,
        "units": _entries(ranked(np.abs(r), request.top), r),
    }


def _feature(text_model: TextModel, state: State, pattern: str) -> np.ndarray:
    """(T,) 1.0 where the step's token lies in a match of `pattern` over the session's text."""
    tokens = text_model.tokens_of(state.x, state.ids)
    pieces = [NOT_A_CHARACTER if t is None or t in UNKNOWN_TOKENS else t for t in tokens]
    separator = "" if text_model.by_characters else " "  # words were split on whitespace
    text = separator.join(pieces)
    limit = get_settings().max_text_chars
    if len(text) > limit:
        too_long = {"value": len(text), "limit": limit, "setting": setting("max_text_chars")}
        raise Rejected("pattern", "pattern_text_too_long", **too_long)
    spans, position = [], 0
    for piece in pieces:
        spans.append((position, position + len(piece)))
        position += len(piece) + len(separator)
    try:
        found = matches(pattern, text)
    except PatternProblem as problem:
        raise Rejected("pattern", problem.code, **problem.params) from None
    return steps_in_matches(spans, found)
