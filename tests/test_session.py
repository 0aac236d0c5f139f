"""Session: applying validated updates, recomputing the suffix, rejecting without side effects."""

from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from app.engine.lstm import QUANTITIES, run
from app.messages import ClientMessage
from app.scenarios import SCENARIOS, get_scenario
from app.session import Session

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def state_of(session: Session) -> dict[str, Any]:
    return {
        "revision": session.revision,
        "scenario": session.scenario.name,
        "x": session.x.copy(),
        "h0": session.h0.copy(),
        "c0": session.c0.copy(),
        **{name: getattr(session.trace, name).copy() for name in QUANTITIES},
    }


def assert_same_state(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_snapshot_carries_the_default_scenario_and_its_full_trace() -> None:
    session = Session()
    snapshot = session.snapshot()

    scenario = get_scenario("hold-and-release")
    expected = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    assert snapshot["type"] == "snapshot" and snapshot["revision"] == 0
    assert snapshot["sizes"] == {"T": 40, "D": 2, "H": 3}
    assert snapshot["scenario"]["input_names"] == ["signal", "release"]
    for name in QUANTITIES:  # states and gates travel as float32
        np.testing.assert_allclose(snapshot["trace"][name], getattr(expected, name), rtol=1e-6, atol=1e-30)


def test_set_input_sends_only_the_changed_suffix_with_engine_numbers() -> None:
    session = Session()
    [frame] = session.apply([msg(type="set_input", t=7, j=0, value=1.25, id=3)])

    scenario = get_scenario("hold-and-release")
    x = scenario.x.copy()
    x[7, 0] = 1.25
    expected = run(scenario.weights, x)
    assert (frame["type"], frame["revision"], frame["base"], frame["start"], frame["ack"]) == (
        "frame",
        1,
        0,
        7,
        3,
    )
    for name in QUANTITIES:
        if name != "x":
            np.testing.assert_allclose(frame["trace"][name], getattr(expected, name)[7:], atol=1e-12)
    # of the inputs, only the row the move changed: the client holds the rest
    assert frame["x_end"] == 8
    np.testing.assert_array_equal(frame["trace"]["x"], x[7:8])


def test_frames_carry_the_input_rows_that_changed_bit_for_bit() -> None:
    session = Session()
    before = session.x.copy()
    moves = [msg(type="set_input", t=t, j=1, value=0.5, id=t) for t in (12, 30)]

    [frame] = session.apply(moves)

    assert (frame["start"], frame["x_end"]) == (12, 31)
    np.testing.assert_array_equal(frame["trace"]["x"], session.x[12:31])
    # −0.0 where 0.0 was is a change (a link carries the very number the user set)
    [zero] = session.apply([msg(type="set_input", t=3, j=0, value=-0.0, id=9)])
    assert before[3, 0] == 0.0 and not np.signbit(before[3, 0]) and (zero["start"], zero["x_end"]) == (3, 4)
    # a change that moves no input (the initial state) recomputes every step and sends no x row
    [state] = session.apply([msg(type="set_state", c0=[0.5, 0.0, 0.0])])
    assert (state["start"], state["x_end"], len(state["trace"]["x"])) == (0, 0, 0)


def test_a_burst_is_recomputed_once_from_the_earliest_step() -> None:
    session = Session()
    burst = [msg(type="set_input", t=t, j=0, value=0.1 * k, id=k) for k, t in enumerate([30, 12, 25, 12])]

    replies = session.apply(burst)

    assert [r["type"] for r in replies] == ["frame"]
    assert replies[0]["start"] == 12 and replies[0]["ack"] == 3 and session.revision == 1
    assert session.x[12, 0] == pytest.approx(0.3) and session.x[30, 0] == 0.0


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "set_input", "t": 40, "j": 0, "value": 1.0}, "t"),
        ({"type": "set_input", "t": 0, "j": 2, "value": 1.0}, "j"),
        ({"type": "set_state", "h0": [0.0, 0.0]}, "h0"),
        ({"type": "set_state", "h0": [0.0, 0.0, 0.0], "c0": [1.0]}, "c0"),
        ({"type": "set_sequence", "x": [[1.0, 2.0, 3.0]]}, "x"),
        ({"type": "generate", "component": 5, "sequence": {"kind": "constant"}}, "component"),
        ({"type": "load", "scenario": "no-such-thing"}, "scenario"),
    ],
)
def test_a_rejected_message_names_its_field_and_changes_nothing(message: dict[str, Any], field: str) -> None:
    session = Session()
    session.apply([msg(type="set_input", t=3, j=1, value=0.5)])
    before = state_of(session)

    [reply] = session.apply([msg(**message, id=9)])

    assert reply["type"] == "error" and reply["field"] == field and reply["ack"] == 9
    assert_same_state(before, state_of(session))


