"""The page in headless Chromium: it draws, steps, plays, and shows the server's numbers.

The numbers dive (#readout) is the page's own statement of what it shows, so the tests compare it
with an independent run of the engine on the same scenario and the same edited input; the
workbench's belt (its number labels) and belt over time (the columns it drew, `el.drawn`) are held
to the same run.

Helpers other test files use: open_page, body_data, wait_for_step, wait_for_new_revision, settle,
go_to_step, redrawn, show_dive, show_lab, readout, readout_inputs, assert_readout_matches,
belt_labels, belt_numbers, assert_belt_matches.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from app.engine.lstm import Trace, run
from app.scenarios import SCENARIOS, get_scenario
from tests.helpers import record_sent_messages

pytestmark = pytest.mark.browser

# The readout shows toFixed(4): half a unit in the last place, plus float noise.
TOLERANCE = 6e-5
# The belt's labels show 3 decimals.
BELT_TOLERANCE = 5e-4 + 1e-6
# Every gate's pre-activation and its three parts (from x_t, from h_{t-1}, the bias).
PRE_ACTIVATIONS = tuple(f"pre_{q}{part}" for q in "ifgo" for part in ("", "_x", "_h", "_b"))
CHECKED = (
    "h_prev", "c_prev", *PRE_ACTIVATIONS, "f", "i", "g", "o",
    "kept", "forgotten", "added", "c", "tanh_c", "h",
)  # fmt: skip
# The quantities the belt labels for each unit (data-q of its number labels).
BELT_QUANTITIES = ("h_prev", "c_prev", "f", "i", "g", "o", "kept", "forgotten", "added", "c", "tanh_c", "h")
MINUS = "\u2212"
OPEN_STEP = get_scenario("hold-and-release").open_step


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


def redrawn(page: Any, action: str, arg: Any = None) -> None:
    """Run `action` (a JavaScript function of one argument that changes what the page looks at) and
    wait until a drawing pass begun after it is complete.

    Every complete pass writes body[data-ready]="true", even when the step and revision it stamps
    are the ones already there, and every request for a pass takes it off; the watcher is set up in
    the same task as the action, and a pass still on its way when the action asks for another never
    stamps (painter.js), so the "true" waited for is the new pass's."""
    page.evaluate(
        "(arg) => { window.__redrawn = false;"
        " const watcher = new MutationObserver(() => {"
        " if (document.body.dataset.ready !== 'true') return;"
        " window.__redrawn = true; watcher.disconnect(); });"
        " watcher.observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });"
        f" ({action})(arg); }}",
        arg,
    )
    page.wait_for_function("window.__redrawn === true")


def show_dive(page: Any, dive: str) -> None:
    """Open one deep dive by its tab (without scrolling the page) and wait until it is drawn: only
    the open dive's views are drawn, so its numbers and charts are current from then on."""
    redrawn(page, "(dive) => document.getElementById(`dive-tab-${dive}`).click()", dive)
    assert page.evaluate(f"!document.getElementById('dive-{dive}').hidden"), dive


def show_lab(page: Any, tab: str) -> None:
    """Open one of the lab's tabs beside the belt ("knobs", "clamps", "state"): a control on a
    hidden tab can be neither seen nor clicked."""
    redrawn(page, "(tab) => document.getElementById(`lab-tab-${tab}`).click()", tab)
    assert page.evaluate(f"!document.getElementById('lab-{tab}').hidden"), tab


# Every cell of the numbers dive, by quantity: the units' (data-unit) or the inputs' (data-j)
# texts in order, and the caption (which names the step).
READOUT_JS = """() => {
  const cells = {};
  for (const td of document.querySelectorAll('#readout td[data-q]')) {
    const index = Number(td.dataset.unit ?? td.dataset.j);
    (cells[td.dataset.q] ||= [])[index] = td.textContent;
  }
  const caption = document.querySelector('#readout table.readout-units caption');
  return { cells, caption: caption ? caption.textContent : null };
}"""


def readout_table(page: Any) -> tuple[dict[str, list[float]], str]:
    """Every number of the numbers dive, by quantity, and its caption; opens the dive first (and
    leaves it open) when another one is open."""
    if page.evaluate("document.getElementById('dive-numbers').hidden"):
        show_dive(page, "numbers")
    shown: dict[str, Any] = page.evaluate(READOUT_JS)
    cells = {q: [float(text) for text in texts] for q, texts in shown["cells"].items()}
    return cells, str(shown["caption"])


