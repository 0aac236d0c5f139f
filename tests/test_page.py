"""The page in headless Chromium: it draws, steps, plays, and shows the server's numbers.

The readout table is the page's own statement of what it shows, so the tests compare it with an
independent run of the engine on the same scenario and the same edited input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.engine.lstm import Trace, run
from app.scenarios import get_scenario

pytestmark = pytest.mark.browser

# The readout shows toFixed(4): half a unit in the last place, plus float noise.
TOLERANCE = 6e-5
CHECKED = ("c", "h", "f", "i", "kept", "added", "c_prev", "forgotten", "g", "o", "tanh_c")


def open_page(page: Any, server_url: str) -> None:
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")


def body_data(page: Any, name: str) -> str:
    value: str = page.evaluate(f"document.body.dataset.{name}")
    return value


def wait_for_step(page: Any, t: int) -> None:
    page.wait_for_selector(f"body[data-step='{t}']")


def wait_for_new_revision(page: Any, old: str) -> str:
    page.wait_for_function("old => document.body.dataset.revision !== old", arg=old)
    return body_data(page, "revision")


def readout(page: Any, quantity: str, units: int) -> list[float]:
    """The numbers the page shows for one quantity, unit by unit."""
    cells = (f"#readout td[data-q='{quantity}'][data-unit='{k}']" for k in range(units))
    return [float(page.inner_text(cell)) for cell in cells]


def readout_inputs(page: Any, inputs: int) -> list[float]:
    return [float(page.inner_text(f"#readout td[data-q='x'][data-j='{j}']")) for j in range(inputs)]


def assert_readout_matches(page: Any, trace: Trace, t: int) -> None:
    hidden = trace.h.shape[1]
    for quantity in CHECKED:
        shown = readout(page, quantity, hidden)
        expected = getattr(trace, quantity)[t]
        assert np.allclose(shown, expected, atol=TOLERANCE, rtol=0), (quantity, t, shown, expected)
    assert np.allclose(readout_inputs(page, trace.x.shape[1]), trace.x[t], atol=TOLERANCE, rtol=0)


def settle(page: Any) -> None:
    """Wait until the drawn step is the one the controls show (no draw pass still on its way)."""
    page.wait_for_function("document.body.dataset.step === document.getElementById('scrubber').value")


def go_to_step(page: Any, t: int) -> None:
    page.locator("#scrubber").fill(str(t))
    wait_for_step(page, t)


def test_page_draws_every_view_without_console_errors(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    for view in ("#belt", "#timeline", "#gates", "#inputs-chart"):
        assert page.locator(f"{view} .main-svg").count() > 0, f"{view} has no Plotly chart"
    assert page.inner_text("#scenario-title") == "Hold and release"
    assert "pulse" in page.inner_text("#scenario-description")
    assert "Connected" in page.inner_text("#status")
    assert body_data(page, "step") == "0"
    assert page.inner_text("#step-label") == "t = 0 / 39"
    assert page.locator("input.input-slider").count() == 2
    # The station labels of the belt are on the chart.
    belt_text = page.inner_text(".belt-stage")  # the chart and its backdrop and label layers
    for label in ("forget", "input", "tanh", "output"):
        assert label in belt_text


def test_stepping_with_button_and_keys_moves_the_step(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    page.click("#step-forward")
    wait_for_step(page, 1)
    page.locator("#belt").click(position={"x": 5, "y": 5})  # focus leaves the button
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 2)
    page.keyboard.press("ArrowLeft")
    wait_for_step(page, 1)
    page.keyboard.press("End")
    wait_for_step(page, 39)
    page.keyboard.press("Home")
    wait_for_step(page, 0)
    assert page.inner_text("#step-label") == "t = 0 / 39"


def test_arrow_keys_on_a_slider_move_the_slider_not_the_step(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    revision = body_data(page, "revision")
    page.focus("input.input-slider[data-j='0']")
    page.keyboard.press("ArrowRight")
    wait_for_new_revision(page, revision)
    assert body_data(page, "step") == "0"
    assert readout_inputs(page, 2)[0] == pytest.approx(0.01, abs=TOLERANCE)


def test_slider_edit_shows_the_engines_numbers_now_and_later(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    original = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    page.click("#step-forward")
    wait_for_step(page, 1)
    page.locator("#belt").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 2)
    assert_readout_matches(page, original, 2)

    revision = body_data(page, "revision")
    page.locator("input.input-slider[data-j='0']").fill("0.8")
    wait_for_new_revision(page, revision)
    assert body_data(page, "step") == "2"

    x = scenario.x.copy()
    x[2, 0] = 0.8
    edited = run(scenario.weights, x, scenario.h0, scenario.c0)
    assert_readout_matches(page, edited, 2)
    assert page.inner_text("input.input-slider[data-j='0'] ~ output") == "0.80"

    # A change at step 2 rides the belt: c at a later step differs from the unedited run.
    later = 12
    go_to_step(page, later)
    assert_readout_matches(page, edited, later)
    assert not np.allclose(readout(page, "c", 3), original.c[later], atol=1e-3)
    # ...while steps before the edit are untouched.
    go_to_step(page, 1)
    assert_readout_matches(page, edited, 1)
    assert np.allclose(edited.c[1], original.c[1])


def test_play_advances_and_pause_stops(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    page.locator("#speed").fill("4")
    page.click("#play")
    page.wait_for_selector("#play[aria-pressed='true']")
    page.wait_for_function("Number(document.body.dataset.step) >= 3")
    page.click("#play")
    page.wait_for_selector("#play[aria-pressed='false']")
    settle(page)
    stopped = body_data(page, "step")
    page.wait_for_timeout(800)  # four steps' worth at 4×: a running player would have moved on
    assert body_data(page, "step") == stopped


def test_play_stops_at_the_last_step(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    go_to_step(page, 36)
    page.locator("#speed").fill("4")
    page.click("#play")
    wait_for_step(page, 39)
    page.wait_for_selector("#play[aria-pressed='false']")


def test_generator_rewrites_the_input_sequence(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    open_page(page, server_url)
    go_to_step(page, 10)
    revision = body_data(page, "revision")
    page.select_option("#gen-kind", "constant")
    page.select_option("#gen-component", "0")
    page.fill("#gen-constant-value", "0.5")
    page.click("#gen-apply")
    wait_for_new_revision(page, revision)

    x = scenario.x.copy()
    x[:, 0] = 0.5
    expected = run(scenario.weights, x, scenario.h0, scenario.c0)
    assert readout_inputs(page, 2) == pytest.approx([0.5, 0.0], abs=TOLERANCE)
    assert_readout_matches(page, expected, 10)
    go_to_step(page, 30)
    assert_readout_matches(page, expected, 30)


def test_rejected_generator_shows_the_field_in_status(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    page.select_option("#gen-kind", "sine")
    page.fill("#gen-sine-period", "0.5")
    page.click("#gen-apply")
    page.wait_for_selector("#status.status-error")
    assert "sequence.period" in page.inner_text("#status")


def test_loading_a_scenario_redraws_with_its_sizes(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    revision = body_data(page, "revision")
    page.select_option("#scenario", "random-init")
    wait_for_new_revision(page, revision)
    scenario = get_scenario("random-init")
    expected = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    assert page.inner_text("#scenario-title") == scenario.title
    assert page.locator("#readout td[data-q='c']").count() == expected.c.shape[1]
    assert_readout_matches(page, expected, 0)

    revision = body_data(page, "revision")
    page.click("#reset")
    wait_for_new_revision(page, revision)
    assert page.inner_text("#scenario-title") == scenario.title


def test_clicking_a_step_on_the_timeline_jumps_there(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    page.locator("#timeline").scroll_into_view_if_needed()
    plot = page.locator("#timeline .nsewdrag").first.bounding_box()
    assert plot is not None
    x, y = plot["x"] + plot["width"] * 0.3, plot["y"] + plot["height"] * 0.5
    page.mouse.move(x - 4, y)
    page.mouse.move(x, y)  # Plotly picks the step under the pointer on hover
    page.mouse.click(x, y)
    page.wait_for_function("Number(document.body.dataset.step) > 0")
    settle(page)
    step = int(body_data(page, "step"))
    assert 5 <= step <= 20  # 30 % of the way along 40 steps
    assert page.inner_text("#step-label") == f"t = {step} / 39"


# Feeds state.js two frames it must refuse: one on a base it does not hold, one already superseded.
REFUSED_FRAMES_JS = """async () => {
    const { applyFrame, state } = await import('/static/js/state.js');
    const held = state.revision;
    const c = state.trace.c[3][0];
    const rows = {};
    for (const name of Object.keys(state.trace)) rows[name] = state.trace[name].slice(3);
    rows.c = rows.c.map((row) => row.map(() => 99));
    const frame = (revision, base) => ({ type: 'frame', revision, base, ack: null, start: 3, trace: rows });
    return {
        otherBase: applyFrame(frame(held + 2, held + 1)),
        superseded: applyFrame(frame(held, held - 1)),
        revisionKept: state.revision === held,
        traceKept: state.trace.c[3][0] === c,
    };
}"""


def test_frames_that_do_not_build_on_the_held_revision_are_not_applied(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    results = page.evaluate(REFUSED_FRAMES_JS)
    assert results["otherBase"] == "out-of-sync"
    assert results["superseded"] == "superseded"
    assert results["revisionKept"] and results["traceKept"]
