"""What the gradient chart and the race say of the other gated model raced beside the session's
(computation.Counterpart: an LSTM session's GRU, a GRU session's LSTM), read off its numbers as the
session model's own story is (gradient_story.py, gru_story.py): the share of its gradient it keeps
from the last step back to `first`, and what its belt holds there."""

from __future__ import annotations

from typing import Any

import numpy as np

from .computation import Counterpart
from .engine.lstm import Trace
from .gradient_story import Claim, claim


def tell_counterpart(other: Counterpart, first: int) -> dict[str, Any]:
    """{"gradients": {"all", "units"}, "race"}: claims in the story's shape, for the other model."""
    lstm = isinstance(other.trace, Trace)
    # Its belt and the gradient riding it: an LSTM's c and dL/dc, a GRU's h and dL/dh.
    belt = other.trace.c if isinstance(other.trace, Trace) else other.trace.h
    along = getattr(other.gradients, "dL_dc" if lstm else "dL_dh")
    steps, hidden = belt.shape
    first = min(max(first, 0), steps - 1)
    kind = "lstm" if lstm else "gru"

    def kept(units: list[int]) -> list[Claim]:
        norms = np.linalg.norm(along[:, units], axis=1)
        if first == steps - 1 or norms[-1] == 0:
            return []  # nothing travels back, or the loss does not read these units
        share = norms[first] / norms[-1]
        return [claim(f"other_kept_{kind}", other_last=norms[-1], other_first=norms[first], other=share)]

    def race(k: int) -> list[Claim]:
        return [claim(f"other_race_{kind}", unit=k, first_value=belt[first, k], last_value=belt[-1, k])]

    return {
        "gradients": {"all": kept(list(range(hidden))), "units": [kept([k]) for k in range(hidden)]},
        "race": [race(k) for k in range(hidden)],
    }