def readout(page: Any, quantity: str, units: int) -> list[float]:
    """The numbers the page shows for one quantity, unit by unit (from the numbers dive)."""
    values = readout_table(page)[0][quantity]
    assert len(values) >= units, (quantity, values)
    return values[:units]


def readout_inputs(page: Any, inputs: int) -> list[float]:
    values = readout_table(page)[0]["x"]
    assert len(values) == inputs, values
    return values


def assert_readout_matches(page: Any, trace: Trace, t: int) -> None:
    """The numbers dive shows step t of `trace`: every quantity of every unit, and the inputs."""
    cells, caption = readout_table(page)
    assert re.search(rf"t = {t}\D", caption), (t, caption)
    hidden = trace.h.shape[1]
    for quantity in CHECKED:
        shown = cells[quantity]
        expected = getattr(trace, quantity)[t]
        assert len(shown) == hidden, (quantity, shown)
        assert np.allclose(shown, expected, atol=TOLERANCE, rtol=0), (quantity, t, shown, expected)
    assert np.allclose(cells["x"], trace.x[t], atol=TOLERANCE, rtol=0), (t, cells["x"], trace.x[t])


def settle(page: Any) -> None:
    """Wait until the drawn step is the one the controls show (no draw pass still on its way)."""
    page.wait_for_function("document.body.dataset.step === document.getElementById('scrubber').value")


def go_to_step(page: Any, t: int) -> None:
    page.locator("#scrubber").fill(str(t))
    wait_for_step(page, t)


# The belt's number labels on show: quantity, unit, text as read, and whether the walk-through dims it.
BELT_LABELS_JS = """() => [...document.querySelectorAll('#belt .view-label[data-q]')]
  .filter((el) => !el.hidden)
  .map((el) => ({ q: el.dataset.q, unit: Number(el.dataset.unit), text: el.innerText,
    dim: el.classList.contains('dim') }))"""


def belt_labels(page: Any) -> list[dict[str, Any]]:
    """The belt's number labels on show: {q, unit, text, dim} each."""
    labels: list[dict[str, Any]] = page.evaluate(BELT_LABELS_JS)
    return labels


def label_number(text: str) -> float:
    """The number a belt label shows: its last word, with a real minus sign."""
    return float(text.split()[-1].replace(MINUS, "-"))


def belt_numbers(page: Any) -> dict[tuple[str, int], float]:
    """The number of each (quantity, unit) the belt labels; each appears once."""
    labels = belt_labels(page)
    numbers = {(label["q"], label["unit"]): label_number(label["text"]) for label in labels}
    assert len(numbers) == len(labels), labels
    return numbers


def assert_belt_matches(page: Any, trace: Trace, t: int, units: list[int]) -> None:
    """The belt shows exactly these units, each with every one of its numbers from step t of `trace`."""
    numbers = belt_numbers(page)
    assert sorted({unit for _, unit in numbers}) == units, numbers
    for k in units:
        for quantity in BELT_QUANTITIES:
            shown = numbers[(quantity, k)]
            expected = float(getattr(trace, quantity)[t, k])
            where = (quantity, k, t)
            assert shown == pytest.approx(expected, abs=BELT_TOLERANCE, rel=0), (where, shown, expected)


# How much of the belt's canvas is painted (pixels with any opacity), and its size.
PAINTED_JS = """() => {
  const canvas = document.querySelector('#belt .canvas-stage canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let n = 3; n < data.length; n += 4) if (data[n] > 0) painted += 1;
  return { painted, pixels: canvas.width * canvas.height };
}"""


