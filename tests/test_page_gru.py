"""The GRU on the page, in headless Chromium: the model switch runs a scenario's GRU version; the
belt, the numbers dive and the equations show the GRU's quantities; stepping, an input slider,
the walk-through and a clamp work for it; in English and in Korean.

The numbers on the page are compared with the engine's GRU run independently here (and the belt's
h with torch.nn.GRUCell: tests/test_engine_gru.py checks the engine against torch in full).
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pytest

from app.engine import gru
from app.engine.knobs import GRUKnobs, gru_weights
from app.gru_scenarios import get_gru_scenario
from tests.helpers import open_in, require_torch
from tests.test_page import body_data, readout_table, show_dive, show_lab, wait_for_new_revision

pytestmark = pytest.mark.browser

TOLERANCE = 6e-5  # the numbers dive shows 4 decimals
SHOWN = ("h_prev", "r", "z", "n", "kept", "forgotten", "added", "h", "pre_r", "pre_z", "pre_n", "pre_n_h")


def engine(x: np.ndarray | None = None, clamp: np.ndarray | None = None) -> Any:
    s = get_gru_scenario("hold-and-release")
    return gru.run(gru_weights(s.weights, GRUKnobs()), s.x if x is None else x, s.h0, clamp)


def assert_numbers_match(page: Any, trace: Any, t: int) -> None:
    cells, caption = readout_table(page)
    assert str(t) in caption
    for q in SHOWN:
        assert cells[q][:3] == pytest.approx(getattr(trace, q)[t], abs=TOLERANCE), q


def open_gru(page: Any, server_url: str, lang: str) -> None:
    open_in(page, server_url, lang)
    revision = body_data(page, "revision")
    page.locator("#model-kind button[data-kind='gru']").press("Enter")
    page.wait_for_selector("#model-kind button[data-kind='gru'][aria-pressed='true']")
    page.wait_for_function("old => document.body.dataset.shownRevision !== old", arg=revision)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_scenario_switched_to_its_gru_shows_the_grus_numbers(page: Any, server_url: str, lang: str) -> None:
    require_torch()
    import torch

    open_gru(page, server_url, lang)
    trace = engine()
    t = int(body_data(page, "shownStep"))
    assert t == 5  # the GRU version opens where its LSTM does: the signal's write
    # The belt's labels: h_{t−1} on the way in, h_t on the belt, and no c anywhere.
    belt_h = page.eval_on_selector_all("#belt [data-q='h']", "nodes => nodes.map(n => n.textContent)")
    assert len(belt_h) == 3 and not page.query_selector("#belt [data-q='c']")
    shown = [float(re.findall(r"[−-]?\d+\.\d+", text)[-1].replace("−", "-")) for text in belt_h]
    assert shown == pytest.approx(trace.h[t], abs=6e-4)
    # h_t against torch.nn.GRUCell on the same weights and inputs.
    s = get_gru_scenario("hold-and-release")
    cell = torch.nn.GRUCell(2, 3, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.from_numpy(getattr(s.weights, name)))
        h = torch.zeros(3, dtype=torch.float64)
        for row in torch.from_numpy(s.x[: t + 1]):
            h = cell(row, h)
    assert shown == pytest.approx(h.numpy(), abs=6e-4)

    show_dive(page, "numbers")
    assert_numbers_match(page, trace, t)
    page.locator("#belt").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("body[data-step='6']")  # the whole pass, the numbers dive included
    assert_numbers_match(page, trace, 6)

    # An input slider of step 6: the GRU runs again from there.
    revision = body_data(page, "revision")
    page.locator("#input-0").focus()
    for _ in range(30):
        page.keyboard.press("ArrowLeft")
    wait_for_new_revision(page, revision)
    page.wait_for_function(
        "document.body.dataset.revision === document.body.dataset.shownRevision"
    )  # drawn whole
    x = engine().x.copy()
    x[6, 0] = float(page.evaluate("document.getElementById('input-0').value"))
    assert x[6, 0] == pytest.approx(-0.3)  # 30 steps of 0.01 down from 0
    assert_numbers_match(page, engine(x), 6)

    # The walk-through's third move is the GRU's write: + (1 − z)·n.
    page.locator("#belt").focus()
    page.keyboard.press("3")
    page.wait_for_selector("#walk-caption:not([hidden])")
    assert "(1 − z)·n" in page.locator("#walk-caption").inner_text()
    page.keyboard.press("Escape")

    # A clamp of the GRU's update gate: z held at 1 for every unit keeps h_{t−1} whole.
    show_lab(page, "clamps")
    assert (
        page.locator(".clamp[data-gate='f']").is_hidden()
        and page.locator(".clamp[data-gate='z']").is_visible()
    )
    revision = body_data(page, "revision")
    page.locator("#clamp-z-on").press("Space")
    wait_for_new_revision(page, revision)
    page.wait_for_function(
        "document.body.dataset.revision === document.body.dataset.shownRevision"
    )  # drawn whole
    clamp = np.full((3, 3), np.nan)
    clamp[1] = 1.0
    clamped = engine(x, clamp)
    assert_numbers_match(page, clamped, 6)
    assert clamped.h[6] == pytest.approx(clamped.h_prev[6])

    # The page's link holds the GRU, its input and its clamp: opened, the same numbers come back.
    page.wait_for_function("document.body.dataset.link === 'saved' && location.hash.startsWith('#s=')")
    page.wait_for_function("typeof window.Plotly === 'object'")  # leaving while it loads fails it
    page.goto(f"{server_url}/{page.evaluate('location.hash')}")
    page.wait_for_selector("#model-kind button[data-kind='gru'][aria-pressed='true']")
    page.wait_for_selector("body[data-step='6']")
    assert_numbers_match(page, clamped, 6)

    # Back to the LSTM: its belt carries c again.
    page.locator("#model-kind button[data-kind='lstm']").press("Enter")
    page.wait_for_selector("#model-kind button[data-kind='lstm'][aria-pressed='true']")
    page.wait_for_selector("#belt [data-q='c']")


def test_someones_own_gru_file_opens_as_a_gru_and_travels_in_the_link(page: Any, server_url: str) -> None:
    """An nn.GRU layer's file on the import button: the page asks for either kind, and the server's
    GRU session follows; the page's link carries the GRU's weights (3H rows) and its kind."""
    rng = np.random.default_rng(4)
    layer = {
        "weight_ih_l0": rng.uniform(-1, 1, (9, 2)),
        "weight_hh_l0": rng.uniform(-1, 1, (9, 3)),
        "bias_ih_l0": rng.uniform(-1, 1, 9),
        "bias_hh_l0": rng.uniform(-1, 1, 9),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **layer)  # type: ignore[arg-type]
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    revision = body_data(page, "revision")
    page.set_input_files("#upload-weights", files=[{"name": "gru.npz", "mimeType": "application/octet-stream",
                                                     "buffer": buffer.getvalue()}])  # fmt: skip
    wait_for_new_revision(page, revision)
    weights = gru.GRUWeights(
        layer["weight_ih_l0"], layer["weight_hh_l0"], layer["bias_ih_l0"], layer["bias_hh_l0"]
    )
    t = int(body_data(page, "shownStep"))

    def belt_h() -> list[float]:
        texts = page.eval_on_selector_all("#belt [data-q='h']", "nodes => nodes.map(n => n.textContent)")
        return [float(re.findall(r"[−-]?\d+\.\d+", text)[-1].replace("−", "-")) for text in texts]

    steps = np.zeros((t + 1, 2))  # someone's own model opens on zero inputs
    expected = gru.run(weights, steps).h[t]
    assert belt_h() == pytest.approx(expected, abs=6e-4)
    assert page.locator("#model-kind").is_hidden()  # nothing to switch to: the model is the file's

    page.wait_for_function("document.body.dataset.link === 'saved' && location.hash.startsWith('#s=')")
    page.wait_for_function("typeof window.Plotly === 'object'")
    page.goto(f"{server_url}/{page.evaluate('location.hash')}")
    page.wait_for_selector("body[data-ready='true']")
    page.wait_for_selector("#belt [data-q='h']")
    assert belt_h() == pytest.approx(expected, abs=6e-4)
    assert not page.query_selector("#belt [data-q='c']")


GAP_JS = """gate => {
    const top = (el) => el.getBoundingClientRect().top;
    const last = document.querySelector(`#belt .view-label[data-q='${gate}'][data-unit='0']`);
    // the stations' names over the belt: the labels with no quantity, below the gate room
    const names = [...document.querySelectorAll(
        '#belt .view-labels > .view-label:not([data-q]):not([data-unit])')]
        .filter((el) => el.getBoundingClientRect().height > 0 && top(el) > top(last));
    return Math.round(Math.min(...names.map(top)) - top(last));
}"""


def test_on_a_phone_the_grus_three_gates_leave_no_empty_row_in_the_gate_room(
    page: Any, server_url: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    assert page.get_attribute("#belt", "data-layout").startswith("narrow")  # the stacked lane of a phone
    lstm_gap, lstm_height = (
        page.evaluate(GAP_JS, "o"),
        page.evaluate("document.getElementById('belt').offsetHeight"),
    )
    revision = body_data(page, "revision")
    page.locator("#model-kind button[data-kind='gru']").press("Enter")
    page.wait_for_function("old => document.body.dataset.shownRevision !== old", arg=revision)
    page.wait_for_selector("#belt .view-label[data-q='n']")
    # Under the GRU's last gate (n) the stations' names follow as closely as under the LSTM's (o):
    # the row an LSTM's output gate takes is not left empty.
    assert page.evaluate(GAP_JS, "n") == lstm_gap
    assert page.evaluate("document.getElementById('belt').offsetHeight") == lstm_height - 18  # one gate row
