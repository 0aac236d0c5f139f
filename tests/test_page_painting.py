"""How the page paints, in headless Chromium: the workbench at once, the open deep dive's charts on
screen first, closed dives not at all, and long sequences with the same numbers as the engine.

A draw pass paints the workbench (the belt and the belt over time, on the page's own canvas)
synchronously and stamps body[data-shown-revision]; then the open dive's Plotly charts, those on
screen first and those scrolled out of sight a frame at a time after them, and body[data-revision]
once every chart of the open dive is drawn. Charts of closed dives are not drawn; opening a dive
draws its charts with the current numbers.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import numpy as np
import pytest

from app.engine.lstm import Trace, run
from app.scenarios import get_scenario
from tests.test_page import (
    BELT_QUANTITIES,
    assert_belt_matches,
    assert_readout_matches,
    belt_labels,
    body_data,
    go_to_step,
    open_page,
    show_dive,
    show_lab,
    wait_for_new_revision,
)

pytestmark = pytest.mark.browser

# Float32 on the wire: about 7 significant digits.
RTOL = 1e-6
ATOL = 1e-7
SVG = "{http://www.w3.org/2000/svg}"

# Records, in order, the body's stamps (data-shown-revision, data-revision, with their values) and
# every Plotly chart drawn (by its element's id). Plotly must have run already.
RECORD_PAINTING = """() => {
  window.__painted = [];
  new MutationObserver((changes) => {
    for (const change of changes) {
      window.__painted.push([change.attributeName, document.body.getAttribute(change.attributeName)]);
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["data-shown-revision", "data-revision"] });
  const react = window.Plotly.react;
  window.Plotly.react = function (gd, ...rest) {
    window.__painted.push(["chart", gd.id]);
    return react.call(this, gd, ...rest);
  };
}"""

# Moves input slider j at the current step without scrolling it into view (a Playwright fill would).
MOVE_SLIDER = """([j, value]) => {
  const slider = document.querySelector(`input.input-slider[data-j="${j}"]`);
  slider.value = String(value);
  slider.dispatchEvent(new Event("input", { bubbles: true }));
}"""

# An element's box against the window: [top, bottom, window height].
VERTICAL = """id => {
  const box = document.getElementById(id).getBoundingClientRect();
  return [box.top, box.bottom, window.innerHeight];
}"""

# Scrolls the page so that the top of an element lies `above` px above the window's bottom edge.
SCROLL_TOP_TO = """([id, above]) => {
  const box = document.getElementById(id).getBoundingClientRect();
  window.scrollBy(0, box.top - (window.innerHeight - above));
}"""

# How close to the window a chart counts as on screen (onscreen.js: rootMargin 200px).
MARGIN = 200


def painted(page: Any) -> list[list[str]]:
    log: list[list[str]] = page.evaluate("window.__painted")
    return log


def charts_drawn(log: list[list[str]]) -> list[str]:
    return [name for kind, name in log if kind == "chart"]


def race_lines(page: Any) -> dict[str, list[float]]:
    lines: dict[str, list[float]] = page.evaluate(
        "Object.fromEntries(document.getElementById('race').data.map((t) => [t.uid, t.y]))"
    )
    return lines


def assert_race_shows(page: Any, trace: Trace) -> None:
    lines = race_lines(page)
    for k in range(trace.c.shape[1]):
        np.testing.assert_allclose(lines[f"lstm-c-{k}"], trace.c[:, k], rtol=RTOL, atol=ATOL)


def marked_step(page: Any, chart: str) -> float:
    """The step a chart of time marks: the x of its step marker's line (views/common.js stepMarker)."""
    x: float = page.evaluate(f"document.getElementById('{chart}').layout.shapes[1].x0")
    return x


def gradients_dive_with_race_out_of_sight(page: Any, server_url: str) -> None:
    """At 1000 px the gradients dive stacks its two charts; the page is scrolled so the gradient
    chart is on screen and the race chart, under it, lies beyond the on-screen margin."""
    page.set_viewport_size({"width": 1000, "height": 700})
    open_page(page, server_url)
    show_dive(page, "gradients")
    page.evaluate(SCROLL_TOP_TO, ["gradients", 150])
    page.wait_for_timeout(300)  # the intersection observer reports the new scroll position
    top, bottom, height = page.evaluate(VERTICAL, "gradients")
    assert top < height and bottom > 0, (top, bottom, height)
    race_top, _, _ = page.evaluate(VERTICAL, "race")
    assert race_top > height + MARGIN, (race_top, height)


def test_charts_of_the_open_dive_out_of_sight_are_drawn_after_those_on_screen_with_the_new_numbers(
    page: Any, server_url: str
) -> None:
    scenario = get_scenario("hold-and-release")
    gradients_dive_with_race_out_of_sight(page, server_url)
    go_to_step(page, 3)
    page.evaluate(RECORD_PAINTING)

    revision = body_data(page, "revision")
    page.evaluate(MOVE_SLIDER, [0, 0.9])
    new = wait_for_new_revision(page, revision)

    log = painted(page)
    shown = log.index(["data-shown-revision", new])  # the workbench first...
    done = log.index(["data-revision", new])
    charts = charts_drawn(log[shown:done])  # ...then the dive's charts, the one on screen first
    assert "race" in charts and charts.index("gradients") < charts.index("race"), log
    assert page.evaluate("document.body.dataset.shownRevision === document.body.dataset.revision")
    # The race chart, out of sight all along, holds the edited run.
    x = scenario.x.copy()
    x[3, 0] = 0.9
    edited = run(scenario.weights, x, scenario.h0, scenario.c0)
    assert_race_shows(page, edited)
    original = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    assert not np.allclose(race_lines(page)["lstm-c-0"][4:], original.c[4:, 0])


def test_charts_of_closed_dives_are_not_drawn_and_opening_one_draws_it_with_the_current_numbers(
    page: Any, server_url: str
) -> None:
    scenario = get_scenario("hold-and-release")
    open_page(page, server_url)
    page.wait_for_selector("#activations .main-svg")  # the equations dive is open: plotly.js has run
    go_to_step(page, 6)
    page.evaluate(RECORD_PAINTING)
    revision = body_data(page, "revision")
    page.evaluate(MOVE_SLIDER, [0, 0.6])
    wait_for_new_revision(page, revision)
    assert set(charts_drawn(painted(page))) == {"activations"}
    for chart in ("gradients", "race", "gates"):
        assert page.locator(f"#{chart} .main-svg").count() == 0, chart

    x = scenario.x.copy()
    x[6, 0] = 0.6
    edited = run(scenario.weights, x, scenario.h0, scenario.c0)
    show_dive(page, "gates")
    heat: dict[str, list[list[float]]] = page.evaluate(
        "Object.fromEntries(document.getElementById('gates').data.map((t) => [t.name, t.z]))"
    )
    for gate in ("f", "i", "g", "o"):
        np.testing.assert_allclose(heat[gate], getattr(edited, gate).T, rtol=RTOL, atol=ATOL)
    assert page.evaluate("document.getElementById('gates').layout.shapes[0].x0") == 5.5  # step 6

    show_dive(page, "gradients")
    assert_race_shows(page, edited)
    assert marked_step(page, "race") == marked_step(page, "gradients") == 6
    # Now the gates dive is closed: a new step redraws the gradients dive's charts only.
    page.evaluate("window.__painted = []")
    go_to_step(page, 7)
    assert set(charts_drawn(painted(page))) == {"gradients", "race"}


def test_a_change_takes_the_drawn_stamp_off_until_a_pass_has_drawn_it(page: Any, server_url: str) -> None:
    # body[data-ready] is what tests and benchmarks wait for: a stamp left by a pass that ran before
    # a change must not stand for the change (the tab's pass waits for the next animation frame).
    open_page(page, server_url)
    before, at_click = page.evaluate(
        """() => {
          const before = document.body.dataset.ready;
          document.getElementById("dive-tab-numbers").click();
          return [before, document.body.dataset.ready ?? null];
        }"""
    )
    assert (before, at_click) == ("true", None)
    page.wait_for_selector("body[data-ready='true']", state="attached")
    assert page.get_attribute("#dive-tab-numbers", "aria-selected") == "true"
    assert page.is_visible("#dive-numbers")


TIMELINE_WIDTH = "Math.floor(document.getElementById('timeline').getBoundingClientRect().width)"


def test_a_long_sequence_draws_the_belt_over_time_per_pixel_column_with_the_engines_numbers(
    page: Any, server_url: str
) -> None:
    """More steps than the plot has pixel columns: the belt over time draws each column's
    envelope, from the server's numbers for every step."""
    scenario = get_scenario("hold-and-release")
    steps = 2000
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (steps, 2)).round(3)
    open_page(page, server_url)
    plot_width = page.evaluate(TIMELINE_WIDTH) - 104  # timeline.js: 58 px left of the plot, 46 right
    assert plot_width < steps
    revision = body_data(page, "revision")
    rows = "\n".join(f"{a:.3f},{b:.3f}" for a, b in x).encode()
    page.set_input_files("#upload-inputs", {"name": "long.csv", "mimeType": "text/csv", "buffer": rows})
    wait_for_new_revision(page, revision)
    page.wait_for_function(f"document.getElementById('timeline').drawn.T === {steps}")

    expected = run(scenario.weights, x, scenario.h0, scenario.c0)
    drawn: dict[str, Any] = page.evaluate("document.getElementById('timeline').drawn")
    units = expected.c.shape[1]
    assert drawn["units"] == list(range(units))
    np.testing.assert_allclose(drawn["x"], x, rtol=RTOL, atol=ATOL)
    for k in range(units):
        columns = drawn["columns"][str(k)]
        for quantity in ("kept", "added", "c"):
            assert len(columns[quantity]) == steps
            np.testing.assert_allclose(
                columns[quantity], getattr(expected, quantity)[:, k], rtol=RTOL, atol=ATOL, err_msg=quantity
            )
    # Its SVG export draws the same outlines: per lane three bands (kept; added > 0; added < 0), four
    # points a pixel column on each, and the c_t line, a point a column, every one a number.
    with page.expect_download() as saved:
        page.click("#timeline-tools button[data-export='svg']")
    svg = ET.fromstring(saved.value.path().read_bytes())
    outline = {
        kind: [[float(v) for v in re.split("[ ,]", el.get("points", ""))] for el in svg.iter(f"{SVG}{kind}")]
        for kind in ("polygon", "polyline")
    }
    c_lines = [el for el in svg.iter(f"{SVG}polyline") if el.get("class") == "c"]
    assert len(outline["polygon"]) == 3 * units and len(c_lines) == units
    columns_drawn = len(c_lines[0].get("points", "").split())
    assert plot_width - 1 <= columns_drawn <= plot_width
    assert {len(points) for points in outline["polygon"]} == {8 * columns_drawn}
    assert all(np.isfinite(points).all() for points in [*outline["polygon"], *outline["polyline"]])


