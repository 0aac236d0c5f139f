"""The explanation views in headless Chromium: the equations panel, the activation inset, the
five-step walk-through and the clamp markers.

Every number the equations panel shows is compared with an independent run of the engine on the
same scenario (with the same edit or clamp); the inset's points are read from its Plotly graph div.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.engine.activations import sigmoid
from app.engine.knobs import Knobs, lstm_weights
from app.engine.lstm import GATES, Trace, run
from app.scenarios import get_scenario
from tests.test_page import body_data, go_to_step, open_page, wait_for_new_revision
from tests.test_page_gradients import change

pytestmark = pytest.mark.browser

# The panel shows 4 decimals: half a unit in the last place, plus float noise.
TOLERANCE = 6e-5
SHOWN = (
    "pre_i", "pre_f", "pre_g", "pre_o", "i", "f", "g", "o",
    "c_prev", "kept", "added", "c", "tanh_c", "h",
)  # fmt: skip
MINUS = "\u2212"

# The walk-through's moves, and what each one marks: equation rows, readout columns, belt boxes.
MOVES = ("forget", "input", "update", "output", "pass")
NAMES = ("Forget", "Input", "Update", "Output", "Pass on")
EQUATION_ROWS = (
    {"f"},
    {"i", "g"},
    {"c-terms", "c"},
    {"o", "h-terms", "h"},
    {"pass"},
)
READOUT_COLUMNS = (
    {"c_prev", "f", "kept", "forgotten"},
    {"i", "g", "added"},
    {"kept", "added", "c"},
    {"c", "tanh_c", "o", "h"},
    {"c", "h"},
)

NUMBERS_JS = """([q, unit]) => [...document.querySelectorAll(
    `#equations [data-q="${q}"][data-unit="${unit}"]`)].map((node) => node.textContent)"""
MARKED_JS = """selector => [...document.querySelectorAll(selector)]
    .map((node) => node.dataset.eq || node.dataset.q)"""
SHAPE_NAMES_JS = """id => (document.getElementById(id).layout.shapes || [])
    .map((s) => s.name).filter(Boolean)"""
POINTS_JS = """() => Object.fromEntries(document.getElementById('activations').data.map((trace) => [
    trace.uid, {x: trace.x, y: trace.y, z: trace.customdata || null, text: trace.text || null}]))"""
CAPTIONS_JS = """async () => (await import('/static/js/i18n/en.js'))
    .default.walk.steps.map((s) => s.caption)"""


def as_number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def equation_numbers(page: Any, quantity: str, unit: int) -> list[float]:
    """Every number the equations panel shows for one quantity of one unit (it may appear twice)."""
    texts: list[str] = page.evaluate(NUMBERS_JS, [quantity, unit])
    return [as_number(text) for text in texts]


def show_unit(page: Any, unit: int, t: int) -> None:
    """Pick the equations' unit and the step, and wait until the panel shows them."""
    page.select_option("#eq-unit", str(unit))
    go_to_step(page, t)
    page.wait_for_selector(f"#equations[data-unit='{unit}'][data-step='{t}']")


def assert_equations_match(page: Any, trace: Trace, unit: int, t: int) -> None:
    for quantity in SHOWN:
        shown = equation_numbers(page, quantity, unit)
        expected = float(getattr(trace, quantity)[t, unit])
        assert shown, f"no number for {quantity} of unit {unit}"
        assert np.allclose(shown, expected, atol=TOLERANCE, rtol=0), (quantity, unit, t, shown, expected)


def marked(page: Any, selector: str) -> set[str]:
    names: list[str] = page.evaluate(MARKED_JS, selector)
    return set(names)


def shape_names(page: Any, chart: str) -> list[str]:
    names: list[str] = page.evaluate(SHAPE_NAMES_JS, chart)
    return names


def wait_for_walk(page: Any, move: str) -> None:
    page.wait_for_selector(f"body[data-walk='{move}']")


