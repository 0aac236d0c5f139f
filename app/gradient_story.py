"""What the gradient chart and the memory race show, as claims read off their own numbers.

A caption that tells the textbook story ("the LSTM's gradient rides the belt back, the RNN's
fades") is wrong whenever the numbers beside it say otherwise: a release that closes the forget
gate, a half-shut forget gate, a belt the loss reads through a shut output gate, an RNN whose w
saturates its tanh. So nothing here is said unless the trace and the gradients say it.

Each claim is a catalogue `code` and its `params` (app/locales "story"; the page's catalogue holds
the same texts): numbers rounded to the two significant digits the text shows, so the page writes
exactly the number computed here. The chart compares the gradient at `first` (the step the
scenario writes at) with the gradient at the last step, where the loss reads h.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from .engine.backprop import LSTMGradients, RNNGradients
from .engine.knobs import Knobs
from .engine.lstm import Trace
from .engine.rnn import RNNTrace

Claim = dict[str, Any]  # {"code": str, "params": {name: int | float}}

# Below this a forget gate has shut: the belt keeps under a tenth of its parcel in one step.
CLOSED = 0.1
# A belt (Π f over the steps told) keeping less than this has lost its parcel.
LOST = 0.1
# The loss reaches a belt "through a shut door" when o · tanh'(c) at the last step is below this.
FAINT = 0.1
# tanh is flat (saturated) where its slope 1 − h² is below this (|h| > 0.95).
FLAT = 0.1
# With every unit on show, the claims explain at most this many units (the race draws as many).
MAX_TOLD_UNITS = 4


def shown(value: float) -> float:
    """The value as the caption writes it: two significant digits (the page adds no rounding)."""
    return float(f"{value:.2g}") + 0.0  # + 0.0: no "−0"


def claim(code: str, **params: int | float) -> Claim:
    return {
        "code": code,
        "params": {k: v if isinstance(v, int) else shown(v) for k, v in params.items()},
    }


def tell(
    trace: Trace,
    gradients: LSTMGradients,
    rnn_trace: RNNTrace,
    rnn_gradients: RNNGradients,
    knobs: Knobs,
    first: int,
    units: list[int] | None = None,
) -> dict[str, Any]:
    """The claims of both views: the gradient chart's for every unit (norms over units, as the
    chart draws them) and for each unit alone, and the race's for each unit (`units`: those only)."""
    steps = trace.h.shape[0]
    first = min(max(first, 0), steps - 1)
    return told(_Story(trace, gradients, rnn_trace, rnn_gradients, knobs, first), trace.h.shape, first, units)


class Teller(Protocol):
    def gradient_claims(self, units: list[int]) -> list[Claim]: ...

    def race_claims(self, k: int) -> list[Claim]: ...


def told(story: Teller, shape: tuple[int, int], first: int, units: list[int] | None = None) -> dict[str, Any]:
    """A story's claims in the shape snapshots carry (an LSTM's and a GRU's alike): the gradient
    chart's for every unit and for each unit alone, and the race's for each unit — a list by unit,
    or with `units` (a model whose frames carry some units' columns) an object of those units'
    claims by unit number: a page reads either as told.units[k]."""
    steps, hidden = shape
    if units is None:
        each: list[Any] | dict[str, Any] = [story.gradient_claims([k]) for k in range(hidden)]
        race: list[Any] | dict[str, Any] = [story.race_claims(k) for k in range(hidden)]
    else:
        each = {str(k): story.gradient_claims([k]) for k in units}
        race = {str(k): story.race_claims(k) for k in units}
    return {
        "first": first,
        "last": steps - 1,
        "gradients": {"all": story.gradient_claims(list(range(hidden))), "units": each},
        "race": race,
    }