def test_good_messages_around_a_bad_one_still_apply() -> None:
    session = Session()
    replies = session.apply(
        [
            msg(type="set_input", t=2, j=0, value=0.5, id=1),
            msg(type="set_input", t=99, j=0, value=0.5, id=2),
            msg(type="set_input", t=4, j=1, value=-0.5, id=3),
        ]
    )
    assert [r["type"] for r in replies] == ["error", "frame"]
    assert replies[1]["start"] == 2 and replies[1]["ack"] == 3
    assert session.x[2, 0] == 0.5 and session.x[4, 1] == -0.5


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        (
            {"kind": "pulse", "at": 3, "width": 2, "amplitude": 1.5},
            lambda t: np.where((t >= 3) & (t < 5), 1.5, 0.0),
        ),
        ({"kind": "sine", "amplitude": 2.0, "period": 10.0}, lambda t: 2.0 * np.sin(2 * np.pi * t / 10.0)),
        ({"kind": "constant", "value": -0.75}, lambda t: np.full(t.shape, -0.75)),
        (
            {"kind": "noise", "amplitude": 0.5, "seed": 4},
            lambda t: 0.5 * np.random.default_rng(4).standard_normal(40),
        ),
    ],
)
def test_generators_rewrite_one_input_column(sequence: dict[str, Any], expected: Any) -> None:
    session = Session()
    other_column, before = session.x[:, 1].copy(), session.x.copy()

    [frame] = session.apply([msg(type="generate", component=0, sequence=sequence)])

    np.testing.assert_allclose(session.x[:, 0], expected(np.arange(40)))
    np.testing.assert_array_equal(session.x[:, 1], other_column)
    assert frame["start"] == 0
    # rows 0..x_end-1 are new; the rows after them did not change
    np.testing.assert_array_equal(frame["trace"]["x"], session.x[: frame["x_end"]])
    np.testing.assert_array_equal(session.x[frame["x_end"] :], before[frame["x_end"] :])
    assert frame["x_end"] == 0 or np.any(session.x[frame["x_end"] - 1] != before[frame["x_end"] - 1])


def test_set_state_changes_the_initial_state_and_recomputes_everything() -> None:
    session = Session()
    [frame] = session.apply([msg(type="set_state", c0=[1.0, -1.0, 0.5])])

    scenario = get_scenario("hold-and-release")
    expected = run(scenario.weights, scenario.x, np.zeros(3), np.array([1.0, -1.0, 0.5]))
    assert frame["start"] == 0
    np.testing.assert_allclose(frame["trace"]["c"], expected.c)
    np.testing.assert_allclose(frame["trace"]["c_prev"][0], [1.0, -1.0, 0.5])


def test_a_sequence_of_another_length_gets_a_snapshot() -> None:
    session = Session()
    [reply] = session.apply([msg(type="set_sequence", x=[[0.0, 0.0]] * 7)])
    assert reply["type"] == "snapshot" and reply["sizes"]["T"] == 7 and reply["revision"] == 1


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_load_and_reset_send_snapshots(name: str) -> None:
    session = Session()
    [loaded] = session.apply([msg(type="load", scenario=name)])
    session.apply([msg(type="set_input", t=0, j=0, value=1.0)])
    [reset] = session.apply([msg(type="reset")])

    assert loaded["type"] == reset["type"] == "snapshot"
    assert reset["scenario"]["name"] == name and reset["revision"] == 3
    np.testing.assert_array_equal(reset["trace"]["x"], get_scenario(name).x)


