"""One connection's scenario and trace: apply validated updates, recompute only what changed.

A Session never touches the network; app/web/stream.py feeds it messages and sends what it
returns. Outgoing messages are plain dicts of NumPy arrays and numbers (see docs/protocol.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.computation import Results, activation_curves, compute, payload
from app.config import get_settings
from app.encoding import check_finite
from app.engine import sequences
from app.engine.knobs import Knobs
from app.engine.lstm import Trace
from app.messages import (
    ClientMessage,
    Constant,
    Generate,
    LoadScenario,
    Noise,
    Pulse,
    Reset,
    SetClamp,
    SetInput,
    SetKnobs,
    SetSequence,
    SetState,
    Sine,
    Sync,
)
from app.scenarios import DEFAULT_SCENARIO, Scenario, get_scenario

Outgoing = dict[str, Any]


class Rejected(ValueError):
    """A well-formed message that does not fit this session (e.g. an index out of range)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class _Change:
    """What a batch of updates did: the first step whose trace must be recomputed."""

    start: int | None = None  # None: nothing to recompute
    resized: bool = False  # T or the scenario changed: the client needs a snapshot

    def from_step(self, t: int) -> None:
        self.start = t if self.start is None else min(self.start, t)


class Session:
    def __init__(self, scenario_name: str = DEFAULT_SCENARIO) -> None:
        self.revision = 0
        self._load(get_scenario(scenario_name))
        self.results = self._compute()

    def _load(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.x = scenario.x.copy()
        self.h0 = scenario.h0.copy()
        self.c0 = scenario.c0.copy()
        self.knobs = Knobs()

    def _compute(self, previous: Results | None = None, start: int = 0) -> Results:
        return compute(self.scenario.weights, self.knobs, self.x, self.h0, self.c0, previous, start)

    @property
    def trace(self) -> Trace:
        return self.results.trace

    # --- applying messages ----------------------------------------------------------------------

    def apply(self, messages: Sequence[ClientMessage]) -> list[Outgoing]:
        """Apply a burst of messages, recompute once from the earliest changed step, and reply.

        A rejected message yields an error and leaves the session exactly as it was; if anything
        else goes wrong, the whole batch is undone before the exception propagates.
        """
        saved = (self.scenario, self.x.copy(), self.h0.copy(), self.c0.copy(), self.knobs, self.results)
        revision = self.revision
        try:
            return self._apply_batch(messages)
        except BaseException:
            self.scenario, self.x, self.h0, self.c0, self.knobs, self.results = saved
            self.revision = revision
            raise

    def _apply_batch(self, messages: Sequence[ClientMessage]) -> list[Outgoing]:
        replies: list[Outgoing] = []
        change = _Change()
        wants_sync = False
        ack = None
        for message in messages:
            try:
                if isinstance(message, Sync):
                    wants_sync = True
                else:
                    self._apply_one(message, change)
            except Rejected as err:
                replies.append(error_reply(err.field, str(err), message.id))
                continue
            ack = message.id if message.id is not None else ack
        base = self.revision
        if change.start is not None or change.resized:
            self.revision += 1
            # Only a change at step t alone (same weights, same initial state) reuses steps < t.
            self.results = self._compute(self.results, 0 if change.resized else change.start or 0)
        if change.resized or wants_sync:
            replies.append(self.snapshot(ack))
        elif change.start is not None:
            replies.append(self._frame(base, change.start, ack))
        for reply in replies:
            check_finite(reply)  # NaN/Inf is not JSON: refuse here, so apply() undoes the batch
        return replies

    def _apply_one(self, message: ClientMessage, change: _Change) -> None:
        if isinstance(message, LoadScenario):
            try:
                scenario = get_scenario(message.scenario)
            except KeyError as err:
                raise Rejected("scenario", err.args[0]) from None
            self._load(scenario)
            change.resized = True
        elif isinstance(message, Reset):
            self._load(get_scenario(self.scenario.name))
            change.resized = True
        elif isinstance(message, SetInput):
            self._set_input(message, change)
        elif isinstance(message, SetSequence):
            self._set_sequence(np.asarray(message.x, dtype=np.float64), change)
        elif isinstance(message, Generate):
            self._generate(message, change)
        elif isinstance(message, SetState):
            self._set_state(message, change)
        elif isinstance(message, SetKnobs):
            self._set_knobs(message, change)
        elif isinstance(message, SetClamp):
            self._set_clamp(message, change)

    def _set_input(self, message: SetInput, change: _Change) -> None:
        steps, inputs = self.x.shape
        if message.t >= steps:
            raise Rejected("t", f"t={message.t} is out of range: the sequence has {steps} steps")
        if message.j >= inputs:
            raise Rejected("j", f"j={message.j} is out of range: the model has {inputs} inputs")
        self.x[message.t, message.j] = message.value
        change.from_step(message.t)

    def _set_sequence(self, x: np.ndarray, change: _Change) -> None:
        inputs, limit = self.x.shape[1], get_settings().max_steps
        if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != inputs:
            raise Rejected("x", f"x must be a non-empty list of rows of {inputs} values")
        if x.shape[0] > limit:
            raise Rejected("x", f"x has {x.shape[0]} steps; at most {limit} are allowed")
        change.resized = change.resized or x.shape[0] != self.x.shape[0]
        self.x = x
        change.from_step(0)

    def _generate(self, message: Generate, change: _Change) -> None:
        steps, inputs = self.x.shape
        j = message.component
        if j is not None and j >= inputs:
            raise Rejected("component", f"component={j} is out of range: the model has {inputs} inputs")
        for column in range(inputs) if j is None else [j]:
            self.x[:, column] = generate(message.sequence, steps, column)
        change.from_step(0)

    def _set_state(self, message: SetState, change: _Change) -> None:
        hidden = self.h0.shape[0]
        for name in ("h0", "c0"):
            value = getattr(message, name)
            if value is not None and len(value) != hidden:
                raise Rejected(name, f"{name} has {len(value)} values, but the model has H={hidden}")
        if message.h0 is not None:
            self.h0 = np.asarray(message.h0, dtype=np.float64)
        if message.c0 is not None:
            self.c0 = np.asarray(message.c0, dtype=np.float64)
        change.from_step(0)

    def _set_knobs(self, message: SetKnobs, change: _Change) -> None:
        hidden = self.h0.shape[0]
        if isinstance(message.target, int) and message.target >= hidden:
            raise Rejected("target", f"target={message.target} is out of range: the model has H={hidden}")
        given = message.model_dump(exclude={"type", "id"}, exclude_none=True)
        self.knobs = replace(self.knobs, **given)
        change.from_step(0)  # new parameters change every step

    def _set_clamp(self, message: SetClamp, change: _Change) -> None:
        hidden = self.h0.shape[0]
        if message.unit is not None and message.unit >= hidden:
            raise Rejected("unit", f"unit={message.unit} is out of range: the model has H={hidden}")
        self.knobs = self.knobs.with_clamp(message.gate, message.unit, message.value, hidden)
        change.from_step(0)

    # --- replies ------------------------------------------------------------------------------

    def snapshot(self, ack: int | None = None) -> Outgoing:
        """Everything the page needs to draw from scratch."""
        scenario = self.scenario
        return {
            "type": "snapshot",
            "revision": self.revision,
            "ack": ack,
            "scenario": {
                "name": scenario.name,
                "title": scenario.title,
                "description": scenario.description,
                "input_names": list(scenario.input_names),
                "input_range": list(scenario.input_range),
            },
            "sizes": {
                "T": self.trace.steps,
                "D": self.x.shape[1],
                "H": self.h0.shape[0],
            },
            "knobs": self.knobs.as_dict(),
            "curves": activation_curves(),
            "start": 0,
            **payload(self.results),
        }

    def _frame(self, base: int, start: int, ack: int | None) -> Outgoing:
        """Steps start..T-1 of the trace, to replace the same rows of revision `base`."""
        return {
            "type": "frame",
            "revision": self.revision,
            "base": base,
            "ack": ack,
            "knobs": self.knobs.as_dict(),
            "start": start,
            **payload(self.results, start),
        }


def generate(spec: Pulse | Sine | Noise | Constant, steps: int, column: int) -> np.ndarray:
    """The (T,) column a generator message describes; noise differs per column."""
    if isinstance(spec, Pulse):
        return sequences.pulse(steps, spec.at, spec.width, spec.amplitude)
    if isinstance(spec, Sine):
        return sequences.sine(steps, spec.amplitude, spec.period, spec.phase)
    if isinstance(spec, Noise):
        return sequences.noise(steps, spec.amplitude, spec.seed + column)
    return sequences.constant(steps, spec.value)


def error_reply(field: str | None, message: str, ack: int | None = None) -> Outgoing:
    return {"type": "error", "ack": ack, "field": field, "message": message}
