"""The workbench in headless Chromium: the learner's whole loop on one screen, what feeds the gates
drawn with the server's numbers, and labels that never run into each other.

- At 1280×720 and 1400×900, for every shipped scenario in both languages, the belt, the input
  sliders, the transport and the belt over time lie inside the window together, and the page is at
  most two windows tall.
- After an input slider moves, each gate's pre-activation is read off the page in its three parts
  (from x_t, from h_{t−1}, the bias): they add up to the pre-activation and equal PyTorch's.
- At every step of every shipped scenario, at 1280 px (every lane) and 390 px (one lane at a time,
  every unit), no two of the belt's labels overlap; a sweep of widths from 320 to 1920 px checks the
  same at a few steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from app.scenarios import SCENARIOS, get_scenario
from tests.helpers import require_torch

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "ko")
LOCALES = {"en": "en-US", "ko": "ko-KR"}
# The equations show 4 decimals: half a unit in the last place, plus float32 noise.
TOLERANCE = 6e-5

# Where each part of the loop lies, as page-relative boxes, and the window and page sizes.
LOOP_JS = """() => {
  const box = (selector) => {
    const r = document.querySelector(selector).getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
  };
  return {
    parts: { belt: box('#belt'), sliders: box('#input-sliders'), transport: box('.transport'),
      timeline: box('#timeline') },
    window: { width: innerWidth, height: innerHeight },
    scrollHeight: document.scrollingElement.scrollHeight,
    scrollWidth: document.scrollingElement.scrollWidth,
  };
}"""

# Loads a scenario from the menu, as a learner does.
LOAD_JS = """name => {
  const menu = document.getElementById('scenario');
  menu.value = name;
  menu.dispatchEvent(new Event('change'));
}"""

# Pairs of belt labels whose boxes overlap (by more than a hair), with their texts.
OVERLAPS_JS = """() => {
  const labels = [...document.querySelectorAll('#belt .view-label')].filter((el) => !el.hidden);
  const boxes = labels.map((el) => [el.innerText.replace(/\\s+/g, ' '), el.getBoundingClientRect()]);
  const found = [];
  for (let a = 0; a < boxes.length; a += 1) {
    for (let b = a + 1; b < boxes.length; b += 1) {
      const [ta, ra] = boxes[a];
      const [tb, rb] = boxes[b];
      const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (x > 0.5 && y > 0.5) found.push([ta, tb]);
    }
  }
  return found;
}"""

# Walks steps 0..T-1 (and, with `units`, each unit's lane by the pager's own control), waiting for
# the workbench to show each step, and gathers every overlap found.
WALK_JS = """async ([units]) => {
  const overlaps = OVERLAPS;
  const scrubber = document.getElementById('scrubber');
  const T = Number(scrubber.max) + 1;
  const shown = (t) => new Promise((resolve) => {
    const check = () => (document.body.dataset.shownStep === String(t)
      ? resolve() : requestAnimationFrame(check));
    check();
  });
  const found = [];
  for (const unit of units) {
    if (unit !== null) {
      const unitMenu = document.getElementById('eq-unit');
      unitMenu.value = String(unit);
      unitMenu.dispatchEvent(new Event('change'));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    for (let t = 0; t < T; t += 1) {
      scrubber.value = String(t);
      scrubber.dispatchEvent(new Event('input', { bubbles: true }));
      await shown(t);
      for (const pair of overlaps()) found.push([unit, t, ...pair]);
    }
  }
  return { found, T, lanes: document.getElementById('belt').dataset.lanes };
}""".replace("OVERLAPS", OVERLAPS_JS.strip())


# Moves the scrubber to step t as a hand does (without scrolling it into view).
GO_TO_JS = "(el, t) => { el.value = String(t); el.dispatchEvent(new Event('input', {bubbles: true})); }"

# The workbench shows step t, both canvas views drawn at their containers' new width (a resize is
# drawn in the frame after the one it happened in).
REDRAWN_AT_WIDTH_JS = """t => document.body.dataset.shownStep === String(t)
  && ['belt', 'timeline'].every((id) =>
  Math.abs(document.querySelector(`#${id} canvas`).getBoundingClientRect().width
    - document.getElementById(id).clientWidth) <= 1)"""


@pytest.fixture
def new_page(browser: Any, server_url: str) -> Iterator[Any]:
    """new_page(width, height, lang): a fresh page of that size and browser language, opened and
    drawn; the test fails if it logged an error."""
    contexts: list[Any] = []
    problems: list[str] = []

    def open_one(width: int, height: int, lang: str = "en") -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=LOCALES[lang])
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server_url)
        page.wait_for_selector(f"body[data-ready='true'][data-lang='{lang}']")
        return page

    yield open_one
    for context in contexts:
        context.close()
    assert not problems, problems


def load(page: Any, name: str) -> None:
    """Loads a scenario from the menu and waits until the workbench shows it at its opening step."""
    open_step = get_scenario(name).open_step
    revision = page.evaluate("document.body.dataset.revision")
    page.evaluate(LOAD_JS, name)
    page.wait_for_function(
        "([rev, t, T]) => document.body.dataset.revision !== rev"
        " && document.body.dataset.shownStep === String(t)"
        " && document.getElementById('scrubber').max === String(T - 1)",
        arg=[revision, open_step, get_scenario(name).x.shape[0]],
    )
    page.wait_for_selector("body[data-ready='true']")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", [(1280, 720), (1400, 900)])
def test_the_whole_loop_is_on_the_first_screen_for_every_scenario(
    new_page: Any, size: tuple[int, int], lang: str
) -> None:
    width, height = size
    page = new_page(width, height, lang)
    for name in SCENARIOS:
        load(page, name)
        assert page.evaluate("scrollY") == 0
        seen = page.evaluate(LOOP_JS)
        for part, box in seen["parts"].items():
            assert box["height"] > 20, (name, part, "not drawn", box)
            assert box["top"] >= 0 and box["bottom"] <= height, (name, part, box, "outside the window")
            assert box["left"] >= 0 and box["right"] <= width, (name, part, box)
        assert seen["scrollWidth"] <= width, (name, "the page scrolls sideways")
        assert seen["scrollHeight"] <= 2 * height, (name, seen["scrollHeight"])
        # Every unit of a small preset has its lane on the belt (they have at most 4 units); a wide
        # one (Python code: 128) shows a page of lanes with the unit its prompt is about.
        scenario = get_scenario(name)
        hidden = scenario.weights.hidden_size
        lanes = page.get_attribute("#belt", "data-lanes")
        if hidden <= 4:
            assert lanes == f"0-{hidden - 1}", name
        else:
            first, last = (int(k) for k in lanes.split("-"))
            assert first <= scenario.open_unit <= last and last - first + 1 >= 2, (name, lanes)


def test_every_deep_dive_keeps_the_page_within_two_screens(new_page: Any) -> None:
    page = new_page(1400, 900)
    for dive in ("equations", "gradients", "gates", "numbers", "files"):
        page.click(f"#dive-tab-{dive}")
        page.wait_for_selector(f"#dive-{dive}:not([hidden])")
        page.wait_for_selector("body[data-ready='true']")
        page.wait_for_timeout(100)
        assert page.evaluate("document.scrollingElement.scrollHeight") <= 2 * 900, dive


def torch_parts(name: str, t: int, j: int, value: float) -> dict[str, np.ndarray]:
    """PyTorch's own split of every gate's pre-activation at step t, for the scenario with
    x[t][j] = value: W_i· x_t, W_h· h_{t−1} (h from nn.LSTM's own run) and the biases, per gate."""
    import torch

    scenario = get_scenario(name)
    weights = scenario.weights
    hidden = weights.hidden_size
    lstm = torch.nn.LSTM(weights.input_size, hidden, dtype=torch.float64)
    with torch.no_grad():
        for tensor in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(lstm, f"{tensor}_l0").copy_(torch.from_numpy(getattr(weights, tensor)))
        x = torch.from_numpy(scenario.x.copy())
        x[t, j] = value
        h0 = torch.from_numpy(scenario.h0)[None, None, :]
        c0 = torch.from_numpy(scenario.c0)[None, None, :]
        out, _ = lstm(x[:, None, :], (h0, c0))
        h = out[:, 0, :]
        h_prev = h0[0, 0] if t == 0 else h[t - 1]
        params = lstm.state_dict()
        from_x = params["weight_ih_l0"] @ x[t]
        from_h = params["weight_hh_l0"] @ h_prev
        bias = params["bias_ih_l0"] + params["bias_hh_l0"]
    parts: dict[str, np.ndarray] = {}
    for n, q in enumerate(("i", "f", "g", "o")):  # PyTorch's gate rows
        rows = slice(n * hidden, (n + 1) * hidden)
        parts[f"pre_{q}_x"] = from_x[rows].numpy()
        parts[f"pre_{q}_h"] = from_h[rows].numpy()
        parts[f"pre_{q}_b"] = bias[rows].numpy()
        parts[f"pre_{q}"] = (from_x + from_h + bias)[rows].numpy()
    return parts


def shown_number(page: Any, q: str, unit: int) -> float:
    text: str = page.text_content(f"#equations mn[data-q='{q}'][data-unit='{unit}']") or ""
    return float(text.replace("\u2212", "-"))


@pytest.mark.torch
def test_each_gates_three_parts_after_a_slider_move_add_up_and_equal_pytorch(new_page: Any) -> None:
    require_torch()
    # Trained memory: recurrent weights, so every part of every gate is at work (not the hand-set
    # scenarios' W_hh = 0).
    name, t, j, value = "trained-memory", 3, 0, -1.25
    page = new_page(1400, 900)
    load(page, name)
    page.locator("#scrubber").fill(str(t))
    page.wait_for_selector(f"body[data-step='{t}']")
    revision = page.evaluate("document.body.dataset.revision")
    page.locator(f"input.input-slider[data-j='{j}']").fill(str(value))
    page.wait_for_function("rev => document.body.dataset.revision !== rev", arg=revision)
    reference = torch_parts(name, t, j, value)
    hidden = get_scenario(name).weights.hidden_size
    for unit in range(hidden):
        page.select_option("#eq-unit", str(unit))
        page.wait_for_selector(f"#equations[data-unit='{unit}'][data-step='{t}']")
        for q in ("i", "f", "g", "o"):
            x_part, h_part, b_part, pre = (
                shown_number(page, f"pre_{q}{s}", unit) for s in ("_x", "_h", "_b", "")
            )
            # What the page shows adds up (to its 4 decimals) ...
            assert x_part + h_part + b_part == pytest.approx(pre, abs=3 * TOLERANCE), (unit, q)
            # ... and each part is PyTorch's.
            for shown, key in (
                (x_part, f"pre_{q}_x"),
                (h_part, f"pre_{q}_h"),
                (b_part, f"pre_{q}_b"),
                (pre, f"pre_{q}"),
            ):
                assert shown == pytest.approx(float(reference[key][unit]), abs=TOLERANCE), (unit, key)
        # The part from h_{t−1} is not zero here: the check above is not a check of zeros.
        assert any(abs(float(reference[f"pre_{q}_h"][unit])) > 0.05 for q in "ifgo")


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_no_two_belt_labels_overlap_at_any_step_of_any_scenario(
    new_page: Any, width: int, height: int
) -> None:
    page = new_page(width, height)
    for name in SCENARIOS:
        load(page, name)
        hidden = get_scenario(name).weights.hidden_size
        narrow = page.get_attribute("#belt", "data-layout").startswith("narrow")
        assert narrow == (width < 760), name
        # On a phone one lane shows at a time: every unit's lane is walked.
        units = list(range(hidden)) if narrow else [None]
        result = page.evaluate(WALK_JS, [units])
        assert result["T"] == get_scenario(name).x.shape[0]
        assert result["found"] == [], (name, result["found"][:5])


def test_belt_labels_never_overlap_from_320_to_1920_px(new_page: Any) -> None:
    page = new_page(1280, 900)
    for name in ("trained-memory", "counter", "latch"):
        load(page, name)
        for width in (320, 360, 414, 480, 600, 700, 759, 760, 900, 1000, 1179, 1180, 1366, 1600, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            for t in (0, 3, 20):
                page.locator("#scrubber").evaluate(GO_TO_JS, t)
                page.wait_for_function(REDRAWN_AT_WIDTH_JS, arg=t)
                overlaps = page.evaluate(OVERLAPS_JS)
                assert overlaps == [], (name, width, t, overlaps[:3])
                # Plotly fits its charts to a new width a moment after the window changed: wait for it.
                page.wait_for_function(
                    "w => document.scrollingElement.scrollWidth <= w", arg=width, timeout=5000
                )
