"""The views a client shows (`views`): the gradients and the RNN foil are computed and sent only
while a view that shows them is on the page, and every frame stays exact either way."""

from typing import Any

import numpy as np
from orjson import loads as orjson_loads
from pydantic import TypeAdapter, ValidationError

from app.computation import compute
from app.encoding import dumps
from app.engine.knobs import Knobs
from app.messages import ClientMessage
from app.scenarios import get_scenario
from app.session import Session

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)
WORKBENCH = ["belt", "timeline"]


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def full_results(name: str, x: np.ndarray) -> Any:
    """Everything computed from scratch for the scenario with inputs x, gradients included."""
    scenario = get_scenario(name)
    return compute(scenario.weights, Knobs(), x, scenario.h0, scenario.c0)


def test_a_session_that_was_never_told_sends_the_gradients_as_before() -> None:
    session = Session("long-memory")
    assert "gradients" in session.snapshot() and "rnn" in session.snapshot()
    [frame] = session.apply([msg(type="set_input", t=3, j=0, value=0.5, id=1)])
    assert {"gradients", "rnn"} <= set(frame)


def test_without_a_gradient_view_frames_carry_the_trace_only_and_exactly() -> None:
    session = Session("long-memory")
    assert session.apply([msg(type="views", shown=WORKBENCH, id=1)]) == []  # nothing to send
    [frame] = session.apply([msg(type="set_input", t=3, j=0, value=0.5, id=2)])
    assert frame["type"] == "frame" and frame["start"] == 3 and frame["ack"] == 2
    assert "gradients" not in frame and "rnn" not in frame
    x = get_scenario("long-memory").x.copy()
    x[3, 0] = 0.5
    expected = full_results("long-memory", x).trace
    for name, rows in frame["trace"].items():
        carried = getattr(expected, name)[3 : frame["x_end"] if name == "x" else None]
        np.testing.assert_allclose(rows, carried, rtol=1e-6, atol=1e-7, err_msg=name)
    assert frame["x_end"] == 4  # the one input row that moved
    assert session.results.foil is None  # not computed at all, not just not sent


def test_opening_a_gradient_view_brings_them_in_a_frame_without_trace_rows() -> None:
    session = Session("long-memory")
    session.apply([msg(type="views", shown=WORKBENCH, id=1)])
    session.apply([msg(type="set_input", t=3, j=0, value=0.5, id=2)])
    revision = session.revision
    [frame] = session.apply([msg(type="views", shown=[*WORKBENCH, "gradients", "race"], id=3)])
    assert frame["type"] == "frame" and frame["base"] == revision and frame["revision"] == revision + 1
    steps = get_scenario("long-memory").x.shape[0]
    assert frame["start"] == steps
    assert all(rows.shape[0] == 0 for rows in frame["trace"].values())
    x = get_scenario("long-memory").x.copy()
    x[3, 0] = 0.5
    expected = full_results("long-memory", x)
    for name in ("dL_dc", "dL_dh", "dL_dx", "belt"):
        np.testing.assert_allclose(frame["gradients"][name], getattr(expected.gradients, name), atol=1e-12)
    assert expected.foil is not None
    np.testing.assert_allclose(frame["rnn"]["h"], expected.foil.rnn_trace.h, rtol=1e-6, atol=1e-7)
    # Shown again, they follow every change.
    [after] = session.apply([msg(type="set_knobs", bias_f=1.5, id=4)])
    assert {"gradients", "rnn"} <= set(after)


def test_exports_hold_the_gradients_whatever_the_page_shows() -> None:
    session = Session("long-memory")
    session.apply([msg(type="views", shown=WORKBENCH, id=1)])
    [reply] = session.apply([msg(type="export", format="trace.csv", id=2)])
    header = reply["content"].splitlines()[0].split(",")
    assert {"dL_dc", "dL_dh", "belt"} <= set(header)


def test_a_snapshot_follows_the_views_shown() -> None:
    session = Session("latch")
    [snapshot] = session.apply([msg(type="views", shown=WORKBENCH), msg(type="sync")])
    assert "gradients" not in snapshot
    [snapshot] = session.apply([msg(type="views", shown=["gates", "race"]), msg(type="sync")])
    assert "gradients" in snapshot and "rnn" in snapshot


def test_an_unknown_view_is_refused_naming_the_field() -> None:
    try:
        msg(type="views", shown=["belt", "sonar"])
    except ValidationError as err:
        assert err.errors()[0]["loc"][:2] == ("views", "shown")
    else:
        raise AssertionError("an unknown view was accepted")


def test_a_client_showing_some_units_gets_their_columns_only_and_exactly() -> None:
    session = Session("random-init")  # H = 4
    revision = session.revision
    [snapshot] = session.apply([msg(type="views", shown=WORKBENCH, units=[3, 1], id=1)])
    # Other columns for every step: a snapshot, under a new revision.
    assert (
        snapshot["type"] == "snapshot"
        and snapshot["revision"] == revision + 1
        and snapshot["units"] == [3, 1]
    )
    expected = full_results("random-init", get_scenario("random-init").x).trace
    for name, rows in snapshot["trace"].items():
        whole = getattr(expected, name)
        columns = whole if name == "x" else whole[:, [3, 1]]
        np.testing.assert_allclose(rows, columns, rtol=1e-6, atol=1e-7, err_msg=name)
    np.testing.assert_array_equal(snapshot["h0"], get_scenario("random-init").h0)  # always whole
    [frame] = session.apply([msg(type="set_input", t=7, j=1, value=-0.25, id=2)])
    assert frame["units"] == [3, 1] and frame["trace"]["c"].shape == (40 - 7, 2)
    x = get_scenario("random-init").x.copy()
    x[7, 1] = -0.25
    changed = full_results("random-init", x).trace
    np.testing.assert_allclose(frame["trace"]["c"], changed.c[7:, [3, 1]], rtol=1e-6, atol=1e-7)
    # Every unit again: a snapshot with every column.
    [whole] = session.apply([msg(type="views", shown=WORKBENCH, id=3)])
    assert whole["type"] == "snapshot" and whole["units"] is None and whole["trace"]["c"].shape == (40, 4)


def test_a_unit_the_model_does_not_have_is_refused_and_nothing_changes() -> None:
    session = Session("random-init")
    before = session.revision, session.serving
    [error] = session.apply([msg(type="views", shown=WORKBENCH, units=[0, 4], id=1)])
    assert error["type"] == "error" and error["field"] == "units" and error["code"] == "unit_out_of_range"
    assert (session.revision, session.serving) == before


def test_reopening_a_gradient_view_brings_them_again_even_if_the_results_held_them() -> None:
    session = Session("long-memory")  # computed with the gradients (every view shown at first)
    session.apply([msg(type="views", shown=WORKBENCH, id=1)])  # frames from now on carry none
    [frame] = session.apply([msg(type="views", shown=[*WORKBENCH, "race"], id=2)])
    assert frame["type"] == "frame" and {"gradients", "rnn"} <= set(frame)


def test_a_units_snapshot_encodes_as_json_too() -> None:
    session = Session("random-init")
    [snapshot] = session.apply([msg(type="views", shown=WORKBENCH, units=[2, 0], id=1)])
    assert orjson_loads(dumps(snapshot))["trace"]["h_prev"][0] == [float(v) for v in snapshot["h0"][[2, 0]]]
