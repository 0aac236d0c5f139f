"""The unit finder (app/engine/unit_finder.py): each ranking against a computation written apart
from it, in plain Python loops."""

import math
import re

import numpy as np
import pytest

from app.engine.unit_finder import correlations, memory_scores, ranked, span_scores, steps_in_matches


def loop_span(values: np.ndarray, start: int, stop: int, threshold: float) -> list[float]:
    steps, hidden = values.shape
    scores = []
    for k in range(hidden):
        inside = [values[t, k] >= threshold for t in range(start, stop)]
        outside = [values[t, k] >= threshold for t in range(steps) if not start <= t < stop]
        share_out = sum(outside) / len(outside) if outside else 0.0
        scores.append(sum(inside) / len(inside) - share_out)
    return scores


def loop_pearson(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    vx = sum((x - mx) ** 2 for x in xs)
    vy = sum((y - my) ** 2 for y in ys)
    return 0.0 if vx == 0 or vy == 0 else cov / math.sqrt(vx * vy)


@pytest.mark.parametrize(("start", "stop"), [(0, 1), (3, 9), (10, 30), (0, 30), (29, 30)])
def test_the_span_score_is_the_share_on_inside_minus_the_share_on_outside(start: int, stop: int) -> None:
    values = np.tanh(np.random.default_rng(start * 31 + stop).standard_normal((30, 7)))
    expected = loop_span(values, start, stop, 0.3)
    np.testing.assert_allclose(span_scores(values, start, stop), expected, atol=1e-12)


def test_a_unit_on_exactly_in_the_span_scores_one_and_one_off_there_minus_one() -> None:
    values = np.zeros((20, 3))
    values[5:9, 0] = 0.8  # on in the span only
    values[:, 1] = 0.8
    values[5:9, 1] = 0.0  # on everywhere but the span
    scores = span_scores(values, 5, 9)
    assert scores.tolist() == [1.0, -1.0, 0.0]
    assert ranked(scores, 3).tolist() == [0, 2, 1]


def test_a_span_out_of_range_or_empty_is_refused() -> None:
    with pytest.raises(ValueError, match="span"):
        span_scores(np.zeros((5, 2)), 3, 3)
    with pytest.raises(ValueError, match="span"):
        span_scores(np.zeros((5, 2)), 0, 6)


def test_memory_is_the_share_of_steps_with_a_saturated_forget_gate_ties_to_the_higher_mean() -> None:
    rng = np.random.default_rng(4)
    forget = rng.uniform(0.5, 1.0, (40, 6))
    fraction, mean = memory_scores(forget)
    for k in range(6):
        column = [forget[t, k] for t in range(40)]
        assert fraction[k] == sum(f > 0.9 for f in column) / 40
        assert mean[k] == pytest.approx(sum(column) / 40)
    tied = np.array([[0.95, 0.99, 0.5], [0.5, 0.6, 0.99]])  # units 0 and 1 saturate once, 2 once
    share, average = memory_scores(tied)
    assert share.tolist() == [0.5, 0.5, 0.5]
    assert ranked(share, 3, tiebreak=average).tolist() == [1, 2, 0]  # means 0.795, 0.745, 0.725


def test_correlations_are_pearsons_r_and_zero_for_a_unit_that_never_changes() -> None:
    rng = np.random.default_rng(5)
    values = rng.standard_normal((50, 5))
    values[:, 3] = 0.25  # a constant unit
    feature = (rng.uniform(size=50) > 0.6).astype(float)
    values[:, 1] = -2.0 * feature + 0.01 * values[:, 1]  # follows the feature, negatively
    r = correlations(values, feature)
    for k in range(5):
        assert r[k] == pytest.approx(loop_pearson(values[:, k].tolist(), feature.tolist()), abs=1e-12)
    assert r[3] == 0.0 and r[1] < -0.99
    assert ranked(np.abs(r), 1).tolist() == [1]


def test_equal_scores_keep_the_lower_unit_first() -> None:
    assert ranked(np.array([0.1, 0.5, 0.5, 0.9, 0.5]), 4).tolist() == [3, 1, 2, 4]


def test_a_step_is_in_the_feature_when_its_text_overlaps_a_match() -> None:
    words = ["def", "f(x):", "return", "x", "#", "done"]
    text = " ".join(words)
    spans, position = [], 0
    for word in words:
        spans.append((position, position + len(word)))
        position += len(word) + 1
    for pattern in (r"\w+", r"x", r"[()]", r"e\s+r", r"re", r"(?=x)", r"#.*"):
        found = [m.span() for m in re.finditer(pattern, text)]
        covered = {c for begin, end in found for c in range(begin, end)}
        expected = [float(any(c in covered for c in range(b, e))) for b, e in spans]
        assert steps_in_matches(spans, found).tolist() == expected, pattern
