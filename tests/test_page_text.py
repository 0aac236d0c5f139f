"""A model that reads text, on the page, in headless Chromium: the python-code scenario's text box
reads what is typed (set_text), the step follows the caret, every time axis and the belt's heading
name the tokens, the text strip colours each token by the focused unit's c_t, and the likeliest
next tokens are listed; in English and in Korean.

Every number is compared with PyTorch (nn.Embedding → nn.LSTM → nn.Linear on the scenario's
weights), not with the server that drew it.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from app.scenarios import get_scenario
from tests.helpers import after_a_drawing_pass, open_dive, open_in, require_torch
from tests.test_page_workbench import load

pytestmark = pytest.mark.browser

CODE = "def add(a, b):\n    return a + b\n"
VISIBLE = {" ": "␣", "\n": "↵"}
STRIP = "document.getElementById('text-strip').drawn"


def torch_reference(text: str) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    """c_t of every unit, and the top 5 next tokens with their softmax probabilities, by PyTorch."""
    require_torch()
    import torch

    scenario = get_scenario("python-code")
    model = scenario.text
    assert model is not None and model.decoder_weight is not None and model.decoder_bias is not None
    ids = torch.tensor([model.vocab.index(ch) for ch in text])
    w = scenario.weights
    lstm = torch.nn.LSTM(w.weight_ih.shape[1], w.weight_hh.shape[1], dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(lstm, f"{name}_l0").copy_(torch.from_numpy(getattr(w, name)))
        x = torch.from_numpy(model.embedding)[ids]
        h0 = torch.from_numpy(scenario.h0)[None, None]
        c0 = torch.from_numpy(scenario.c0)[None, None]
        cs = []
        h, c = h0, c0
        for t in range(len(text)):  # c_t of every step: nn.LSTM returns only the last
            _, (h, c) = lstm(x[t : t + 1, None], (h, c))
            cs.append(c[0, 0].numpy())
        out, _ = lstm(x[:, None], (h0, c0))
        logits = out[:, 0] @ torch.from_numpy(model.decoder_weight).T + torch.from_numpy(model.decoder_bias)
        p = torch.softmax(logits, dim=1)
        top = torch.topk(p, 5, dim=1)
    tokens = [[model.vocab[k] for k in row] for row in top.indices.tolist()]
    return np.array(cs), tokens, top.values.numpy()


def shown_next(page: Any) -> list[tuple[str, float]]:
    read = "nodes => nodes.map(n => [n.querySelector('code').textContent, n.textContent])"
    chips = page.eval_on_selector_all("#text-next .next-tok", read)
    return [(code, float(text.removeprefix(code).strip().rstrip("%"))) for code, text in chips]


def visible(token: str) -> str:
    return "".join(VISIBLE.get(ch, ch) for ch in token)


def expected_next(tokens: list[str], p: np.ndarray) -> list[tuple[str, float]]:
    return [(visible(token), round(100 * float(q), 1)) for token, q in zip(tokens, p, strict=True)]


def open_python_code(page: Any, server_url: str, lang: str) -> None:
    open_in(page, server_url, lang)
    load(page, "python-code")
    page.wait_for_selector("#text-strip", state="visible")
    page.wait_for_selector("#text-input", state="visible")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_typed_text_is_read_and_every_view_names_its_tokens(page: Any, server_url: str, lang: str) -> None:
    c, top_tokens, top_p = torch_reference(CODE)
    open_python_code(page, server_url, lang)
    page.fill("#text-box", CODE)  # read once typing pauses
    page.wait_for_function(f"code => {STRIP}.tokens.join('') === code", arg=CODE)
    last = len(CODE) - 1
    page.wait_for_selector(f"body[data-shown-step='{last}']")  # the step followed the caret

    drawn = page.evaluate(STRIP)
    unit = drawn["unit"]
    assert unit == get_scenario("python-code").open_unit and drawn["quantity"] == "c"
    assert drawn["values"] == pytest.approx(c[:, unit], abs=1e-4)  # float32 on the wire
    strip = page.eval_on_selector_all("#text-body .tok", "nodes => nodes.map(n => n.dataset.t)")
    assert strip == [str(t) for t in range(len(CODE))]
    assert page.get_attribute(f"#text-body .tok[data-t='{last}']", "class") == "tok tok-now"

    assert shown_next(page) == expected_next(top_tokens[last], top_p[last])
    assert f"t = {last} · ↵" in str(page.text_content("#belt-heading"))  # the step's token, on the belt
    timeline = page.eval_on_selector("#timeline", "el => ({mark: el.drawn.mark, ticks: el.drawn.ticks})")
    assert timeline["mark"] == f"t = {last} ↵"
    assert {"s": 0, "text": "0 d"} in timeline["ticks"]  # step 0 read "d"
    assert all(tick["text"] == f"{tick['s']} {visible(CODE[tick['s']])}" for tick in timeline["ticks"])

    # A click on a token goes to its step; what comes next is said for that step.
    after_a_drawing_pass(page, lambda: page.click("#text-body .tok[data-t='4']"))
    assert page.evaluate("document.body.dataset.shownStep") == "4"
    assert shown_next(page) == expected_next(top_tokens[4], top_p[4])
    assert f"t = 4 · {visible(CODE[4])}" in str(page.text_content("#belt-heading"))

    # The charts over time label their steps with the tokens too.
    open_dive(page, "gradients")
    # (a chart below the fold is drawn once the page is still)
    page.wait_for_function("() => document.getElementById('gradients').layout?.xaxis?.ticktext")
    ticks = page.evaluate("document.getElementById('gradients').layout.xaxis.ticktext")
    assert ticks[0] == "0<br>d" and any(tick.endswith("<br>␣") for tick in ticks)


# The belt over time's step axis as drawn: each tick label's [left, right] and the axis title's left
# edge, measured with the canvas's own font (what a reader sees, not the view's estimate).
AXIS_EXTENTS = """async () => {
  const { FONT } = await import("/static/js/views/common.js");
  const { strings } = await import("/static/js/i18n/index.js");
  const { plot, ticks, T } = document.getElementById("timeline").drawn;
  const context = document.createElement("canvas").getContext("2d");
  context.font = `10.5px ${FONT.family}`;
  const width = (text) => context.measureText(text).width;
  const labels = ticks.map(({ s, text }) => {
    const x = plot.x + ((s + 0.5) / T) * plot.w;
    return [x - width(text) / 2, x + width(text) / 2];
  });
  return { labels, title: plot.x + plot.w - width(strings.charts.step) };
}"""


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_on_a_phone_step_ticks_stay_clear_of_the_axis_title(page: Any, server_url: str, lang: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_python_code(page, server_url, lang)
    axis = page.evaluate(AXIS_EXTENTS)
    labels, title = axis["labels"], axis["title"]
    assert len(labels) >= 2, labels  # the axis still says where the steps are
    assert all(right < title for _, right in labels), (labels, title)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(labels)), labels


def test_ctrl_enter_reads_at_once_and_a_slider_move_unmarks_the_step(page: Any, server_url: str) -> None:
    open_python_code(page, server_url, "en")
    page.click("#text-box")
    page.keyboard.press("Control+a")
    page.keyboard.type("x = 1\n")
    page.keyboard.press("Control+Enter")
    page.wait_for_function(f"() => {STRIP}.tokens.join('') === 'x = 1\\n'")
    # Moving step t's embedding row leaves a step that reads no token: the box says so.
    after_a_drawing_pass(page, lambda: page.click("#text-body .tok[data-t='2']"))
    slider = page.locator("input.input-slider[data-j='0']")
    revision = page.evaluate("document.body.dataset.revision")
    slider.focus()
    slider.press("ArrowRight")
    page.wait_for_function("old => document.body.dataset.revision !== old", arg=revision)
    page.wait_for_function(f"() => {STRIP}.tokens[2] === null")
    assert "1 of 6 steps" in str(page.text_content("#text-box-note"))
    assert page.input_value("#text-box") == "x = 1\n"  # the box keeps the last text read


def test_the_strips_scale_is_shown_exactly_and_a_move_rewrites_only_the_moved_tokens_text(
    page: Any, server_url: str
) -> None:
    """The colour scale ends at the largest |c_t| rounded up to two significant digits, the numbers
    its heading writes; a move recolours the strip but writes no token's text again but the one
    whose token it changed (new text lays the whole strip out again: most of a long text's drawing)."""
    scenario = get_scenario("python-code")
    assert scenario.text is not None
    text = "".join(scenario.text.vocab[k] for k in scenario.ids)  # type: ignore[union-attr]
    c, _, _ = torch_reference(text)
    open_python_code(page, server_url, "en")
    drawn = page.evaluate(STRIP)
    most = float(np.abs(c[:, drawn["unit"]]).max())
    step = 10.0 ** (np.floor(np.log10(most)) - 1)
    limit = float(np.ceil(most / step) * step)
    assert drawn["limit"] == pytest.approx(limit, rel=1e-9)
    assert f"(blue −{limit:.2f} … orange {limit:.2f})" in str(page.text_content("#text-heading"))

    after_a_drawing_pass(page, lambda: page.click("#text-body .tok[data-t='5']"))
    page.evaluate("document.querySelectorAll('#text-body .tok').forEach(s => { s.firstChild.kept = true; })")
    revision = page.evaluate("document.body.dataset.revision")
    slider = page.locator("input.input-slider[data-j='0']")
    slider.focus()
    slider.press("ArrowRight")
    page.wait_for_function("old => document.body.dataset.revision !== old", arg=revision)
    page.wait_for_function(f"() => {STRIP}.tokens[5] === null")
    rewritten = page.evaluate(
        "[...document.querySelectorAll('#text-body .tok')]"
        ".filter(s => !s.firstChild.kept).map(s => s.dataset.t)"
    )
    assert rewritten == ["5"]
    assert page.text_content("#text-body .tok[data-t='5']") == "·"


def span_scores(c: np.ndarray, start: int, stop: int, threshold: float = 0.3) -> np.ndarray:
    """LSTMVis' span score, by loops apart from app/engine/unit_finder.py: the share of the span's
    steps a unit is on (c ≥ threshold) minus the share of the other steps it is on."""
    steps, units = c.shape
    scores = np.zeros(units)
    for k in range(units):
        inside = [c[t, k] >= threshold for t in range(start, stop)]
        outside = [c[t, k] >= threshold for t in range(steps) if not start <= t < stop]
        scores[k] = sum(inside) / len(inside) - (sum(outside) / len(outside) if outside else 0.0)
    return scores


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_span_selected_in_the_text_ranks_units_and_the_top_one_becomes_a_lane(
    page: Any, server_url: str, lang: str
) -> None:
    scenario = get_scenario("python-code")
    assert scenario.text is not None
    text = "".join(scenario.text.vocab[k] for k in scenario.ids)  # type: ignore[union-attr]
    c, _, _ = torch_reference(text)
    open_python_code(page, server_url, lang)
    open_dive(page, "find")
    # Select steps 40 … 59 with the mouse, as a learner selects text.
    first, last = page.locator("#text-body .tok[data-t='40']"), page.locator("#text-body .tok[data-t='59']")
    first.scroll_into_view_if_needed()
    a, b = first.bounding_box(), last.bounding_box()
    assert a is not None and b is not None
    page.mouse.move(a["x"] + 1, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] - 1, b["y"] + b["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function("() => document.getElementById('find-stop').value === '60'")
    assert page.input_value("#find-start") == "40"

    page.click("#find-run")
    page.wait_for_selector("#find-results li")
    listed = page.eval_on_selector_all("#find-results input", "boxes => boxes.map(b => Number(b.value))")
    scores = span_scores(c, 40, 60)
    assert len(listed) == 10
    assert scores[listed[0]] == pytest.approx(scores.max(), abs=1e-6)  # ties may order either way
    assert sorted(scores[listed], reverse=True) == pytest.approx(np.sort(scores)[::-1][:10], abs=1e-6)

    after_a_drawing_pass(page, lambda: page.click("#find-show"))
    lanes = str(page.get_attribute("#belt", "data-lanes")).split(",")
    assert lanes[0] == str(listed[0]) and set(lanes) <= {str(k) for k in listed[:5]}
    assert page.evaluate("document.getElementById('timeline').drawn.units")[0] == listed[0]
    assert ", ".join(lanes) in str(page.text_content("#lanes-shown"))  # says which units, of how many
    assert "128" in str(page.text_content("#lanes-shown"))
    # The heatmap's rows are the chosen units too, and it says so.
    open_dive(page, "gates")
    page.wait_for_function("() => document.getElementById('gates').data?.[0]?.customdata")
    rows = page.evaluate("document.getElementById('gates').data[0].customdata.map(d => d[0])")
    assert rows == listed[:5]
    assert ", ".join(map(str, listed[:5])) in str(page.text_content("#gates-rows"))


def test_a_model_of_numbers_shows_no_text_box_nor_strip(page: Any, server_url: str) -> None:
    open_in(page, server_url, "en")
    assert page.is_hidden("#text-input") and page.is_hidden("#text-strip")
    load(page, "python-code")
    assert page.is_visible("#text-input") and page.is_visible("#text-strip")
    load(page, "latch")
    assert page.is_hidden("#text-input") and page.is_hidden("#text-strip")


def test_a_tokens_label_on_a_canvas_reads_as_the_token(page: Any, server_url: str) -> None:
    """Canvas labels take markup (tokens.js escapeHtml); every entity it writes reads back as the
    character (a step axis once showed "0 &quot;" under a step that read a quote)."""
    page.goto(server_url)
    tokens = ['"', "<", ">", "&", "&quot;", 'say "hi" & <go>']
    read = page.evaluate(
        """async (tokens) => {
            const { runs } = await import('/static/js/views/sketch.js');
            const { escapeHtml } = await import('/static/js/tokens.js');
            return tokens.map((token) => runs(escapeHtml(token)).map((run) => run.text).join(''));
        }""",
        tokens,
    )
    assert read == tokens


def test_a_quote_on_a_charts_step_axis_reads_as_a_quote(page: Any, server_url: str) -> None:
    """Plotly decodes numeric entities but not "&quot;": a step that read a quote once showed
    "&quot;" under its number on every chart."""
    open_python_code(page, server_url, "en")
    text = 'x = "a"\n'
    page.fill("#text-box", text)
    page.wait_for_function(f"code => {STRIP}.tokens.join('') === code", arg=text)
    open_dive(page, "gradients")
    page.wait_for_function("() => document.querySelectorAll('#gradients .xtick text').length === 8")
    ticks = page.eval_on_selector_all("#gradients .xtick text", "nodes => nodes.map(n => n.textContent)")
    assert ticks[4] == '4"' and ticks[6] == '6"'
    assert not any("&" in tick for tick in ticks)
