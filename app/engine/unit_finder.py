"""Which units to look at: three rankings over a trace, each a score per unit. Pure NumPy.

A model of 128 units shows a handful at a time; these rankings pick the handful worth showing.

- span (LSTMVis, Strobelt et al. 2018): the user selects steps [start, stop) where something happens;
  a unit is "on" at a step when its value is at least `threshold` (LSTMVis' default 0.3). The score
  is the fraction of the span's steps the unit is on, minus the fraction of the other steps it is
  on: 1 for a unit on throughout the span and off everywhere else (what LSTMVis' selection keeps),
  0 for one that does not care, negative for one that is off exactly there. A span of every step
  has no outside: the outside fraction is then 0.
- memory: how saturated each unit's forget gate is (a GRU's keep gate z): the fraction of steps
  with f > 0.9, a unit that keeps what it holds for ~10 steps or more. Ties (common: many units
  never saturate) go to the higher mean f.
- pattern: Pearson r between each unit's value and a 0/1 feature of the steps (a step is 1 where
  the text matched a pattern); ranked by |r|, since a unit may follow a feature by going negative.
  A unit that never changes has r = 0.

Every ranking is stable: equal scores keep the lower unit first.
"""

from __future__ import annotations

import numpy as np

SPAN_THRESHOLD = 0.3  # LSTMVis' default activation threshold
SATURATED = 0.9  # a forget gate above this keeps 90 % a step: ~10 steps of memory


def span_scores(values: np.ndarray, start: int, stop: int, threshold: float = SPAN_THRESHOLD) -> np.ndarray:
    """(H,) fraction of steps start..stop−1 with value ≥ threshold, minus that of the other steps.
    values (T, H); 0 ≤ start < stop ≤ T."""
    steps = values.shape[0]
    if not 0 <= start < stop <= steps:
        raise ValueError(f"the span must satisfy 0 ≤ start < stop ≤ {steps}, got [{start}, {stop})")
    on = values >= threshold
    inside = on[start:stop].mean(axis=0)
    outside_count = steps - (stop - start)
    if outside_count == 0:
        return np.asarray(inside, dtype=np.float64)
    outside = (on[:start].sum(axis=0) + on[stop:].sum(axis=0)) / outside_count
    return np.asarray(inside - outside, dtype=np.float64)


def memory_scores(forget: np.ndarray, saturated: float = SATURATED) -> tuple[np.ndarray, np.ndarray]:
    """(fraction of steps with f > saturated, mean f), each (H,), of forget gates (T, H)."""
    return (forget > saturated).mean(axis=0), forget.mean(axis=0)


def correlations(values: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """(H,) Pearson r of each column of values (T, H) with feature (T,); 0 where either is constant."""
    centred = values - values.mean(axis=0)
    wanted = feature - feature.mean()
    spread = np.sqrt((centred**2).sum(axis=0) * (wanted**2).sum())
    r = (centred.T @ wanted) / np.where(spread > 0, spread, 1.0)
    # rounding can carry a perfect correlation a hair past ±1
    return np.asarray(np.clip(np.where(spread > 0, r, 0.0), -1.0, 1.0), dtype=np.float64)


def ranked(scores: np.ndarray, top: int, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """The `top` units with the highest scores (then the highest tiebreak), the lower unit first
    among equals."""
    units = np.arange(len(scores))
    keys = (units, -scores) if tiebreak is None else (units, -tiebreak, -scores)
    return np.lexsort(keys)[:top]


def steps_in_matches(spans: list[tuple[int, int]], matches: list[tuple[int, int]]) -> np.ndarray:
    """(T,) 0/1: 1 for a step whose text [start, end) overlaps a match [start, end) (empty matches
    mark nothing). `spans` are the steps' places in the text, in order; so are the matches."""
    length = max((end for _, end in spans), default=0)
    covered = np.zeros(length + 1, dtype=np.int64)
    for begin, end in matches:
        begin, end = min(begin, length), min(end, length)
        if end > begin:
            covered[begin] += 1
            covered[end] -= 1
    inside = np.concatenate([[0], np.cumsum(covered) > 0]).astype(np.int64)
    within = np.cumsum(inside)  # within[k]: characters 0..k−1 that lie in a match
    return np.array([float(within[end] > within[begin]) for begin, end in spans])
