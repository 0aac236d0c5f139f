"""How the page paints, in headless Chromium: charts on screen first, and long sequences drawn
in a form a browser can redraw quickly, with the same numbers as the engine.

A draw pass paints the charts in the window first (body[data-shown-revision]) and those scrolled
out of sight a frame at a time after them (body[data-revision] once every chart is drawn).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from app.engine.lstm import run
from app.scenarios import get_scenario
from tests.test_page import assert_readout_matches, body_data, go_to_step, open_page, wait_for_new_revision

pytestmark = pytest.mark.browser

# Float32 on the wire: about 7 significant digits.
RTOL = 1e-6
ATOL = 1e-7

# Records the order in which body[data-shown-revision] and body[data-revision] change.
RECORD_ORDER = """() => {
  window.__paintOrder = [];
  new MutationObserver((changes) => {
    for (const change of changes) window.__paintOrder.push(change.attributeName);
  }).observe(document.body, { attributes: true, attributeFilter: ["data-shown-revision", "data-revision"] });
}"""

# Moves input slider j at the current step without scrolling it into view (a Playwright fill would).
MOVE_SLIDER = """([j, value]) => {
  const slider = document.querySelector(`input.input-slider[data-j="${j}"]`);
  slider.value = String(value);
  slider.dispatchEvent(new Event("input", { bubbles: true }));
}"""

ON_SCREEN = """id => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight;
}"""


def race_lines(page: Any) -> dict[str, list[float]]:
    lines: dict[str, list[float]] = page.evaluate(
        "Object.fromEntries(document.getElementById('race').data.map((t) => [t.uid, t.y]))"
    )
    return lines


def test_charts_out_of_sight_are_drawn_after_those_on_screen_with_the_new_numbers(
    page: Any, server_url: str
) -> None:
    scenario = get_scenario("hold-and-release")
    open_page(page, server_url)
    go_to_step(page, 3)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(300)  # the intersection observer reports the new scroll position
    assert not page.evaluate(ON_SCREEN, "race") and not page.evaluate(ON_SCREEN, "belt")
    page.evaluate(RECORD_ORDER)

    revision = page.evaluate("document.body.dataset.revision")
    page.evaluate(MOVE_SLIDER, [0, 0.9])
    wait_for_new_revision(page, revision)

    order = page.evaluate("window.__paintOrder")
    assert order.index("data-shown-revision") < order.index("data-revision"), order
    assert page.evaluate("document.body.dataset.shownRevision === document.body.dataset.revision")
    # The race chart, out of sight all along, holds the edited run.
    x = scenario.x.copy()
    x[3, 0] = 0.9
    edited = run(scenario.weights, x, scenario.h0, scenario.c0)
    lines = race_lines(page)
    for k in range(edited.c.shape[1]):
        np.testing.assert_allclose(lines[f"lstm-c-{k}"], edited.c[:, k], rtol=RTOL, atol=ATOL)
    assert not np.allclose(
        lines["lstm-c-0"][4:], run(scenario.weights, scenario.x, scenario.h0, scenario.c0).c[4:, 0]
    )


def test_a_long_sequence_draws_the_belt_over_time_as_areas_with_the_engines_numbers(
    page: Any, server_url: str
) -> None:
    scenario = get_scenario("hold-and-release")
    steps = 200  # more than the 120 steps drawn as bars
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (steps, 2)).round(3)
    open_page(page, server_url)
    revision = page.evaluate("document.body.dataset.revision")
    rows = "\n".join(f"{a:.3f},{b:.3f}" for a, b in x).encode()
    page.set_input_files("#upload-inputs", {"name": "long.csv", "mimeType": "text/csv", "buffer": rows})
    wait_for_new_revision(page, revision)
    page.wait_for_function(f"document.getElementById('timeline').data[0].x.length === {steps}")

    expected = run(scenario.weights, x, scenario.h0, scenario.c0)
    traces: list[dict[str, Any]] = page.evaluate(
        "document.getElementById('timeline').data.map((t) => ({type: t.type, name: t.name, y: t.y,"
        " customdata: t.customdata || null, fill: t.fill || null, axis: t.yaxis || 'y'}))"
    )
    long_traces = [t for t in traces if len(t["y"]) == steps]
    # No bar per step: areas (filled) and the c_t line, four per unit.
    assert all(t["type"] == "scatter" for t in long_traces)
    units = expected.c.shape[1]
    assert len(long_traces) == 4 * units
    for k in range(units):
        kept, positive, negative, c = long_traces[4 * k : 4 * k + 4]
        assert kept["fill"] == positive["fill"] == negative["fill"] == "tozeroy"
        np.testing.assert_allclose(kept["y"], expected.kept[:, k], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(
            np.add(positive["y"], negative["y"]), expected.added[:, k], rtol=RTOL, atol=ATOL
        )
        assert min(positive["y"]) >= 0 >= max(negative["y"])
        np.testing.assert_allclose(positive["customdata"], expected.added[:, k], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(c["y"], expected.c[:, k], rtol=RTOL, atol=ATOL)


def shown(value: float) -> str:
    """A number as the belt writes it: three decimals and a real minus sign."""
    return f"{value:.3f}".replace("-", "\u2212")


def belt_labels(page: Any) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        "#belt-labels .belt-label:not([hidden])", "spans => spans.map((s) => s.textContent)"
    )
    return texts


def test_the_belts_labels_show_the_engines_numbers_and_go_into_its_images(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    expected = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    go_to_step(page, 6)
    units = expected.c.shape[1]
    page.wait_for_function(f"document.querySelectorAll('#belt-labels .belt-label').length === {12 * units}")
    labels = belt_labels(page)
    assert len(labels) == 12 * units  # twelve labels per lane
    for k in range(units):
        lane = labels[12 * k : 12 * k + 12]
        assert f"f {shown(expected.f[6, k])}" in lane, lane
        assert f"kept {shown(expected.kept[6, k])}" in lane, lane
        assert f"ht {shown(expected.h[6, k])}" in lane, lane  # h<sub>t</sub>: textContent drops the tags
    # Each label sits on the chart: inside the belt's box.
    belt = page.locator("#belt").bounding_box()
    for box in page.eval_on_selector_all(
        "#belt-labels .belt-label:not([hidden])",
        "spans => spans.map((s) => s.getBoundingClientRect()).map((r) => [r.left, r.top, r.right, r.bottom])",
    ):
        assert belt["x"] <= box[0] and box[2] <= belt["x"] + belt["width"], box
        assert belt["y"] <= box[1] and box[3] <= belt["y"] + belt["height"], box

    # The saved SVG carries the same labels (the page's are HTML, not part of the chart).
    page.hover("#belt")
    with page.expect_download() as download:
        page.click("#belt .modebar-btn[data-title='Download plot as an SVG']")
    assert download.value.suggested_filename == "belt.svg"
    svg = download.value.path().read_text()
    assert svg.startswith("<svg")
    assert f"f {shown(expected.f[6, 1])}" in svg and f"kept {shown(expected.kept[6, 0])}" in svg


def test_charts_out_of_sight_skipped_while_playing_show_the_step_where_play_stopped(
    page: Any, server_url: str
) -> None:
    scenario = get_scenario("hold-and-release")
    expected = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    page.locator("#speed").fill("4")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(300)
    assert not page.evaluate(ON_SCREEN, "belt")
    page.keyboard.press("Escape")  # nothing focused that takes the space key
    page.evaluate("document.getElementById('play').click()")
    page.wait_for_function("Number(document.body.dataset.shownStep) >= 5")
    page.evaluate("document.getElementById('play').click()")
    page.wait_for_selector("#play[aria-pressed='false']")
    t = int(page.evaluate("document.getElementById('scrubber').value"))
    page.wait_for_selector(f"body[data-step='{t}']")
    # The belt, out of sight while it played, now shows step t: its title and its numbers.
    layout_title = page.evaluate("document.getElementById('belt').layout.annotations[0].text")
    assert f"t = {t}" in layout_title.replace("<b>", "").replace("</b>", ""), layout_title
    labels = belt_labels(page)
    assert f"f {shown(expected.f[t, 1])}" in labels[12:24], (t, labels[12:24])


CHART_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map((d) => {
  const box = d.getBoundingClientRect();
  return [d.id, Math.round(box.width), Math.round(box.height)];
})"""


