"""The NumPy LSTM against PyTorch, its own invariants, and its numerical stability."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.engine.activations import sigmoid
from app.engine.lstm import GATES, QUANTITIES, WEIGHT_NAMES, LSTMWeights, Trace, rerun_from, run
from tests.helpers import require_torch

GOLDEN = Path(__file__).parent / "fixtures" / "lstm_golden.npz"


Case = tuple[LSTMWeights, np.ndarray, np.ndarray, np.ndarray]


def random_case(seed: int, inputs: int = 3, hidden: int = 7, steps: int = 64, scale: float = 1.0) -> Case:
    """Weights uniform in ±scale, inputs ~ N(0, 4), non-zero h0 and c0."""
    rng = np.random.default_rng(seed)
    weights = LSTMWeights(
        weight_ih=rng.uniform(-scale, scale, (4 * hidden, inputs)),
        weight_hh=rng.uniform(-scale, scale, (4 * hidden, hidden)),
        bias_ih=rng.uniform(-scale, scale, 4 * hidden),
        bias_hh=rng.uniform(-scale, scale, 4 * hidden),
    )
    x = rng.standard_normal((steps, inputs)) * 2
    h0 = rng.uniform(-0.9, 0.9, hidden)
    c0 = rng.standard_normal(hidden)
    return weights, x, h0, c0


def test_every_step_matches_torch_nn_lstm() -> None:
    require_torch()
    import torch

    weights, x, h0, c0 = random_case(seed=1, inputs=3, hidden=7, steps=64)
    lstm = torch.nn.LSTM(3, 7, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(lstm, f"{name}_l0").copy_(torch.from_numpy(getattr(weights, name)))
        # nn.LSTM returns h for every step but c only for the last: run it one step at a time.
        state = (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None])
        h_torch, c_torch = [], []
        for t in range(len(x)):
            _, state = lstm(torch.from_numpy(x[t : t + 1]), state)
            h_torch.append(state[0][0].numpy())
            c_torch.append(state[1][0].numpy())
        full_output, _ = lstm(torch.from_numpy(x), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))

    trace = run(weights, x, h0, c0)

    np.testing.assert_allclose(trace.h, np.array(h_torch), atol=1e-6, rtol=0)
    np.testing.assert_allclose(trace.c, np.array(c_torch), atol=1e-6, rtol=0)
    np.testing.assert_allclose(trace.h, full_output.numpy(), atol=1e-6, rtol=0)


def test_every_step_matches_the_committed_torch_golden_run() -> None:
    golden = np.load(GOLDEN, allow_pickle=False)
    weights = LSTMWeights(golden["weight_ih"], golden["weight_hh"], golden["bias_ih"], golden["bias_hh"])
    assert weights.input_size != weights.hidden_size and len(golden["x"]) >= 50

    trace = run(weights, golden["x"], golden["h0"], golden["c0"])

    np.testing.assert_allclose(trace.h, golden["h"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(trace.c, golden["c"], atol=1e-6, rtol=0)


def torch_lstm_run(seed: int, inputs: int, hidden: int, steps: int) -> tuple[Any, Any, Any, Any]:
    """A torch.nn.LSTM with its own parameters (uniform ±1, wider than the default so that gates
    saturate sometimes), an input, and its run one step at a time: (lstm, x, h, c), h and c
    being (T + 1, H) with the initial state in row 0."""
    import torch

    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(inputs, hidden, dtype=torch.float64)
    with torch.no_grad():
        for param in lstm.parameters():
            param.uniform_(-1.0, 1.0)
        x = torch.randn(steps, inputs, dtype=torch.float64) * 2
        state = (
            torch.randn(1, hidden, dtype=torch.float64) * 0.5,
            torch.randn(1, hidden, dtype=torch.float64),
        )
        h, c = [state[0][0]], [state[1][0]]
        for t in range(steps):
            _, state = lstm(x[t : t + 1], state)
            h.append(state[0][0])
            c.append(state[1][0])
    return lstm, x, torch.stack(h), torch.stack(c)


def ours(lstm: Any) -> LSTMWeights:
    return LSTMWeights(*(getattr(lstm, f"{name}_l0").detach().numpy() for name in WEIGHT_NAMES))


def test_pre_activation_parts_equal_torchs_own_products() -> None:
    require_torch()
    lstm, x, h, c = torch_lstm_run(seed=31, inputs=3, hidden=5, steps=40)
    trace = run(ours(lstm), x.numpy(), h[0].numpy(), c[0].numpy())

    hidden = 5
    for k, gate in enumerate(GATES):
        rows = slice(k * hidden, (k + 1) * hidden)  # nn.LSTM's gate blocks: i, f, g, o
        with_torch = {
            "x": x @ lstm.weight_ih_l0[rows].T,
            "h": h[:-1] @ lstm.weight_hh_l0[rows].T,  # torch's own h_{t-1}, not ours
            "b": (lstm.bias_ih_l0[rows] + lstm.bias_hh_l0[rows]).expand(40, hidden),
        }
        for part, expected in with_torch.items():
            got = getattr(trace, f"pre_{gate}_{part}")
            np.testing.assert_allclose(got, expected.detach().numpy(), rtol=0, atol=1e-9, err_msg=part)


def test_pre_activation_parts_add_up_to_the_gates_of_torchs_own_step() -> None:
    """σ / tanh of the summed parts, put through the cell update in torch from torch's own state,
    give the c_t and h_t nn.LSTM computed: the sum is the pre-activation torch's gates came from."""
    require_torch()
    import torch

    lstm, x, h, c = torch_lstm_run(seed=32, inputs=2, hidden=4, steps=50)
    trace = run(ours(lstm), x.numpy(), h[0].numpy(), c[0].numpy())

    def summed(gate: str) -> Any:
        parts = (getattr(trace, f"pre_{gate}_{part}") for part in ("x", "h", "b"))
        return torch.from_numpy(sum(parts, np.zeros_like(trace.c)))

    i, f, o = (torch.sigmoid(summed(gate)) for gate in "ifo")
    g = torch.tanh(summed("g"))
    c_t = f * c[:-1] + i * g
    np.testing.assert_allclose(c_t.numpy(), c[1:].numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose((o * torch.tanh(c_t)).numpy(), h[1:].numpy(), rtol=0, atol=1e-9)
    for gate, values in zip(GATES, (i, f, g, o), strict=True):
        np.testing.assert_allclose(getattr(trace, gate), values.numpy(), rtol=0, atol=1e-9, err_msg=gate)


def test_pre_activation_parts_add_up_to_the_recorded_pre_activation() -> None:
    weights, x, h0, c0 = random_case(seed=33)
    trace = run(weights, x, h0, c0)
    for gate in GATES:
        parts = [getattr(trace, f"pre_{gate}_{part}") for part in ("x", "h", "b")]
        np.testing.assert_allclose(sum(parts), getattr(trace, f"pre_{gate}"), rtol=0, atol=1e-12)
        assert all(part.shape == (64, 7) for part in parts)
    # Input driven alone when W_hh = 0: the recurrent part vanishes and the bias is every row's.
    quiet = LSTMWeights(weights.weight_ih, weights.weight_hh * 0, weights.bias_ih, weights.bias_hh)
    still = run(quiet, x, h0, c0)
    assert (still.pre_f_h == 0).all()
    np.testing.assert_array_equal(still.pre_o_b, np.tile(still.pre_o_b[0], (64, 1)))


def test_trace_quantities_follow_the_cell_equations() -> None:
    weights, x, h0, c0 = random_case(seed=2)
    trace = run(weights, x, h0, c0)

    assert set(trace.as_dict()) == set(QUANTITIES)
    assert trace.x.shape == (64, 3) and trace.c.shape == (64, 7)
    np.testing.assert_allclose(trace.c_prev[0], c0)
    np.testing.assert_allclose(trace.h_prev[0], h0)
    np.testing.assert_allclose(trace.c_prev[1:], trace.c[:-1])
    np.testing.assert_allclose(trace.h_prev[1:], trace.h[:-1])
    np.testing.assert_allclose(trace.kept, trace.f * trace.c_prev)
    np.testing.assert_allclose(trace.forgotten, (1 - trace.f) * trace.c_prev)
    np.testing.assert_allclose(trace.added, trace.i * trace.g)
    np.testing.assert_allclose(trace.c, trace.kept + trace.added)
    np.testing.assert_allclose(trace.h, trace.o * np.tanh(trace.c))
    np.testing.assert_allclose(trace.f, 1 / (1 + np.exp(-trace.pre_f)))
    np.testing.assert_allclose(trace.g, np.tanh(trace.pre_g))


def test_gate_rows_are_in_pytorch_order_i_f_g_o() -> None:
    weights, x, h0, c0 = random_case(seed=3, hidden=2)
    pre = x[0] @ weights.weight_ih.T + weights.bias_ih + weights.bias_hh + h0 @ weights.weight_hh.T
    trace = run(weights, x, h0, c0)
    for k, name in enumerate(("pre_i", "pre_f", "pre_g", "pre_o")):
        np.testing.assert_allclose(getattr(trace, name)[0], pre[2 * k : 2 * k + 2])


def test_rerun_from_step_t_reuses_the_prefix_and_equals_a_full_run() -> None:
    weights, x, h0, c0 = random_case(seed=4)
    before = run(weights, x, h0, c0)
    changed = x.copy()
    changed[20, 1] += 1.5

    after = rerun_from(weights, changed, before, 20, h0, c0)

    full = run(weights, changed, h0, c0)
    for name in QUANTITIES:
        np.testing.assert_allclose(getattr(after, name), getattr(full, name), atol=1e-12)
    assert not np.allclose(after.c[20:], before.c[20:])


def test_rerun_from_does_not_recompute_steps_before_t() -> None:
    weights, x, h0, c0 = random_case(seed=5)
    before = run(weights, x, h0, c0)
    # Mark the prefix with values the engine could never produce: they must be copied, not recomputed.
    marked = Trace(**{name: getattr(before, name).copy() for name in QUANTITIES})
    marked.f[:10] = 7.0

    after = rerun_from(weights, x, marked, 10, h0, c0)

    assert (after.f[:10] == 7.0).all()
    np.testing.assert_allclose(after.f[10:], before.f[10:])


@pytest.mark.parametrize("scale", [1e3, -1e3])
def test_weights_and_inputs_of_1e3_stay_finite_without_overflow(scale: float) -> None:
    weights, _, h0, c0 = random_case(seed=6, scale=1.0)
    huge = LSTMWeights(
        *(np.sign(getattr(weights, n)) * abs(scale) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    )
    x = np.full((50, 3), scale)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        trace = run(huge, x, h0 * 0 + 1e3, c0 * 0 + 1e3)
    for name in QUANTITIES:
        assert np.isfinite(getattr(trace, name)).all(), name
    assert ((trace.f >= 0) & (trace.f <= 1)).all()


def test_sigmoid_is_finite_and_exact_at_the_extremes() -> None:
    z = np.array([-1e308, -800.0, -1.0, 0.0, 1.0, 800.0, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(z)
    np.testing.assert_allclose(
        s, [0.0, 0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0, 1.0], atol=1e-300
    )


def test_mismatched_weight_shapes_are_named_with_the_expected_shape() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(
        ValueError, match=r"weight_hh has shape \(64, 8\), but weight_ih \(64, 3\) means H=16"
    ):
        LSTMWeights(rng.random((64, 3)), rng.random((64, 8)), rng.random(64), rng.random(64))


def test_input_with_the_wrong_width_is_rejected() -> None:
    weights, x, h0, c0 = random_case(seed=7)
    with pytest.raises(ValueError, match=r"x must be \(T, 3\)"):
        run(weights, x[:, :2], h0, c0)


@pytest.mark.parametrize(
    ("h0", "c0", "name"), [(np.zeros((1, 7)), None, "h0"), (None, np.zeros(6), "c0"), (None, 0.5, "c0")]
)
def test_initial_state_of_the_wrong_shape_is_named(h0: object, c0: object, name: str) -> None:
    weights, x, _, _ = random_case(seed=8)
    with pytest.raises(ValueError, match=rf"{name} must be \(7,\)"):
        run(weights, x, h0, c0)  # type: ignore[arg-type]


def clamp_of(hidden: int, **gates: float) -> np.ndarray:
    clamp = np.full((4, hidden), np.nan)
    for gate, value in gates.items():
        clamp["ifgo".index(gate)] = value
    return clamp


def test_clamped_gates_take_the_forced_value_at_every_step() -> None:
    weights, x, h0, c0 = random_case(seed=9)
    trace = run(weights, x, h0, c0, clamp_of(7, f=1.0, i=0.0, o=1.0))

    assert (trace.f == 1.0).all() and (trace.i == 0.0).all() and (trace.o == 1.0).all()
    # f = 1, i = 0: the belt carries c0 unchanged through every step.
    np.testing.assert_allclose(trace.c, np.tile(c0, (64, 1)))
    np.testing.assert_allclose(trace.h, np.tanh(trace.c))
    free = run(weights, x, h0, c0)
    np.testing.assert_allclose(trace.pre_f[0], free.pre_f[0])  # pre-activations stay as computed


def test_a_clamp_leaves_the_pre_activation_parts_as_computed() -> None:
    weights, x, h0, c0 = random_case(seed=34)
    free = run(weights, x, h0, c0)
    clamped = run(weights, x, h0, c0, clamp_of(7, f=0.0, o=1.0))

    for gate in GATES:
        # The input and bias parts do not depend on the recurrence; the recurrent part is W_hh
        # times the clamped run's own h_{t-1}, and the parts still add up to its pre-activation.
        np.testing.assert_array_equal(getattr(clamped, f"pre_{gate}_x"), getattr(free, f"pre_{gate}_x"))
        np.testing.assert_array_equal(getattr(clamped, f"pre_{gate}_b"), getattr(free, f"pre_{gate}_b"))
        rows = weights.weight_hh[GATES.index(gate) * 7 : (GATES.index(gate) + 1) * 7]
        np.testing.assert_allclose(getattr(clamped, f"pre_{gate}_h"), clamped.h_prev @ rows.T, atol=1e-12)
        parts = sum(getattr(clamped, f"pre_{gate}_{part}") for part in ("x", "h", "b"))
        np.testing.assert_allclose(parts, getattr(clamped, f"pre_{gate}"), rtol=0, atol=1e-12)
    assert not np.allclose(clamped.pre_i_h[1:], free.pre_i_h[1:])  # the clamp did change h_{t-1}


def test_clamping_one_unit_leaves_the_others_free_at_the_first_step() -> None:
    weights, x, h0, c0 = random_case(seed=10)
    clamp = np.full((4, 7), np.nan)
    clamp[1, 2] = 0.0  # f of unit 2 only
    trace, free = run(weights, x, h0, c0, clamp), run(weights, x, h0, c0)
    assert (trace.f[:, 2] == 0.0).all()
    np.testing.assert_allclose(np.delete(trace.f[0], 2), np.delete(free.f[0], 2))
    np.testing.assert_allclose(trace.c[:, 2], trace.added[:, 2])  # nothing kept: c is what was added


def test_rerun_with_a_clamp_equals_a_full_run() -> None:
    weights, x, h0, c0 = random_case(seed=11)
    clamp = clamp_of(7, g=0.5)
    before = run(weights, x, h0, c0, clamp)
    changed = x.copy()
    changed[30] += 1.0
    after = rerun_from(weights, changed, before, 30, h0, c0, clamp)
    np.testing.assert_allclose(after.c, run(weights, changed, h0, c0, clamp).c, atol=1e-12)


@pytest.mark.parametrize("clamp", [clamp_of(7, f=1.5), clamp_of(7, g=-1.1), np.zeros((3, 7))])
def test_out_of_range_or_misshapen_clamps_are_refused(clamp: np.ndarray) -> None:
    weights, x, h0, c0 = random_case(seed=12)
    with pytest.raises(ValueError, match="clamp"):
        run(weights, x, h0, c0, clamp)