# The belt's labels on show (headers, unit names, numbers): text and box [left, top, right, bottom].
LABEL_BOXES = """() => [...document.querySelectorAll('#belt .view-label')].filter((el) => !el.hidden)
  .map((el) => { const r = el.getBoundingClientRect();
    return { text: el.innerText, q: el.dataset.q || null, box: [r.left, r.top, r.right, r.bottom] }; })"""
# The name each number label of the belt starts with (the gates' read just their number).
LABEL_NAMES = {
    "h_prev": "ht−1", "c_prev": "ct−1", "kept": "kept", "forgotten": "forgotten", "added": "added",
    "c": "ct", "tanh_c": "tanh", "h": "ht",
}  # fmt: skip


def squeezed(text: str) -> str:
    return "".join(text.split())


def download(page: Any, selector: str) -> Any:
    with page.expect_download() as event:
        page.click(selector)
    return event.value


def svg_texts(svg: str) -> list[str]:
    """Every text element of an SVG document, as read (its tspans joined)."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_the_belts_labels_show_the_engines_numbers_and_go_into_its_images(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    expected = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    go_to_step(page, 6)
    units = expected.c.shape[1]
    labels = belt_labels(page)
    assert len(labels) == len(BELT_QUANTITIES) * units  # twelve number labels per lane
    assert_belt_matches(page, expected, 6, list(range(units)))
    for label in labels:
        name = LABEL_NAMES.get(label["q"])
        words = label["text"].split()
        assert len(words) == (2 if name else 1) and (not name or words[0] == name), label
    # Each label sits on the belt: inside its box.
    belt = page.locator("#belt").bounding_box()
    shown = page.evaluate(LABEL_BOXES)
    for label in shown:
        left, top, right, bottom = label["box"]
        assert belt["x"] <= left and right <= belt["x"] + belt["width"], label
        assert belt["y"] <= top and bottom <= belt["y"] + belt["height"], label

    # The saved SVG carries the same labels (on screen they are HTML over the canvas).
    svg_file = download(page, "#belt-tools button[data-export=svg]")
    assert svg_file.suggested_filename == "belt.svg"
    svg = svg_file.path().read_text()
    assert svg.startswith("<svg")
    saved = Counter(squeezed(text) for text in svg_texts(svg))
    missing = Counter(squeezed(label["text"]) for label in shown) - saved
    assert not missing, missing
    png_file = download(page, "#belt-tools button[data-export=png]")
    assert png_file.suggested_filename == "belt.png"
    assert png_file.path().read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# Clicks play's button and returns what was painted until then.
PAUSE = """() => {
  const before = [...window.__painted];
  document.getElementById('play').click();
  return before;
}"""


def test_charts_out_of_sight_skipped_while_playing_show_the_step_where_play_stopped(
    page: Any, server_url: str
) -> None:
    scenario = get_scenario("hold-and-release")
    expected = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    gradients_dive_with_race_out_of_sight(page, server_url)
    start = int(body_data(page, "step"))
    page.evaluate("document.getElementById('speed').value = '4'")
    page.evaluate("document.getElementById('speed').dispatchEvent(new Event('input', { bubbles: true }))")
    page.evaluate(RECORD_PAINTING)
    page.evaluate("document.getElementById('play').click()")
    page.wait_for_function(f"Number(document.body.dataset.shownStep) >= {start + 3}")
    while_playing = charts_drawn(page.evaluate(PAUSE))
    page.wait_for_selector("#play[aria-pressed='false']")
    t = int(page.evaluate("document.getElementById('scrubber').value"))
    # Once play has stopped the page is still, and the chart out of sight catches up (a pass while
    # playing may already have stamped step t without it).
    page.wait_for_function(
        "t => (document.getElementById('race').layout.annotations[0].text || '').includes(`t = ${t}`)", arg=t
    )
    page.wait_for_selector(f"body[data-step='{t}']")
    # The chart on screen followed the player; the one out of sight waited for it to stop.
    assert "gradients" in while_playing and "race" not in while_playing, while_playing
    assert marked_step(page, "race") == marked_step(page, "gradients") == t
    assert f"t = {t}" in page.evaluate("document.getElementById('race').layout.annotations[0].text")
    # The workbench followed every step, and shows step t (in the lanes that fit this window).
    first, last = map(int, page.get_attribute("#belt", "data-lanes").split("-"))
    assert_belt_matches(page, expected, t, list(range(first, last + 1)))
    assert page.evaluate("document.getElementById('timeline').drawn.t") == t


# The belt's layers: the stage, its canvas and the labels' layer, as [left, top, width, height];
# the canvas's pixel width; and whether every label lies within the canvas sideways.
BELT_LAYERS = """() => {
  const box = (selector) => {
    const r = document.querySelector(selector).getBoundingClientRect();
    return [r.left, r.top, r.width, r.height];
  };
  const canvas = document.querySelector('#belt canvas').getBoundingClientRect();
  const labels = [...document.querySelectorAll('#belt .view-label')].filter((el) => !el.hidden)
    .map((el) => el.getBoundingClientRect());
  return {
    stage: box('#belt .canvas-stage'), canvas: box('#belt canvas'), labels: box('#belt .view-labels'),
    width: Math.floor(document.getElementById('belt').getBoundingClientRect().width),
    pixels: document.querySelector('#belt canvas').width, ratio: window.devicePixelRatio,
    inside: labels.every((r) => r.left >= canvas.left - 1 && r.right <= canvas.right + 1),
    timeline: [Math.floor(document.getElementById('timeline').getBoundingClientRect().width),
      document.querySelector('#timeline canvas').getBoundingClientRect().width],
  };
}"""


ACTIVATIONS_HEIGHT = "document.getElementById('activations').getBoundingClientRect().height"


def test_a_narrower_window_keeps_every_chart_whole_and_the_belts_layers_together(
    page: Any, server_url: str
) -> None:
    open_page(page, server_url)
    go_to_step(page, 6)
    chart_height = page.evaluate(ACTIVATIONS_HEIGHT)
    before = page.evaluate(BELT_LAYERS)
    page.set_viewport_size({"width": 1000, "height": 1000})
    narrower = before["width"] - 100
    page.wait_for_function(f"document.getElementById('belt').getBoundingClientRect().width < {narrower}")
    page.wait_for_timeout(500)  # the resize observers and Plotly's own resize handlers have run
    # The open dive's chart is not collapsed.
    assert page.evaluate(ACTIVATIONS_HEIGHT) == chart_height
    # The canvas is redrawn at the new width, and the labels' layer still covers it.
    after = page.evaluate(BELT_LAYERS)
    for layer in ("canvas", "labels"):  # the canvas takes whole pixels of the stage's width
        assert after[layer] == pytest.approx(after["stage"], abs=1), (layer, after)
    assert after["canvas"][2] == after["width"] < before["width"], (before, after)
    assert after["pixels"] == round(after["width"] * after["ratio"]), after
    assert after["inside"], after
    assert after["timeline"][1] == after["timeline"][0], after


def test_the_workbench_shows_the_numbers_before_plotly_has_run_and_the_dives_chart_follows_it(
    page: Any, server_url: str
) -> None:
    """plotly.js is fetched and run after the page's own first pass: while the bundle is held back,
    the page's code has run, the socket has brought the session, and the workbench and the open
    dive's HTML show the engine's numbers (also after a step); no chart is drawn yet. Once the
    bundle arrives the open dive's chart is drawn at that step, and no closed dive's."""
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    held: list[Any] = []
    page.route("**/vendor/plotly.min.js", lambda route: held.append(route))
    page.goto(server_url, wait_until="domcontentloaded")  # "load" waits for the bundle too
    page.wait_for_selector(f"body[data-shown-step='{scenario.open_step}']")
    page.locator("#scrubber").fill("6")
    page.wait_for_selector("body[data-shown-step='6']")
    assert_belt_matches(page, trace, 6, [0, 1, 2])
    assert page.evaluate("document.getElementById('timeline').drawn.t") == 6
    page.wait_for_selector("#equations[data-step='6'][data-unit='0']")
    c = page.evaluate("document.querySelector(`#equations mn[data-q='c'][data-unit='0']`).textContent")
    assert float(c) == pytest.approx(trace.c[6, 0], abs=6e-5)
    # One download of the bundle: the script that runs it uses the one the page started early.
    assert len(held) == 1, [route.request.resource_type for route in held]
    assert page.evaluate("typeof window.Plotly") == "undefined"
    assert page.locator(".js-plotly-plot").count() == 0
    assert body_data(page, "ready") is None
    # Nothing below the workbench jumps when the chart arrives.
    reserved = page.evaluate("document.getElementById('equations').getBoundingClientRect().top")

    for route in held:
        route.continue_()
    page.wait_for_selector("body[data-ready='true']")
    assert body_data(page, "step") == "6"
    assert page.locator("#activations.js-plotly-plot .main-svg").count() > 0
    for chart in ("gradients", "race", "gates"):
        assert page.locator(f"#{chart} .main-svg").count() == 0, chart
    # Drawn at the step the page moved to while waiting, not at the first one.
    point_f = page.evaluate(
        "document.getElementById('activations').data.find((d) => d.uid === 'point-f').y[0]"
    )
    assert point_f == pytest.approx(trace.f[6, 0], rel=RTOL)
    assert page.evaluate("document.getElementById('equations').getBoundingClientRect().top") == reserved
    assert_readout_matches(page, trace, 6)


def test_every_module_the_page_loads_is_named_up_front_for_preloading(page: Any, server_url: str) -> None:
    """The template's modulepreload links (app/web/modules.py follows main.js's imports) name
    exactly the modules the browser ends up loading: none found late, a level at a time, and
    none fetched for nothing."""
    open_page(page, server_url)
    named = page.evaluate(
        "[...document.querySelectorAll('link[rel=modulepreload]')].map((link) => new URL(link.href).pathname)"
    )
    loaded = page.evaluate(
        "performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname)"
        ".filter((path) => path.startsWith('/static/js/'))"
    )
    assert len(named) == len(set(named))
    assert sorted(named) == sorted(set(loaded))


def test_without_plotly_the_page_keeps_its_numbers_and_says_the_charts_could_not_load(
    page: Any, server_url: str
) -> None:
    """A bundle that arrives but defines no Plotly (a broken or blocked file) leaves the workbench
    and the HTML views with the engine's numbers, and the status line says why there are no charts."""
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    page.route(
        "**/vendor/plotly.min.js",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body="/* not plotly */"),
    )
    page.goto(server_url)
    page.wait_for_function("document.getElementById('status').textContent.includes('did not arrive')")
    assert page.locator(".js-plotly-plot").count() == 0
    page.wait_for_selector(f"body[data-shown-step='{scenario.open_step}']")
    assert_belt_matches(page, trace, scenario.open_step, [0, 1, 2])
    assert_readout_matches(page, trace, scenario.open_step)  # the numbers dive has no chart to wait for
    page.locator("#scrubber").fill("6")
    page.wait_for_selector("body[data-step='6']")
    assert_readout_matches(page, trace, 6)
    assert_belt_matches(page, trace, 6, [0, 1, 2])
    assert "plotly.js did not arrive" in page.inner_text("#status")


