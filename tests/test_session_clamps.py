"""Clamps: force a gate to a value for all units or one, see what it contributes, release it."""

from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from app.engine.backprop import lstm_backward
from app.engine.lstm import run
from app.messages import ClientMessage
from app.scenarios import get_scenario
from app.session import Session

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def test_clamping_f_to_1_and_i_to_0_freezes_the_belt_for_every_unit() -> None:
    session = Session()
    session.apply([msg(type="set_state", c0=[0.5, -0.25, 1.0])])
    [frame] = session.apply(
        [msg(type="set_clamp", gate="f", value=1.0), msg(type="set_clamp", gate="i", value=0.0)]
    )

    c = np.asarray(frame["trace"]["c"])
    np.testing.assert_allclose(c, np.tile([0.5, -0.25, 1.0], (40, 1)))
    assert frame["knobs"]["clamps"]["f"] == [1.0, 1.0, 1.0] and frame["knobs"]["clamps"]["i"] == [0.0] * 3
    assert frame["knobs"]["clamps"]["o"] == [None] * 3


def test_clamping_one_unit_matches_the_engine_with_that_clamp() -> None:
    session = Session()
    [frame] = session.apply([msg(type="set_clamp", gate="o", unit=2, value=1.0)])

    scenario = get_scenario("hold-and-release")
    clamp = np.full((4, 3), np.nan)
    clamp[3, 2] = 1.0
    trace = run(scenario.weights, scenario.x, clamp=clamp)
    grads = lstm_backward(scenario.weights, trace)
    np.testing.assert_allclose(frame["trace"]["h"], trace.h, atol=1e-12)
    np.testing.assert_allclose(frame["gradients"]["dL_dc"], grads.dL_dc, atol=1e-12)
    # Unit 2's memory now shows in h from the step it is written, not only at the release.
    assert np.asarray(frame["trace"]["h"])[10, 2] < -0.5


def test_releasing_every_clamp_restores_the_free_run() -> None:
    session = Session()
    free = session.snapshot()["trace"]["c"]
    session.apply([msg(type="set_clamp", gate="f", value=0.0)])
    session.apply([msg(type="set_clamp", gate="f", unit=1, value=None)])
    assert session.knobs.clamps[1] == (0.0, None, 0.0)
    [frame] = session.apply([msg(type="set_clamp", gate="f", value=None)])
    assert frame["knobs"]["clamps"] == {}
    np.testing.assert_allclose(frame["trace"]["c"], free)


def test_reset_releases_clamps() -> None:
    session = Session()
    session.apply([msg(type="set_clamp", gate="g", value=-0.5)])
    [snapshot] = session.apply([msg(type="reset")])
    assert snapshot["knobs"]["clamps"] == {}


def test_a_unit_out_of_range_is_rejected_and_changes_nothing() -> None:
    session = Session()
    [reply] = session.apply([msg(type="set_clamp", gate="f", unit=3, value=1.0)])
    assert reply["type"] == "error" and reply["field"] == "unit"
    assert session.knobs.clamps == () and session.revision == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"gate": "f", "value": -0.5},
        {"gate": "o", "value": 1.5},
        {"gate": "g", "value": -1.5},
        {"gate": "c", "value": 0.5},
        {"gate": "f"},
    ],
)
def test_values_outside_a_gates_range_are_invalid(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        msg(type="set_clamp", **fields)