def test_equations_show_the_engines_numbers_after_a_slider_edit(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    open_page(page, server_url)
    go_to_step(page, 5)
    revision = body_data(page, "revision")
    page.locator("input.input-slider[data-j='0']").fill("0.8")
    wait_for_new_revision(page, revision)

    x = scenario.x.copy()
    x[5, 0] = 0.8
    edited = run(scenario.weights, x, scenario.h0, scenario.c0)
    for t in (5, 12):
        for unit in (0, 2):
            show_unit(page, unit, t)
            assert_equations_match(page, edited, unit, t)
            # The same digits as the readout table, which shows the same trace.
            for quantity in ("f", "c", "h"):
                cell = page.inner_text(f"#readout td[data-q='{quantity}'][data-unit='{unit}']")
                assert equation_numbers(page, quantity, unit)[0] == float(cell)
    assert "clamped" not in page.inner_text("#equations")
    # Rendered as MathML, one <math> per cell.
    assert page.locator("#equations math").count() > 10
    assert page.inner_text("#eq-caption") == "Equations of unit 2 at step t = 12"


def test_a_clamped_gate_says_so_and_the_numbers_follow_the_clamp(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    hidden = scenario.weights.hidden_size
    open_page(page, server_url)
    go_to_step(page, 10)
    page.select_option("#clamp-f-unit", "1")
    page.locator("#clamp-f-value").fill("0.3")  # not forced yet: nothing is sent
    change(page, lambda: page.check("#clamp-f-on"))

    clamp = Knobs().with_clamp("f", 1, 0.3, hidden).clamp_array()
    clamped = run(lstm_weights(scenario.weights, Knobs()), scenario.x, scenario.h0, scenario.c0, clamp)
    show_unit(page, 1, 10)
    row = page.inner_text("#equations tr[data-eq='f']")
    assert "clamped to 0.3000" in row
    assert page.locator("#equations tr[data-eq='f'].is-clamped").count() == 1
    assert_equations_match(page, clamped, 1, 10)
    # The pre-activation is still the computed one; the gate is the forced value.
    assert equation_numbers(page, "f", 1)[0] == 0.3
    assert clamped.pre_f[10, 1] == pytest.approx(equation_numbers(page, "pre_f", 1)[0], abs=TOLERANCE)

    show_unit(page, 0, 20)  # another unit is free, and says so
    assert "clamped" not in page.inner_text("#equations tr[data-eq='f']")
    assert_equations_match(page, clamped, 0, 20)

    # The markers: on the belt (gauge frame and label), on the heatmap row, on the readout cell.
    assert shape_names(page, "belt-backdrop").count("clamp-f-1") == 1
    assert "clamp-f-0" not in shape_names(page, "belt-backdrop")
    assert "clamped" in page.inner_text("#belt-labels")
    assert "clamp-f-1" in shape_names(page, "gates")
    assert "clamped 0.30" in page.inner_text("#gates")
    assert page.locator("#readout td[data-q='f'][data-unit='1'].is-clamped").count() == 1
    assert page.locator("#readout td.is-clamped").count() == 1

    change(page, lambda: page.uncheck("#clamp-f-on"))
    assert "clamp-f-1" not in shape_names(page, "belt-backdrop")
    assert "clamp-f-1" not in shape_names(page, "gates")


def assert_move(page: Any, n: int, captions: list[str]) -> None:
    """Move n (1..5) is on show: its position, caption and every highlight, and nothing else's."""
    move = MOVES[n - 1]
    wait_for_walk(page, move)
    assert page.inner_text("#walk-step") == f"{n} / 5 {NAMES[n - 1]}"
    assert page.is_visible("#walk-caption")
    assert page.inner_html("#walk-caption") == captions[n - 1]
    assert page.get_attribute("#belt", "data-walk") == move
    boxes = [name for name in shape_names(page, "belt-backdrop") if name.startswith("walk-")]
    assert boxes == [f"walk-{move}"] * 3  # one per lane
    assert marked(page, "#equations tr.is-walk") == EQUATION_ROWS[n - 1]
    assert marked(page, "#readout td.walk-hl") == READOUT_COLUMNS[n - 1]
    assert page.get_attribute(".five-steps li.is-current", "data-move") == str(n)


# Whether the first lane's box of a move lies within the belt's scrolling region, and the scroll.
WALK_BOX_IN_VIEW = """(move) => {
  const backdrop = document.getElementById("belt-backdrop");
  const index = backdrop.layout.shapes.findIndex((shape) => shape.name === `walk-${move}`);
  const box = backdrop.querySelector(`.shapelayer path[data-index="${index}"]`).getBoundingClientRect();
  const scroller = document.querySelector(".belt-scroll");
  const view = scroller.getBoundingClientRect();
  return [box.left >= view.left - 1 && box.right <= view.right + 1, scroller.scrollLeft];
}"""


def test_on_a_phone_the_walkthrough_brings_each_move_into_view(page: Any, server_url: str) -> None:
    """At 390 px the belt scrolls sideways; the boxes of the input, update, output and pass-on
    moves lay beyond its right edge, out of sight, until the page scrolls to each move's box."""
    page.emulate_media(reduced_motion="reduce")  # the scroll is then instant
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    page.click("#belt-heading")
    scrolls = []
    for n, move in enumerate(MOVES, start=1):
        page.keyboard.press(str(n))
        wait_for_walk(page, move)
        page.wait_for_function(f"({WALK_BOX_IN_VIEW})('{move}')[0]", timeout=3000)
        scrolls.append(page.evaluate(WALK_BOX_IN_VIEW, move)[1])
    assert scrolls[0] == 0 and scrolls[-1] > 0 and scrolls == sorted(scrolls)
    # A scroll the user makes within a move is theirs: the page does not pull it back.
    page.evaluate("document.querySelector('.belt-scroll').scrollLeft = 0")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("body[data-step='1']")
    assert page.evaluate("document.querySelector('.belt-scroll').scrollLeft") == 0


def test_the_walkthrough_plays_the_five_moves_by_key_and_button(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    captions: list[str] = page.evaluate(CAPTIONS_JS)
    go_to_step(page, 6)
    page.click("#belt-heading")  # focus leaves the scrubber
    assert page.inner_text("#walk-step") == "walk through"
    assert not page.is_visible("#walk-caption")

    for n in (1, 2, 3, 4, 5, 2):
        page.keyboard.press(str(n))
        assert_move(page, n, captions)
    assert body_data(page, "step") == "6"

    # Stepping in time keeps the move.
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("body[data-step='7']")
    assert_move(page, 2, captions)

    page.keyboard.press("Escape")
    wait_for_walk(page, "")
    assert not page.is_visible("#walk-caption")
    assert not [name for name in shape_names(page, "belt-backdrop") if name.startswith("walk-")]
    assert page.locator("#equations tr.is-walk, #readout .walk-hl, .five-steps li.is-current").count() == 0

    # The next button starts at move 1 and goes on; after "pass on" comes the next step's "forget".
    for n in range(1, 6):
        page.click("#walk-next")
        assert_move(page, n, captions)
    page.click("#walk-next")
    page.wait_for_selector("body[data-step='8']")
    assert_move(page, 1, captions)
    page.click("#walk-prev")
    page.wait_for_selector("body[data-step='7']")
    assert_move(page, 5, captions)

    # Typing a digit into a field is typing, not walking.
    page.fill("#gen-pulse-at", "")
    page.focus("#gen-pulse-at")
    page.keyboard.press("3")
    assert page.input_value("#gen-pulse-at") == "3"
    assert_move(page, 5, captions)

    page.click("#walk-exit")
    wait_for_walk(page, "")
    assert page.inner_text("#walk-step") == "walk through"


def expected_points(trace: Trace, t: int, unit: int) -> dict[str, tuple[float, float]]:
    """(z, value) of every point of the inset: the gates on σ or tanh, and c_t on tanh."""
    points = {
        gate: (float(getattr(trace, f"pre_{gate}")[t, unit]), float(getattr(trace, gate)[t, unit]))
        for gate in GATES
    }
    points["c"] = (float(trace.c[t, unit]), float(trace.tanh_c[t, unit]))
    return points


def assert_points(page: Any, trace: Trace, t: int, unit: int, limit: float) -> dict[str, Any]:
    shown: dict[str, Any] = page.evaluate(POINTS_JS)
    rel, tiny = 1e-6, 1e-9  # states and gates travel as float32 (docs/protocol.md)
    for name, (z, value) in expected_points(trace, t, unit).items():
        point = shown[f"point-{name}"]
        assert point["y"][0] == pytest.approx(value, rel=rel, abs=tiny), name
        assert point["z"][0] == pytest.approx(z, rel=rel, abs=tiny), name
        # Drawn at z, or at the edge of the sampled range when z lies beyond it.
        assert point["x"][0] == pytest.approx(float(np.clip(z, -limit, limit)), rel=rel, abs=tiny), name
    return shown


def test_the_activation_inset_puts_each_gate_at_its_pre_activation(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    show_unit(page, 1, 6)
    shown = assert_points(page, trace, 6, 1, 8.0)
    # The curves are the server's samples of σ and tanh.
    z = np.asarray(shown["curve-sigmoid"]["x"])
    assert z.min() == -8.0 and z.max() == 8.0
    assert np.allclose(shown["curve-sigmoid"]["y"], sigmoid(z), rtol=1e-12)
    assert np.allclose(shown["curve-tanh"]["y"], np.tanh(z), rtol=1e-12)
    # Every point lies on its curve (the server computed both).
    for name in ("i", "f", "o"):
        x, y = shown[f"point-{name}"]["x"][0], shown[f"point-{name}"]["y"][0]
        assert np.interp(x, z, shown["curve-sigmoid"]["y"]) == pytest.approx(y, abs=2e-3)

    # A forget-gate bias of +10 pushes z far past the range: drawn at the edge, labelled with z.
    change(page, lambda: page.locator("#knob-bias_f").fill("10"))
    pushed = run(lstm_weights(scenario.weights, Knobs(bias_f=10.0)), scenario.x, scenario.h0, scenario.c0)
    assert pushed.pre_f[6, 1] > 8
    shown = assert_points(page, pushed, 6, 1, 8.0)
    assert shown["point-f"]["x"][0] == 8.0
    assert shown["point-f"]["text"][0] == f"f → {pushed.pre_f[6, 1]:.1f}"