def test_page_draws_every_view_at_the_scenarios_opening_step_without_console_errors(
    page: Any, server_url: str
) -> None:
    """The first screen: the workbench's belt and belt over time at hold-and-release's opening step
    (t = 5, the pulse), the open deep dive's chart, the scenario's words and the controls."""
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    assert OPEN_STEP == 5
    assert body_data(page, "step") == str(OPEN_STEP)
    assert page.inner_text("#step-label") == f"t = {OPEN_STEP} / 39"
    assert page.inner_text("#scenario-title") == "Hold and release"
    assert "pulse" in page.text_content("#scenario-description")
    assert page.inner_text("#scenario-prompt") == scenario.prompt
    assert "Connected" in page.inner_text("#status")
    assert page.locator("input.input-slider").count() == 2

    # The belt: painted, every lane at this size, each number the engine's.
    painted = page.evaluate(PAINTED_JS)
    assert painted["painted"] > 0.05 * painted["pixels"], painted
    assert page.get_attribute("#belt", "data-lanes") == "0-2"
    assert_belt_matches(page, trace, OPEN_STEP, [0, 1, 2])
    belt_text = page.inner_text("#belt")  # the stations' headers and the labels
    for label in ("forget", "input", "tanh", "output"):
        assert label in belt_text
    # The belt over time: the same lanes, every step, the current one marked.
    drawn = page.evaluate(
        "(({ units, T, t }) => ({ units, T, t }))(document.getElementById('timeline').drawn)"
    )
    assert drawn == {"units": [0, 1, 2], "T": 40, "t": OPEN_STEP}
    # The open deep dive (equations) draws its Plotly chart.
    assert page.locator("#activations .main-svg").count() > 0


def test_each_scenario_opens_at_its_own_step_from_the_menu_and_on_reset(page: Any, server_url: str) -> None:
    """A scenario opens where something happens: the step its GET /api/scenarios/{name} names as
    open_step (and its open_unit on the belt), whether loaded from the menu or reset after stepping
    away."""
    open_page(page, server_url)
    name = ""
    for name in SCENARIOS:
        described = page.request.get(f"{server_url}/api/scenarios/{name}").json()
        open_step, steps = described["open_step"], len(described["x"])
        assert open_step == get_scenario(name).open_step
        go_to_step(page, 1)  # a step no scenario opens at
        revision = body_data(page, "revision")
        page.select_option("#scenario", name)
        wait_for_new_revision(page, revision)
        assert body_data(page, "step") == str(open_step), name
        assert page.input_value("#scrubber") == str(open_step), name
        assert page.inner_text("#step-label") == f"t = {open_step} / {steps - 1}", name
        # ... and on its unit: the belt's lanes and the equations' unit include it.
        unit = get_scenario(name).open_unit
        first, last = (int(k) for k in page.get_attribute("#belt", "data-lanes").split("-"))
        assert first <= unit <= last, (name, unit)
        assert page.input_value("#eq-unit") == str(unit), name

    # Reset, after stepping away, opens the scenario on show (the last one loaded) at its step.
    go_to_step(page, 1)
    revision = body_data(page, "revision")
    page.click("#reset")
    wait_for_new_revision(page, revision)
    assert body_data(page, "step") == str(get_scenario(name).open_step)


