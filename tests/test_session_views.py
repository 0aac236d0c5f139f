"""The views a client shows (`views`): the gradients and the RNN foil are computed and sent only
while a view that shows them is on the page, and every frame stays exact either way."""

from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from app.computation import compute
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
        np.testing.assert_allclose(rows, getattr(expected, name)[3:], rtol=1e-6, atol=1e-7, err_msg=name)
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