# The belt at a phone's width: its number labels' unit and box, whether any two labels overlap,
# and how wide the page scrolls.
PHONE_BELT = """() => {
  const labels = [...document.querySelectorAll('#belt .view-label')].filter((el) => !el.hidden);
  const boxes = labels.map((el) => [el.innerText, el.getBoundingClientRect()]);
  const overlaps = [];
  boxes.forEach(([a, A], n) => boxes.slice(n + 1).forEach(([b, B]) => {
    const width = Math.min(A.right, B.right) - Math.max(A.left, B.left);
    const height = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
    if (width > 1 && height > 1) overlaps.push([a, b]);
  }));
  const numbers = labels.filter((el) => el.dataset.q).map((el) => {
    const r = el.getBoundingClientRect();
    return { q: el.dataset.q, unit: Number(el.dataset.unit), left: r.left, right: r.right };
  });
  return { numbers, overlaps, width: window.innerWidth, scrollWidth: document.scrollingElement.scrollWidth };
}"""


def test_on_a_phone_the_belt_shows_one_unit_whole_and_the_pager_switches_units(
    page: Any, server_url: str
) -> None:
    """At 390 px the belt shows one lane, whole: c_{t−1} on the left and h_t on the right of the
    shown unit are both inside the window, and the page never scrolls sideways; the pager goes
    through the units."""
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    go_to_step(page, 7)
    assert page.get_attribute("#belt", "data-layout").startswith("narrow")
    assert page.is_visible("#lane-pick")
    for k in range(3):
        if k:
            page.click("#lanes-next")
        page.wait_for_selector(f"#belt[data-lanes='{k}-{k}']")
        assert page.inner_text("#lanes-shown") == f"unit {k} of 3"
        assert page.input_value("#eq-unit") == str(k)  # the unit shown is the one the equations show
        assert_belt_matches(page, trace, 7, [k])
        belt = page.evaluate(PHONE_BELT)
        assert belt["overlaps"] == [], belt["overlaps"]
        assert belt["scrollWidth"] <= belt["width"], belt
        ends = {label["q"]: label for label in belt["numbers"] if label["q"] in ("c_prev", "h")}
        assert set(ends) == {"c_prev", "h"}
        for label in belt["numbers"]:
            assert label["left"] >= 0 and label["right"] <= belt["width"], label
    assert page.is_disabled("#lanes-next") and not page.is_disabled("#lanes-prev")
    page.click("#lanes-prev")
    page.wait_for_selector("#belt[data-lanes='1-1']")