def test_default_scenario_holds_a_value_on_the_belt_and_later_releases_it() -> None:
    trace = Session().trace
    held, forgetful, hidden = 0, 1, 2
    # Written at step 5, still on unit 0's belt 22 steps later, gone after the release at 28.
    assert trace.c[5, held] > 0.9 and trace.c[27, held] > 0.9
    assert abs(trace.c[29, held]) < 0.01
    # The same write fades from the half-shut unit 1 within a few steps.
    assert abs(trace.c[12, forgetful]) < 0.05
    # Unit 2 holds −signal, but h shows it only when the release opens its output gate.
    assert trace.c[27, hidden] < -0.9 and abs(trace.h[27, hidden]) < 0.05
    assert trace.h[28, hidden] < -0.5


def test_snapshot_samples_sigmoid_and_tanh_for_the_insets() -> None:
    curves = Session().snapshot()["curves"]
    z = np.asarray(curves["z"])
    assert z[0] == -8 and z[-1] == 8 and len(z) == 161
    np.testing.assert_allclose(curves["sigmoid"], 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(curves["tanh"], np.tanh(z), rtol=1e-12)


def test_what_a_user_sets_travels_exactly_and_the_rest_as_float32() -> None:
    session = Session()
    exact = 0.123456789123
    session.apply([MESSAGES.validate_python({"type": "set_input", "t": 2, "j": 0, "value": exact})])
    session.apply([MESSAGES.validate_python({"type": "set_state", "c0": [exact, 0.0, 0.0]})])
    trace = session.snapshot()["trace"]
    assert trace["x"][2, 0] == exact and trace["c_prev"][0, 0] == exact
    assert trace["c"].dtype == np.float32 and trace["x"].dtype == np.float64


def test_snapshot_tells_the_servers_limits(override_settings: Any) -> None:
    override_settings(max_message_bytes=1234)
    limits = Session().snapshot()["limits"]
    assert limits["max_message_bytes"] == 1234 and limits["max_steps"] == 10_000


def test_knob_bias_shift_and_weight_scale_enter_the_pre_activation_parts() -> None:
    """The session runs on the knob-adjusted weights, so each part carries its knob: the bias
    shift only the bias part, the weight scale only the input and recurrent parts."""
    session = Session("random-init")
    base = session.scenario.weights
    hidden = base.hidden_size
    [frame] = session.apply([msg(type="set_knobs", bias_f=2.0, bias_g=-1.5, weight_scale=0.5)])
    assert frame["start"] == 0

    trace = session.trace
    shifts = {"i": 0.0, "f": 2.0, "g": -1.5, "o": 0.0}
    for k, gate in enumerate("ifgo"):
        rows = slice(k * hidden, (k + 1) * hidden)
        bias = base.bias_ih[rows] + base.bias_hh[rows] + shifts[gate]
        np.testing.assert_allclose(getattr(trace, f"pre_{gate}_b"), np.tile(bias, (40, 1)), atol=1e-12)
        from_x = 0.5 * (session.x @ base.weight_ih[rows].T)
        np.testing.assert_allclose(getattr(trace, f"pre_{gate}_x"), from_x, atol=1e-12)
        from_h = 0.5 * (trace.h_prev @ base.weight_hh[rows].T)
        np.testing.assert_allclose(getattr(trace, f"pre_{gate}_h"), from_h, atol=1e-12)
        # What the page receives: float32 parts that add up to the float32 pre-activation.
        sent = [frame["trace"][f"pre_{gate}_{part}"].astype(np.float64) for part in ("x", "h", "b")]
        np.testing.assert_allclose(sum(sent), frame["trace"][f"pre_{gate}"], rtol=0, atol=1e-5)


def test_snapshot_carries_the_opening_step_and_the_prompt_in_every_language() -> None:
    session = Session("latch")
    scenario = session.snapshot()["scenario"]
    assert scenario["open_step"] == 6
    assert scenario["prompt"] == scenario["text"]["en"]["prompt"]
    assert scenario["text"]["ko"]["prompt"].startswith("스텝 6의 값을")
    # A sequence shorter than the opening step: the page is sent a step that exists.
    [snapshot] = session.apply([msg(type="set_sequence", x=[[0.0, 0.0, 0.0]] * 4)])
    assert snapshot["type"] == "snapshot" and snapshot["scenario"]["open_step"] == 3
