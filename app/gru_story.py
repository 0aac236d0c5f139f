"""What the gradient chart and the memory race say for a GRU, as claims read off their numbers
(the LSTM's are in gradient_story.py, whose rules this follows: nothing is said unless the trace
and the gradients say it).

A GRU's belt is h itself, h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ n_t: along it the gradient is only
multiplied by the update gate z (the belt-only term Π z), and the loss reads the belt directly (no
output gate between them: the GRU's and the RNN's lines start at the same height). A shut z writes
the candidate over what the belt carried, which on the way back cuts the belt's share there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine.backprop import RNNGradients
from .engine.gru import GRUTrace
from .engine.gru_backprop import GRUGradients
from .engine.knobs import GRUKnobs
from .engine.rnn import RNNTrace
from .gradient_story import CLOSED, LOST, MAX_TOLD_UNITS, Claim, claim, rnn_claims, told


def tell_gru(
    trace: GRUTrace,
    gradients: GRUGradients,
    rnn_trace: RNNTrace,
    rnn_gradients: RNNGradients,
    knobs: GRUKnobs,
    first: int,
    units: list[int] | None = None,
) -> dict[str, Any]:
    """The claims of both views, in the LSTM's story's shape (gradient_story.tell)."""
    steps = trace.h.shape[0]
    first = min(max(first, 0), steps - 1)
    story = _GRUStory(trace, gradients, rnn_trace, rnn_gradients, knobs, first)
    return told(story, trace.h.shape, first, units)


class _GRUStory:
    def __init__(
        self,
        trace: GRUTrace,
        gradients: GRUGradients,
        rnn_trace: RNNTrace,
        rnn_gradients: RNNGradients,
        knobs: GRUKnobs,
        first: int,
    ) -> None:
        self.trace, self.gradients, self.w = trace, gradients, knobs.rnn_scale
        self.rnn_h, self.rnn_dh = rnn_trace.h, rnn_gradients.dL_dh
        self.first, self.last = first, trace.h.shape[0] - 1
        clamp = knobs.clamp_array()
        self.z_clamp = clamp[1] if clamp is not None else np.full(trace.h.shape[1], np.nan)
        self.read = rnn_gradients.dL_dh[-1] != 0  # which units the loss reads

    def gradient_claims(self, units: list[int]) -> list[Claim]:
        """The gradient chart for these units: norms over them, or one unit's |value|."""
        first, last = self.first, self.last
        if first == last:
            return []
        gru = np.linalg.norm(self.gradients.dL_dh[:, units], axis=1)
        rnn = np.linalg.norm(self.rnn_dh[:, units], axis=1)
        if gru[last] == 0 or rnn[last] == 0:
            return [claim("not_read", last=last)]
        gru_share, rnn_share = gru[first] / gru[last], rnn[first] / rnn[last]
        if not np.isfinite(gru_share) or not np.isfinite(rnn_share):
            return []
        if gru_share == rnn_share == 0:  # both vanished below float64's range: neither travels further
            return [claim("kept_none_gru", last=last, first=first, gru_last=gru[last], rnn_last=rnn[last])]
        claims = [
            claim(
                "kept_gru" if gru_share >= rnn_share else "kept_rnn_gru",
                last=last, first=first, gru_last=gru[last], gru_first=gru[first], gru=gru_share,
                rnn_last=rnn[last], rnn_first=rnn[first], rnn=rnn_share,
            )
        ]  # fmt: skip
        if gru_share > 1:
            claims.append(claim("gru_grows", first=first))
        alone = len(units) == 1
        for k in units if alone else units[:MAX_TOLD_UNITS]:
            if self.read[k]:
                claims += self.belt_claims(k) + rnn_claims(self.rnn_h, self.w, first, k, alone)
        return claims

    def race_claims(self, k: int) -> list[Claim]:
        """The race for unit k: what the GRU's belt and the RNN hold from `first` to the last step."""
        first, last = self.first, self.last
        h, rnn = self.trace.h[:, k], self.rnn_h[:, k]
        claims = [
            claim("race_gru", unit=k, first=first, last=last, h_first=h[first], h_last=h[last],
                  rnn_first=rnn[first], rnn_last=rnn[last])
        ]  # fmt: skip
        if first < last:  # why the belt kept it is the gradient chart's caption (the same z)
            claims += rnn_claims(self.rnn_h, self.w, first, k, detailed=False)
        return claims

    def belt_claims(self, k: int) -> list[Claim]:
        """Why unit k's belt kept or lost what it carried (and its gradient) after `first`."""
        first, last = self.first, self.last
        z = self.trace.z[first + 1 :, k]
        belt = float(self.gradients.belt[first, k])  # Π z over steps first+1 … last
        if not np.isnan(self.z_clamp[k]):
            return [claim("z_clamped", unit=k, value=float(self.z_clamp[k]), belt=belt)]
        step = int(np.argmin(z))
        if z[step] < CLOSED:
            return [claim("update_closed", unit=k, step=first + 1 + step, z=float(z[step]))]
        if belt < LOST:
            typical = float(np.exp(np.mean(np.log(z))))  # the geometric mean: Π z = typical ** steps
            return [claim("update_leaky", unit=k, z=typical, start=first + 1, end=last, belt=belt)]
        return [claim("gru_belt_holds", unit=k, start=first + 1, end=last, belt=belt)]
