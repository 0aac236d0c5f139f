"""Benchmark 2: recomputing after a change at step t, against recomputing everything.

T=1000, D=H=64. For each t, x[t] changes and two things are timed, interleaved, medians:

- engine: `lstm.rerun_from(…, start=t)` against `lstm.run` on the same changed x. Target: cost
  proportional to T−t, read here as ratio ≤ (T−t)/T + 0.05 (5% of a full run for joining the
  reused prefix onto the new suffix, a copy of every quantity);
- session: `app.computation.compute` with the previous results and t (what a `set_input` costs
  the server) against the same from scratch. No target: the gradients and the RNN foil read
  every step, so they are redone in full whatever t is; this row shows how much that weighs.

    .venv/bin/python -m benchmarks.bench_suffix [--quick]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.computation import Results, compute
from app.engine import lstm
from app.engine.knobs import Knobs
from app.memory import tune_allocator
from app.scenarios import Scenario, random_init
from benchmarks.common import (
    Row,
    check,
    interleaved_medians,
    run_standalone,
)

STEPS, HIDDEN = 1000, 64
STARTS = (0, 250, 500, 750, 900, 990)
SLACK = 0.05  # of a full run: the fixed cost of joining prefix and suffix


def _runs(
    scenario: Scenario, previous_trace: lstm.Trace, previous: Results, x: np.ndarray, start: int
) -> dict[str, Callable[[], object]]:
    """Suffix and full recompute of the changed x, for the engine alone and for the session."""
    weights, h0, c0, knobs = scenario.weights, scenario.h0, scenario.c0, Knobs()
    return {
        "suffix": lambda: lstm.rerun_from(weights, x, previous_trace, start, h0, c0),
        "full": lambda: lstm.run(weights, x, h0, c0),
        "session_suffix": lambda: compute(weights, knobs, x, h0, c0, previous, start),
        "session_full": lambda: compute(weights, knobs, x, h0, c0),
    }


def measure(quick: bool = False) -> list[Row]:
    # The allocator as the server runs it (app/__main__.py): without this, every run pays again
    # for touching its freshly mapped trace arrays, and the figure depends on what ran before.
    tune_allocator()
    repeats = 3 if quick else 11
    scenario = random_init(seed=1, hidden=HIDDEN, inputs=HIDDEN, steps=STEPS)
    previous_trace = lstm.run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    previous = compute(scenario.weights, Knobs(), scenario.x, scenario.h0, scenario.c0)
    rows: list[Row] = []
    for start in STARTS:
        x = scenario.x.copy()
        x[start, 0] += 0.5
        times = interleaved_medians(_runs(scenario, previous_trace, previous, x, start), repeats)
        share = (STEPS - start) / STEPS
        ratio = times["suffix"] / times["full"]
        met, score = check(ratio, share + SLACK)
        data = {"t": start, "T": STEPS, "H": HIDDEN, **{f"{k}_ms": v * 1e3 for k, v in times.items()}}
        rows.append(
            Row(
                benchmark="2 suffix recompute",
                case=f"engine, change at t={start} (T−t = {share:.0%} of T)",
                figure=f"{times['suffix'] * 1e3:.2f} ms",
                reference=f"full run {times['full'] * 1e3:.2f} ms",
                ratio=ratio,
                target=f"≤ {share + SLACK:.2f}× ((T−t)/T + {SLACK:g})",
                met=met,
                score=score,
                data=data,
            )
        )
        session_ratio = times["session_suffix"] / times["session_full"]
        rows.append(
            Row(
                benchmark="2 suffix recompute",
                case=f"session compute (trace + gradients + RNN), t={start}",
                figure=f"{times['session_suffix'] * 1e3:.2f} ms",
                reference=f"from scratch {times['session_full'] * 1e3:.2f} ms",
                ratio=session_ratio,
                target="— (gradients are whole)",
                met=None,
                data=data,
            )
        )
    return rows


def main() -> None:
    run_standalone(__doc__, measure, "3 repeats instead of 11")


if __name__ == "__main__":
    main()