def test_a_narrower_window_keeps_every_chart_whole_and_the_belts_layers_together(
    page: Any, server_url: str
) -> None:
    open_page(page, server_url)
    go_to_step(page, 6)
    before = {name: (width, height) for name, width, height in page.evaluate(CHART_BOXES)}
    page.set_viewport_size({"width": 1000, "height": 1000})
    narrower = before["belt"][0] - 100
    page.wait_for_function(f"document.getElementById('belt').getBoundingClientRect().width < {narrower}")
    page.wait_for_timeout(500)  # Plotly's own resize handlers have run
    after = {name: (width, height) for name, width, height in page.evaluate(CHART_BOXES)}
    for name, (_, height) in before.items():
        assert after[name][1] == height, (name, before[name], after[name])  # not collapsed
    # The backdrop, the chart, the motion canvas and the labels still cover the same box.
    layers = page.evaluate(
        "['belt-backdrop', 'belt', 'belt-motion', 'belt-labels'].map((id) => {"
        " const r = document.getElementById(id).getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert all(layer == layers[0] for layer in layers), layers
    widths = page.evaluate(
        "[...document.querySelectorAll('.belt-stage .main-svg')].map((s) => s.getAttribute('width'))"
    )
    assert len(set(widths)) == 1 and float(widths[0]) == round(layers[0][0]), (widths, layers)


def test_the_numbers_show_before_plotly_has_run_and_the_charts_follow_it(page: Any, server_url: str) -> None:
    """plotly.js is preloaded and run after the page's own first pass: while the bundle is held
    back, the page's code has run, the socket has brought the session, and the HTML views show the
    engine's numbers (also after a step); no chart is drawn yet. Once the bundle arrives every
    chart is drawn at that step."""
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    held: list[Any] = []
    page.route("**/vendor/plotly.min.js", lambda route: held.append(route))
    page.goto(server_url, wait_until="domcontentloaded")  # "load" waits for the async bundle too
    page.wait_for_function("document.getElementById('step-label').textContent.endsWith('/ 39')")
    page.locator("#scrubber").fill("6")
    page.wait_for_function(
        "Number(document.querySelector(\"#readout td[data-q='c'][data-unit='0']\")?.textContent) > 0.5"
    )
    assert_readout_matches(page, trace, 6)
    assert len(held) == 1
    assert page.evaluate("typeof window.Plotly") == "undefined"
    assert page.locator(".js-plotly-plot").count() == 0
    assert body_data(page, "ready") is None
    # The belt's space is already the height its chart takes: nothing below it jumps later.
    reserved = page.evaluate("document.getElementById('equations').getBoundingClientRect().top")

    held[0].continue_()
    page.wait_for_selector("body[data-ready='true']")
    assert body_data(page, "step") == "6"
    charts = (
        "belt-backdrop",
        "belt",
        "timeline",
        "gates",
        "inputs-chart",
        "gradients",
        "race",
        "activations",
    )
    for chart in charts:
        assert page.locator(f"#{chart}.js-plotly-plot .main-svg").count() > 0, chart
    # Drawn at the step the page moved to while waiting, not at the first one.
    marks = page.evaluate(
        "['timeline', 'inputs-chart'].map((id) => document.getElementById(id).layout.shapes.at(-1).x0)"
    )
    assert marks == [6, 6]
    assert_readout_matches(page, trace, 6)
    assert page.evaluate("document.getElementById('equations').getBoundingClientRect().top") == reserved


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
    """A bundle that arrives but defines no Plotly (a broken or blocked file) leaves the HTML views
    with the engine's numbers, and the status line says why there are no charts."""
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    page.route(
        "**/vendor/plotly.min.js",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body="/* not plotly */"),
    )
    page.goto(server_url)
    page.wait_for_function("document.getElementById('status').textContent.includes('did not arrive')")
    assert page.locator(".js-plotly-plot").count() == 0
    assert_readout_matches(page, trace, 0)
    page.locator("#scrubber").fill("6")  # body[data-step] is stamped only once charts are drawn
    page.wait_for_function(
        "Number(document.querySelector(\"#readout td[data-q='c'][data-unit='0']\")?.textContent) > 0.5"
    )
    assert_readout_matches(page, trace, 6)
    assert "plotly.js did not arrive" in page.inner_text("#status")