def test_stepping_with_button_and_keys_moves_the_step(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    page.click("#step-forward")
    wait_for_step(page, OPEN_STEP + 1)
    page.locator("#belt").click(position={"x": 5, "y": 5})  # focus leaves the button
    page.keyboard.press("ArrowRight")
    wait_for_step(page, OPEN_STEP + 2)
    page.keyboard.press("ArrowLeft")
    wait_for_step(page, OPEN_STEP + 1)
    page.keyboard.press("End")
    wait_for_step(page, 39)
    page.keyboard.press("Home")
    wait_for_step(page, 0)
    assert page.inner_text("#step-label") == "t = 0 / 39"


# A key is drawn in its own task (painter.js, `now`): when dispatchEvent returns, the workbench
# already shows the new step, so the very next frame paints it.
KEY_THEN_SHOWN = """(key) => {
  document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
  return [document.body.dataset.shownStep, document.getElementById("step-label").textContent];
}"""


def test_a_step_key_is_drawn_before_the_next_frame(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    settle(page)
    shown, label = page.evaluate(KEY_THEN_SHOWN, "ArrowRight")
    assert (shown, label) == (str(OPEN_STEP + 1), f"t = {OPEN_STEP + 1} / 39")
    settle(page)
    assert_belt_matches(page, trace, OPEN_STEP + 1, [0, 1, 2])
    shown, _ = page.evaluate(KEY_THEN_SHOWN, "End")
    assert shown == "39"


def test_arrow_keys_on_a_slider_move_the_slider_not_the_step(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    go_to_step(page, 0)  # the signal input is 0 here
    revision = body_data(page, "revision")
    page.focus("input.input-slider[data-j='0']")
    page.keyboard.press("ArrowRight")
    wait_for_new_revision(page, revision)
    assert body_data(page, "step") == "0"
    assert readout_inputs(page, 2)[0] == pytest.approx(0.01, abs=TOLERANCE)


def test_slider_edit_shows_the_engines_numbers_now_and_later(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    original = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    sent = record_sent_messages(page)
    open_page(page, server_url)
    go_to_step(page, 0)
    page.click("#step-forward")
    wait_for_step(page, 1)
    page.locator("#belt").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 2)
    assert_readout_matches(page, original, 2)

    revision = body_data(page, "revision")
    syncs = sum(message["type"] == "sync" for message in sent)
    page.locator("input.input-slider[data-j='0']").fill("0.8")
    wait_for_new_revision(page, revision)
    assert body_data(page, "step") == "2"

    x = scenario.x.copy()
    x[2, 0] = 0.8
    # The frame carried one row of x (docs/protocol.md, x_end): the page spliced it in, and holds
    # the whole sequence, without asking for a snapshot
    assert sum(message["type"] == "sync" for message in sent) == syncs
    held = page.evaluate("import('/static/js/state.js').then(({ state }) => state.trace.x)")
    np.testing.assert_array_equal(held, x)
    edited = run(scenario.weights, x, scenario.h0, scenario.c0)
    assert_readout_matches(page, edited, 2)
    assert_belt_matches(page, edited, 2, [0, 1, 2])
    assert page.inner_text("input.input-slider[data-j='0'] ~ output") == "0.80"

    # A change at step 2 rides the belt: c at a later step differs from the unedited run.
    later = 12
    go_to_step(page, later)
    assert_readout_matches(page, edited, later)
    assert_belt_matches(page, edited, later, [0, 1, 2])
    assert not np.allclose(readout(page, "c", 3), original.c[later], atol=1e-3)
    # ...while steps before the edit are untouched.
    go_to_step(page, 1)
    assert_readout_matches(page, edited, 1)
    assert np.allclose(edited.c[1], original.c[1])


def test_play_advances_and_pause_stops(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    go_to_step(page, 0)
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
    show_dive(page, "files")  # the generator lives in the files dive
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
    show_dive(page, "files")
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
    hidden = expected.c.shape[1]
    assert hidden == 4
    assert page.inner_text("#scenario-title") == scenario.title
    assert body_data(page, "step") == str(scenario.open_step)
    # Every unit on the belt and on the belt over time, and a column per unit in the numbers.
    assert page.get_attribute("#belt", "data-lanes") == f"0-{hidden - 1}"
    assert_belt_matches(page, expected, scenario.open_step, list(range(hidden)))
    assert page.evaluate("document.getElementById('timeline').drawn.units") == list(range(hidden))
    assert_readout_matches(page, expected, scenario.open_step)
    assert page.locator("#readout td[data-q='c']").count() == hidden

    go_to_step(page, 1)
    revision = body_data(page, "revision")
    page.click("#reset")
    wait_for_new_revision(page, revision)
    assert page.inner_text("#scenario-title") == scenario.title
    assert body_data(page, "step") == str(scenario.open_step)


# The plot area of the belt over time (timeline.js): from x = 58 px to the width less 46 px.
PLOT_LEFT, PLOT_RIGHT = 58, 46


def test_clicking_a_step_on_the_timeline_jumps_there(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    page.locator("#timeline").scroll_into_view_if_needed()
    box = page.locator("#timeline").bounding_box()
    assert box is not None
    width = int(
        page.evaluate("Math.floor(document.getElementById('timeline').getBoundingClientRect().width)")
    )
    plot = width - PLOT_LEFT - PLOT_RIGHT
    expected = 12  # about 30 % of the way along 40 steps: the middle of its column
    x, y = box["x"] + PLOT_LEFT + plot * (expected + 0.5) / 40, box["y"] + box["height"] * 0.5
    page.mouse.move(x - 4, y)
    page.mouse.move(x, y)  # hovering reads the step under the pointer
    tip = page.locator("#timeline .view-tip")
    assert tip.is_visible() and tip.inner_text().startswith(f"step {expected}"), tip.inner_text()
    page.mouse.click(x, y)
    wait_for_step(page, expected)
    settle(page)
    assert page.inner_text("#step-label") == f"t = {expected} / 39"
    assert page.evaluate("document.getElementById('timeline').drawn.t") == expected


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