# The controls in view (and the values and states written beside them): their names, the pairs
# whose boxes overlap by more than a pixel each way, and those reaching past the side of their bar
# or panel. The equations and the numbers scroll sideways and are left out.
CONTROL_OVERLAPS = """() => {
  const controls = [...document.querySelectorAll("input, select, button, output, .clamp-state")]
    .filter((el) => !el.closest(".equations, .readout") && el.getClientRects().length);
  const name = (el) => el.id || el.dataset.export || el.className || el.tagName;
  const boxes = controls.map((el) => [name(el), el.getBoundingClientRect()]);
  const pairs = [];
  boxes.forEach(([a, A], n) => boxes.slice(n + 1).forEach(([b, B]) => {
    const width = Math.min(A.right, B.right) - Math.max(A.left, B.left);
    const height = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
    if (width > 1 && height > 1) pairs.push([a, b]);
  }));
  const outside = controls.filter((el) => {
    const box = el.getBoundingClientRect();
    const frame = (el.closest(".transport, .clamps, .lab-panel, .dive, .deck, .stage, .lab, .dives, header")
      || document.body).getBoundingClientRect();
    return box.left < frame.left - 1 || box.right > frame.right + 1;
  }).map(name);
  return [boxes.map(([n]) => n), pairs, outside];
}"""