# Pairs of the belt's numbers (HTML labels) or station headers (Plotly annotations) whose boxes
# overlap by more than a pixel each way.
BELT_OVERLAPS = """() => {
  const overlapping = (selector) => {
    const boxes = [...document.querySelectorAll(selector)]
      .map((el) => [el.textContent, el.getBoundingClientRect()]);
    const pairs = [];
    boxes.forEach(([a, A], n) => boxes.slice(n + 1).forEach(([b, B]) => {
      const width = Math.min(A.right, B.right) - Math.max(A.left, B.left);
      const height = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
      if (width > 1 && height > 1) pairs.push([a, b]);
    }));
    return [boxes.length, pairs];
  };
  return {
    labels: overlapping("#belt-labels .belt-label"),
    headers: overlapping("#belt-backdrop .annotation"),
  };
}"""


def test_on_a_phone_the_belt_keeps_a_readable_width_and_scrolls_sideways(page: Any, server_url: str) -> None:
    """Squeezed to a phone's width the belt's headers and numbers ran into each other; it keeps its
    minimum width instead, inside a region that scrolls sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    go_to_step(page, 7)
    overlaps = page.evaluate(BELT_OVERLAPS)
    labels, headers = overlaps["labels"], overlaps["headers"]
    assert labels[0] >= 30 and headers[0] >= 8  # every lane's numbers and every station's header
    assert labels[1] == [] and headers[1] == []
    scroll = page.evaluate(
        "(() => { const el = document.querySelector('.belt-scroll');"
        " return [el.scrollWidth, el.clientWidth, document.getElementById('belt').clientWidth]; })()"
    )
    assert scroll[0] > scroll[1] and scroll[2] >= 700
    # The page itself does not scroll sideways: only the belt does.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# The controls (and the values and states written beside them) in view: their count, the pairs
# whose boxes overlap by more than a pixel each way, and those reaching past the side of their
# bar or panel. The belt and the equations scroll sideways and are left out.
CONTROL_OVERLAPS = """() => {
  const controls = [...document.querySelectorAll("input, select, button, output, .clamp-state")]
    .filter((el) => !el.closest(".belt-scroll, .equations") && el.getClientRects().length);
  const boxes = controls.map((el) => [el.id || el.className || el.tagName, el.getBoundingClientRect()]);
  const pairs = [];
  boxes.forEach(([a, A], n) => boxes.slice(n + 1).forEach(([b, B]) => {
    const width = Math.min(A.right, B.right) - Math.max(A.left, B.left);
    const height = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
    if (width > 1 && height > 1) pairs.push([a, b]);
  }));
  const outside = controls.filter((el) => {
    const box = el.getBoundingClientRect();
    const frame = (el.closest(".transport, .clamps, .panel, header") || document.body)
      .getBoundingClientRect();
    return box.left < frame.left - 1 || box.right > frame.right + 1;
  }).map((el) => el.id || el.className || el.tagName);
  return [boxes.length, pairs, outside];
}"""


@pytest.mark.parametrize("width", [320, 390])
def test_on_a_phone_no_control_runs_into_another(page: Any, server_url: str, width: int) -> None:
    """At 390 px the clamp panel's two columns were narrower than a row of its controls: each
    gate's unit menu, value and state ran under the next gate's. At 320 px the walk-through's
    group pushed its last button out of the transport bar and the page sideways."""
    page.set_viewport_size({"width": width, "height": 844})
    open_page(page, server_url)
    count, pairs, outside = page.evaluate(CONTROL_OVERLAPS)
    assert count >= 40  # the toolbar, the knobs, the clamps, the inputs' sliders and fields
    assert pairs == [] and outside == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


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


@pytest.mark.parametrize("width", [390, 1400])
def test_with_twelve_units_each_initial_state_row_keeps_its_name_on_one_line(
    page: Any, server_url: str, width: int
) -> None:
    """The initial-state sliders name their unit in a narrow column: "unit 10" and "unit 11"
    broke onto two lines and made their rows taller than the others."""
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, server_url)
    layer = {"name": "twelve.npz", "mimeType": "application/octet-stream", "buffer": _twelve_unit_layer()}
    page.set_input_files("#upload-weights", files=[layer])
    page.wait_for_function("document.querySelectorAll('.state-unit').length === 12")
    heights = page.evaluate("[...document.querySelectorAll('.state-unit')].map((el) => el.offsetHeight)")
    assert max(heights) == min(heights), heights
    _, pairs, outside = page.evaluate(CONTROL_OVERLAPS)
    assert pairs == [] and outside == []


# The numbers table's caption against its scrolling region: [caption left, right], [region left, right].
CAPTION_IN_REGION = """() => {
  const caption = document.getElementById("step-table-caption").getBoundingClientRect();
  const region = document.getElementById("step-table").getBoundingClientRect();
  return [[caption.left, caption.right], [region.left, region.right]];
}"""


def test_on_a_phone_the_numbers_tables_caption_stays_in_sight(page: Any, server_url: str) -> None:
    """The caption of a table is as wide as the table: at 390 px its words ran past the region
    that scrolls the table sideways, out of sight."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server_url)
    page.locator("#table-toggle").click()
    page.wait_for_function("document.getElementById('step-table-caption')?.textContent.includes('t = 0')")
    for scrolled in (0, 300):
        page.evaluate(f"document.getElementById('step-table').scrollLeft = {scrolled}")
        (left, right), (region_left, region_right) = page.evaluate(CAPTION_IN_REGION)
        assert region_left - 1 <= left and right <= region_right + 1, (scrolled, left, right)
    assert page.evaluate("document.getElementById('step-table').scrollLeft") == 300  # it did scroll