class _Story:
    def __init__(
        self,
        trace: Trace,
        gradients: LSTMGradients,
        rnn_trace: RNNTrace,
        rnn_gradients: RNNGradients,
        knobs: Knobs,
        first: int,
    ) -> None:
        self.trace, self.gradients, self.knobs = trace, gradients, knobs
        self.rnn_h, self.rnn_dh = rnn_trace.h, rnn_gradients.dL_dh
        self.first, self.last = first, trace.h.shape[0] - 1
        clamp = knobs.clamp_array()
        self.f_clamp = clamp[1] if clamp is not None else np.full(trace.h.shape[1], np.nan)
        # dL/dh_{T-1}: which units the loss reads (all for the sum, one for a target unit)
        self.read = rnn_gradients.dL_dh[-1] != 0

    def gradient_claims(self, units: list[int]) -> list[Claim]:
        """The gradient chart for these units: norms over them, or one unit's |value|."""
        first, last = self.first, self.last
        if first == last:
            return []  # nothing travels back from the last step to itself
        lstm = np.linalg.norm(self.gradients.dL_dc[:, units], axis=1)
        rnn = np.linalg.norm(self.rnn_dh[:, units], axis=1)
        if lstm[last] == 0 or rnn[last] == 0:
            return [claim("not_read", last=last)]
        lstm_share, rnn_share = lstm[first] / lstm[last], rnn[first] / rnn[last]
        if not np.isfinite(lstm_share) or not np.isfinite(rnn_share):
            return []
        if lstm_share == rnn_share == 0:  # both vanished below float64's range: neither travels further
            return [claim("kept_none", last=last, first=first, lstm_last=lstm[last], rnn_last=rnn[last])]
        claims = [
            claim(
                "kept_lstm" if lstm_share >= rnn_share else "kept_rnn",
                last=last,
                first=first,
                lstm_last=lstm[last],
                lstm_first=lstm[first],
                lstm=lstm_share,
                rnn_last=rnn[last],
                rnn_first=rnn[first],
                rnn=rnn_share,
            )
        ]
        alone = len(units) == 1
        lower = not alone and lstm[last] < 0.5 * rnn[last]
        if lower:
            claims.append(claim("start_lower", last=last))
        if lstm_share > 1:
            claims.append(claim("lstm_grows", first=first))
        for k in units[:MAX_TOLD_UNITS] if not alone else units:
            if not self.read[k]:
                continue  # the loss does not read this unit: nothing starts on its belt
            claims += self.belt_claims(k)
            # with every unit on show, start_lower already says why the LSTM's line starts low
            claims += [] if lower else self.reading_claims(k)
            claims += self.rnn_claims(k, alone)
        return claims

    def race_claims(self, k: int) -> list[Claim]:
        """The race for unit k: what each model holds from `first` to the last step, and why."""
        first, last = self.first, self.last
        c, h = self.trace.c[:, k], self.rnn_h[:, k]
        claims = [
            claim("race", unit=k, first=first, last=last, c_first=c[first], c_last=c[last],
                  h_first=h[first], h_last=h[last])
        ]  # fmt: skip
        # Why the LSTM's belt kept or lost it is the gradient chart's caption beside it (the same
        # forget gates); here only what the race adds: why the RNN holds or loses it.
        if first < last:
            claims += self.rnn_claims(k, detailed=False)
        return claims

    def belt_claims(self, k: int) -> list[Claim]:
        """Why unit k's belt kept or lost its parcel (and its gradient) after `first`."""
        first, last = self.first, self.last
        f = self.trace.f[first + 1 :, k]
        belt = float(self.gradients.belt[first, k])  # Π f over steps first+1 … last
        if not np.isnan(self.f_clamp[k]):
            return [claim("f_clamped", unit=k, value=float(self.f_clamp[k]), belt=belt)]
        step = int(np.argmin(f))
        if f[step] < CLOSED:
            return [claim("forget_closed", unit=k, step=first + 1 + step, f=float(f[step]))]
        if belt < LOST:
            typical = float(np.exp(np.mean(np.log(f))))  # the geometric mean: Π f = typical ** steps
            return [claim("forget_leaky", unit=k, f=typical, start=first + 1, end=last, belt=belt)]
        return [claim("belt_holds", unit=k, start=first + 1, end=last, belt=belt)]

    def reading_claims(self, k: int) -> list[Claim]:
        """Whether the loss reaches unit k's belt only faintly: dL/dc_{T-1} = dL/dh · o · tanh'(c)."""
        o, slope = float(self.trace.o[-1, k]), float(1 - self.trace.tanh_c[-1, k] ** 2)
        if o * slope >= FAINT:
            return []
        return [claim("reads_through", unit=k, last=self.last, o=o, slope=slope)]

    def rnn_claims(self, k: int, detailed: bool) -> list[Claim]:
        return rnn_claims(self.rnn_h, self.knobs.rnn_scale, self.first, k, detailed)


def rnn_claims(rnn_h: np.ndarray, w: float, first: int, k: int, detailed: bool) -> list[Claim]:
    """Why the RNN's unit k kept or lost its gradient: dL/dh_{t-1} = dL/dh_t · w · (1 − h_t²).
    (The RNN raced against an LSTM and against a GRU alike.)"""
    last = rnn_h.shape[0] - 1
    h = rnn_h[first:, k]
    flat = int(np.sum(1 - h**2 < FLAT))
    if 2 * flat >= len(h):
        # w > 1 gives tanh(w·h) two stable points ±h*: the RNN holds one, whatever was written
        code = "rnn_holds_sign" if w > 1 else "rnn_saturated"
        return [claim(code, unit=k, w=w, last=last, h=abs(float(h[-1])), steps=flat, of=len(h))]
    if not detailed:
        return []
    factors = np.abs(w * (1 - rnn_h[first + 1 :, k] ** 2))
    with np.errstate(divide="ignore"):
        typical = float(np.exp(np.mean(np.log(factors))))  # 0 when w = 0
    return [claim("rnn_factor", unit=k, w=w, factor=typical)]