# Controls of every part of the page that the test must have seen: the transport, the deck's
# inputs and walk-through, the belt's pager and exports, the lab's tabs and each tab's controls,
# the dives' tabs and each dive's controls.
EVERY_PART = {
    "scenario", "reset", "step-back", "play", "step-forward", "scrubber", "speed", "input-0",
    "walk-prev", "walk-next", "lanes-prev", "lanes-next", "svg",
    "lab-tab-knobs", "lab-tab-clamps", "lab-tab-state", "knob-bias_f", "clamp-f-on", "clamp-f-unit",
    "clamp-f-value", "state-c0-0", "dive-tab-equations", "dive-tab-files", "eq-unit", "knob-rnn_scale",
    "knob-target", "unit-select", "choose-weights", "gen-kind", "gen-apply",
}  # fmt: skip


def assert_no_control_runs_into_another(page: Any) -> set[str]:
    names, pairs, outside = page.evaluate(CONTROL_OVERLAPS)
    assert pairs == [] and outside == [], (pairs, outside)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    return set(names)


@pytest.mark.parametrize("width", [320, 390])
def test_on_a_phone_no_control_runs_into_another(page: Any, server_url: str, width: int) -> None:
    """At 390 px the clamp panel's two columns were narrower than a row of its controls: each
    gate's unit menu, value and state ran under the next gate's. At 320 px the walk-through's
    group pushed its last button out of its bar and the page sideways. Every tab of the lab and
    every deep dive is opened in turn, so each control is seen."""
    page.set_viewport_size({"width": width, "height": 844})
    open_page(page, server_url)
    seen = assert_no_control_runs_into_another(page)
    for tab in ("clamps", "state", "knobs"):
        show_lab(page, tab)
        seen |= assert_no_control_runs_into_another(page)
    for dive in ("gradients", "gates", "numbers", "files", "equations"):
        show_dive(page, dive)
        seen |= assert_no_control_runs_into_another(page)
    assert seen >= EVERY_PART, EVERY_PART - seen
    assert len(seen) >= 60


