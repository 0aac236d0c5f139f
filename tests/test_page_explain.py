"""The explanation views in headless Chromium: the equations dive, the activation inset, the
five-move walk-through and the clamp markers.

Every number the equations show (each gate's pre-activation in its three parts too) is compared
with an independent run of the engine on the same scenario (with the same edit or clamp); the
inset's points are read from its Plotly graph div; what the belt draws on its canvas (a clamp's
badge, the walk-through's boxes) is read from the SVG it saves, which holds the same shapes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest

from app.engine.activations import sigmoid
from app.engine.knobs import Knobs, lstm_weights
from app.engine.lstm import GATES, Trace, run
from app.scenarios import get_scenario
from tests.test_page import (
    belt_labels,
    body_data,
    go_to_step,
    open_page,
    readout,
    redrawn,
    show_dive,
    show_lab,
    wait_for_new_revision,
)
from tests.test_page_gradients import change

pytestmark = pytest.mark.browser

# The panel shows 4 decimals: half a unit in the last place, plus float noise.
TOLERANCE = 6e-5
PARTS = ("x", "h", "b")  # a pre-activation's parts: from x_t, from h_{t-1}, the bias
SHOWN = (
    "pre_i", "pre_f", "pre_g", "pre_o", *(f"pre_{q}_{part}" for q in GATES for part in PARTS),
    "i", "f", "g", "o", "c_prev", "kept", "added", "c", "tanh_c", "h",
)  # fmt: skip
MINUS = "\u2212"
SVG = "{http://www.w3.org/2000/svg}"

# The walk-through's moves, and what each one marks: equation rows, the numbers dive's rows, and
# the belt's number labels left undimmed.
MOVES = ("forget", "input", "update", "output", "pass")
NAMES = ("Forget", "Input", "Update", "Output", "Pass on")
EQUATION_ROWS = (
    {"f"},
    {"i", "g"},
    {"c-terms", "c"},
    {"o", "h-terms", "h"},
    {"pass"},
)
READOUT_ROWS = (
    {"c_prev", "f", "kept", "forgotten"},
    {"i", "g", "added"},
    {"kept", "added", "c"},
    {"c", "tanh_c", "o", "h"},
    {"c", "h"},
)
# h_{t-1} feeds every gate: the forget, input and output moves all use it.
FEEDS_GATES: tuple[set[str], ...] = ({"h_prev"}, {"h_prev"}, set(), {"h_prev"}, set())
BELT_LABELS = tuple(rows | feeds for rows, feeds in zip(READOUT_ROWS, FEEDS_GATES, strict=True))
# The walk-through's box around a move's stations (belt-scene.js: tinted, outlined in STEP_MARK):
# one per lane, two for "pass on" (the belt's end and h_t's branch).
WALK_FILL = "rgba(242, 161, 95, 0.16)"
WALK_BOXES = (1, 1, 1, 1, 2)

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
TABLE_ROWS_JS = "[...document.querySelectorAll('#readout td[data-q][data-unit]')].map((td) => td.dataset.q)"
PICK_UNIT_JS = """(unit) => {
  const menu = document.getElementById('eq-unit');
  menu.value = String(unit);
  menu.dispatchEvent(new Event('change', { bubbles: true }));
}"""


def as_number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def equation_numbers(page: Any, quantity: str, unit: int) -> list[float]:
    """Every number the equations panel shows for one quantity of one unit (it may appear twice)."""
    texts: list[str] = page.evaluate(NUMBERS_JS, [quantity, unit])
    return [as_number(text) for text in texts]


def show_unit(page: Any, unit: int, t: int) -> None:
    """Open the equations dive, pick its unit (as the menu's change does) and the step, and wait
    until the dive, its inset included, shows them."""
    if page.evaluate("document.getElementById('dive-equations').hidden"):
        show_dive(page, "equations")
    redrawn(page, PICK_UNIT_JS, unit)
    go_to_step(page, t)
    page.wait_for_selector(f"#equations[data-unit='{unit}'][data-step='{t}']")


def assert_equations_match(page: Any, trace: Trace, unit: int, t: int) -> None:
    for quantity in SHOWN:
        shown = equation_numbers(page, quantity, unit)
        expected = float(getattr(trace, quantity)[t, unit])
        assert shown, f"no number for {quantity} of unit {unit}"
        assert np.allclose(shown, expected, atol=TOLERANCE, rtol=0), (quantity, unit, t, shown, expected)
    # Each gate's row reads σ(x-part + h-part + bias): its three parts are MathML numbers.
    for q in GATES:
        for part in PARTS:
            selector = f"#equations tr[data-eq='{q}'] mn[data-q='pre_{q}_{part}'][data-unit='{unit}']"
            assert page.locator(selector).count() == 1, selector


def marked(page: Any, selector: str) -> set[str]:
    names: list[str] = page.evaluate(MARKED_JS, selector)
    return set(names)


def shape_names(page: Any, chart: str) -> list[str]:
    names: list[str] = page.evaluate(SHAPE_NAMES_JS, chart)
    return names


def wait_for_walk(page: Any, move: str) -> None:
    page.wait_for_selector(f"body[data-walk='{move}']")


def belt_svg(page: Any) -> ET.Element:
    """The belt as its SVG button saves it: the shapes on its canvas and its labels."""
    with page.expect_download() as download:
        page.evaluate("document.querySelector('#belt-tools button[data-export=svg]').click()")
    assert download.value.suggested_filename == "belt.svg"
    return ET.fromstring(download.value.path().read_text())


def clamp_badges(svg: ET.Element) -> list[float]:
    """The y of each "clamped" badge the belt draws over a gate's feed bar."""
    return [
        float(node.get("y", "nan"))
        for node in svg.iter(f"{SVG}text")
        if "".join(node.itertext()) == "clamped"
    ]


def walk_boxes(svg: ET.Element) -> int:
    """How many walk-through boxes the belt draws (tinted and outlined; a gate's row is only tinted)."""
    return sum(1 for node in svg.iter(f"{SVG}rect") if node.get("fill") == WALK_FILL and node.get("stroke"))


def lanes(page: Any) -> list[int]:
    first, last = map(int, page.get_attribute("#belt", "data-lanes").split("-"))
    return list(range(first, last + 1))


def undimmed(page: Any) -> dict[int, set[str]]:
    """Per unit on the belt, the number labels the walk-through leaves undimmed."""
    shown: dict[int, set[str]] = {}
    for label in belt_labels(page):
        shown.setdefault(label["unit"], set())
        if not label["dim"]:
            shown[label["unit"]].add(label["q"])
    return shown


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
            # The same digits as the numbers dive, which shows the same trace.
            shown = {
                quantity: equation_numbers(page, quantity, unit)[0] for quantity in ("f", "c", "h", "pre_f_h")
            }
            for quantity, number in shown.items():
                assert number == readout(page, quantity, 3)[unit], quantity
    show_dive(page, "equations")
    assert "clamped" not in page.inner_text("#equations")
    # Rendered as MathML, one <math> per cell.
    assert page.locator("#equations math").count() > 10
    assert page.inner_text("#eq-caption") == "Equations of unit 2 at step t = 12"


def test_a_clamped_gate_says_so_and_the_numbers_follow_the_clamp(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    hidden = scenario.weights.hidden_size
    open_page(page, server_url)
    go_to_step(page, 10)
    show_lab(page, "clamps")
    page.select_option("#clamp-f-unit", "1")
    show_dive(page, "gates")  # its heatmap is drawn before the answer's revision is stamped
    # Moving a clamp's slider forces its gate, and ticks its box.
    change(page, lambda: page.locator("#clamp-f-value").fill("0.3"))
    assert page.is_checked("#clamp-f-on")

    clamp = Knobs().with_clamp("f", 1, 0.3, hidden).clamp_array()
    clamped = run(lstm_weights(scenario.weights, Knobs()), scenario.x, scenario.h0, scenario.c0, clamp)
    # The markers: on the heatmap row, on the belt (a badge over unit 1's forget bar), on the cell.
    assert "clamp-f-1" in shape_names(page, "gates")
    assert "clamp-f-0" not in shape_names(page, "gates")
    assert "clamped 0.30" in page.inner_text("#gates")
    forget_row = page.evaluate(
        "parseFloat(document.querySelector(\"#belt .view-label[data-q='f'][data-unit='1']\").style.top)"
    )
    badges = clamp_badges(belt_svg(page))
    assert len(badges) == 1 and badges[0] == pytest.approx(forget_row, abs=1), (badges, forget_row)
    assert readout(page, "f", hidden) == pytest.approx(
        [clamped.f[10, 0], 0.3, clamped.f[10, 2]], abs=TOLERANCE
    )
    assert page.locator("#readout td[data-q='f'][data-unit='1'].is-clamped").count() == 1
    assert page.locator("#readout td.is-clamped").count() == 1

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

    show_dive(page, "gates")
    change(page, lambda: page.uncheck("#clamp-f-on"))
    assert "clamp-f-1" not in shape_names(page, "gates")
    assert clamp_badges(belt_svg(page)) == []


def assert_move(page: Any, n: int, captions: list[str]) -> None:
    """Move n (1..5) is on show: its position, caption and every highlight, and nothing else's."""
    move = MOVES[n - 1]
    wait_for_walk(page, move)
    assert page.inner_text("#walk-step") == f"{n} / 5 {NAMES[n - 1]}"
    assert page.is_visible("#walk-caption")
    assert page.inner_html("#walk-caption") == captions[n - 1]
    assert page.get_attribute("#belt", "data-walk") == move
    assert page.get_attribute("#walk", "data-walk") == move
    shown = lanes(page)
    assert undimmed(page) == {k: BELT_LABELS[n - 1] for k in shown}
    assert walk_boxes(belt_svg(page)) == WALK_BOXES[n - 1] * len(shown)
    show_dive(page, "equations")
    assert marked(page, "#equations tr.is-walk") == EQUATION_ROWS[n - 1]
    show_dive(page, "numbers")
    # h_{t-1}'s row: see test_the_walkthrough_marks_the_same_quantities_on_the_belt_and_in_the_numbers.
    assert marked(page, "#readout td.walk-hl") - {"h_prev"} == READOUT_ROWS[n - 1]


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
    assert walk_boxes(belt_svg(page)) == 0
    assert page.locator("#belt .view-label.dim").count() == 0
    assert page.locator("#readout .walk-hl").count() == 0
    show_dive(page, "equations")
    assert page.locator("#equations tr.is-walk").count() == 0

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
    show_dive(page, "files")
    page.fill("#gen-pulse-at", "")
    page.focus("#gen-pulse-at")
    page.keyboard.press("3")
    assert page.input_value("#gen-pulse-at") == "3"
    assert_move(page, 5, captions)

    page.click("#walk-exit")
    wait_for_walk(page, "")
    assert page.inner_text("#walk-step") == "walk through"


def test_the_walkthrough_marks_the_same_quantities_on_the_belt_and_in_the_numbers(
    page: Any, server_url: str
) -> None:
    """One cursor for every view: in each move the numbers dive marks the rows of exactly the
    quantities the belt leaves undimmed (h_{t-1}, which feeds every gate, in the forget, input and
    output moves)."""
    open_page(page, server_url)
    show_dive(page, "numbers")
    page.click("#belt-heading")
    table = set(page.evaluate(TABLE_ROWS_JS))
    for n, move in enumerate(MOVES, start=1):
        page.keyboard.press(str(n))
        wait_for_walk(page, move)
        on_belt = undimmed(page)[0]
        assert on_belt == BELT_LABELS[n - 1]
        assert marked(page, "#readout td.walk-hl") == on_belt & table, move


# The belt's number labels of the walk-through's move (not dimmed) that reach past the window's
# sides, and how wide the page scrolls.
MOVE_IN_VIEW = """() => {
  const labels = [...document.querySelectorAll('#belt .view-label[data-q]:not(.dim)')]
    .filter((el) => !el.hidden);
  const out = labels.filter((el) => {
    const r = el.getBoundingClientRect();
    return r.left < 0 || r.right > window.innerWidth;
  }).map((el) => el.dataset.q);
  return { shown: labels.map((el) => el.dataset.q), out,
    scrolls: document.scrollingElement.scrollWidth > window.innerWidth };
}"""


def test_on_a_phone_each_moves_labels_lie_inside_the_window(page: Any, server_url: str) -> None:
    """At 390 px the belt shows one unit whole (no sideways scroll): the numbers each move of the
    walk-through points at are all inside the window, from c_{t−1} at the forget move to h_t at
    the output and pass-on moves."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    page.click("#belt-heading")
    for n, move in enumerate(MOVES, start=1):
        page.keyboard.press(str(n))
        wait_for_walk(page, move)
        seen = page.evaluate(MOVE_IN_VIEW)
        assert set(seen["shown"]) == BELT_LABELS[n - 1], (move, seen)
        assert seen["out"] == [] and not seen["scrolls"], (move, seen)


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
