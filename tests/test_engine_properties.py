"""Properties of the engine for any finite weights, inputs and state within the limits (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from app.engine.lstm import QUANTITIES, LSTMWeights, Trace, run

LIMIT = 1e3  # settings.max_abs_value: every value the app accepts lies within ±1000
finite = st.floats(min_value=-LIMIT, max_value=LIMIT, allow_nan=False, allow_infinity=False)


@st.composite
def runs(draw: st.DrawFn) -> Trace:
    hidden = draw(st.integers(1, 5))
    inputs = draw(st.integers(1, 4))
    steps = draw(st.integers(1, 12))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0, LIMIT]))

    def tensor(*shape: int) -> np.ndarray:
        values = draw(arrays(np.float64, shape, elements=st.floats(-1, 1, allow_nan=False)))
        return np.asarray(values * scale)

    weights = LSTMWeights(
        tensor(4 * hidden, inputs), tensor(4 * hidden, hidden), tensor(4 * hidden), tensor(4 * hidden)
    )
    x = draw(arrays(np.float64, (steps, inputs), elements=finite))
    h0 = draw(arrays(np.float64, hidden, elements=st.floats(-1, 1, allow_nan=False)))
    c0 = draw(arrays(np.float64, hidden, elements=finite))
    return run(weights, x, h0, c0)


@settings(max_examples=150, deadline=None)
@given(runs())
def test_gates_are_in_0_1_and_the_candidate_and_tanh_c_in_minus1_1(trace: Trace) -> None:
    for gate in (trace.i, trace.f, trace.o):
        assert np.all((gate >= 0) & (gate <= 1))
    for squashed in (trace.g, trace.tanh_c):
        assert np.all((squashed >= -1) & (squashed <= 1))


@settings(max_examples=150, deadline=None)
@given(runs())
def test_one_step_moves_the_belt_by_at_most_one(trace: Trace) -> None:
    # c_t = f·c_{t-1} + i·g with f, i in [0, 1] and g in [−1, 1]: |c_t| ≤ |c_{t-1}| + 1
    assert np.all(np.abs(trace.c) <= np.abs(trace.c_prev) + 1 + 1e-12)


@settings(max_examples=150, deadline=None)
@given(runs())
def test_h_is_the_output_gate_times_tanh_c(trace: Trace) -> None:
    np.testing.assert_allclose(trace.h, trace.o * np.tanh(trace.c), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(trace.c, trace.kept + trace.added, rtol=1e-12, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(runs())
def test_nothing_is_nan_or_infinite(trace: Trace) -> None:
    for name in QUANTITIES:
        assert np.isfinite(getattr(trace, name)).all(), name


@settings(max_examples=150, deadline=None)
@given(runs())
def test_the_three_parts_add_up_to_each_pre_activation(trace: Trace) -> None:
    for gate in ("i", "f", "g", "o"):
        parts = [getattr(trace, f"pre_{gate}_{part}") for part in ("x", "h", "b")]
        # Rounding of a sum is relative to its terms, and weights of ±1000 make terms of ~1e9.
        size = sum(np.abs(part) for part in parts)
        assert np.all(np.abs(sum(parts) - getattr(trace, f"pre_{gate}")) <= 1e-14 * size + 1e-300)