def _twelve_unit_layer() -> bytes:
    """An nn.LSTM layer with H=12, D=2 (the default scenario's D), as an .npz in PyTorch's names."""
    rng = np.random.default_rng(3)
    layer = {
        "weight_ih_l0": rng.uniform(-0.3, 0.3, (48, 2)),
        "weight_hh_l0": rng.uniform(-0.3, 0.3, (48, 12)),
        "bias_ih_l0": np.zeros(48),
        "bias_hh_l0": np.zeros(48),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **layer)  # type: ignore[arg-type]
    return buffer.getvalue()


def upload_twelve_units(page: Any) -> None:
    layer = {"name": "twelve.npz", "mimeType": "application/octet-stream", "buffer": _twelve_unit_layer()}
    page.set_input_files("#upload-weights", files=[layer])
    page.wait_for_function("document.querySelectorAll('.state-unit').length === 12")


@pytest.mark.parametrize("width", [390, 1400])
def test_with_twelve_units_each_initial_state_row_keeps_its_name_on_one_line(
    page: Any, server_url: str, width: int
) -> None:
    """The initial-state sliders name their unit in a narrow column: "unit 10" and "unit 11"
    broke onto two lines and made their rows taller than the others."""
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, server_url)
    upload_twelve_units(page)
    show_lab(page, "state")
    heights = page.evaluate("[...document.querySelectorAll('.state-unit')].map((el) => el.offsetHeight)")
    assert min(heights) > 0 and max(heights) == min(heights), heights
    names = assert_no_control_runs_into_another(page)
    assert {"state-h0-11", "state-c0-11"} <= names  # the last unit's sliders were among those checked


# The numbers' caption against the region that scrolls them sideways: [caption left, right],
# [region left, right].
CAPTION_IN_REGION = """() => {
  const caption = document.querySelector("#readout table.readout-units caption").getBoundingClientRect();
  const region = document.getElementById("readout").getBoundingClientRect();
  return [[caption.left, caption.right], [region.left, region.right]];
}"""


def test_on_a_phone_the_numbers_tables_caption_stays_in_sight(page: Any, server_url: str) -> None:
    """The caption of a table is as wide as the table: at 390 px its words ran past the region
    that scrolls the table sideways, out of sight. Twelve units make the table wider than a phone."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    upload_twelve_units(page)
    show_dive(page, "numbers")
    page.wait_for_function("document.querySelectorAll(\"#readout td[data-q='c']\").length === 12")
    for scrolled in (0, 300):
        page.evaluate(f"document.getElementById('readout').scrollLeft = {scrolled}")
        (left, right), (region_left, region_right) = page.evaluate(CAPTION_IN_REGION)
        assert region_left - 1 <= left and right <= region_right + 1, (scrolled, left, right)
    assert page.evaluate("document.getElementById('readout').scrollLeft") == 300  # it did scroll
