"""A model whose inputs are more than one message carries (T = 1,000 of D = 1,024), opened from
/api/open in headless Chromium: it opens (it was refused as too large), the sliders, the input
strip and the numbers table show the first inputs and say how many of D they are, a slider moves
its input and the numbers follow PyTorch's; the link names the kept model while the inputs are its
own, and once a slider moved one the share note says why there is no link."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.test_page import body_data, readout_table, wait_for_new_revision
from tests.test_page_open import post_json
from tests.test_page_share import decode_link
from tests.test_session_wide_inputs import layer, torch_h

pytestmark = pytest.mark.browser

STEPS, INPUTS, HIDDEN = 1000, 1024, 8
TOLERANCE = 6e-5  # the numbers dive shows 4 decimals


def test_a_model_with_inputs_wider_than_a_message_opens_and_follows_a_slider(
    page: Any, server_url: str
) -> None:
    rng = np.random.default_rng(41)
    weights = layer(rng, INPUTS, HIDDEN)
    x = rng.uniform(-1, 1, (STEPS, INPUTS)).round(2)
    body = {
        "weights": {
            name: getattr(weights, name).tolist() for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        },
        "x": x.tolist(),
        "title": "wide",
    }
    answer = post_json(f"{server_url}/api/open", body)
    page.goto(answer["url"])
    page.wait_for_function("document.body.dataset.ready === 'true' && document.title.includes('wide')")

    sliders = page.eval_on_selector_all("input.input-slider", "s => s.length")
    assert sliders == 16
    assert "inputs 0–15 of 1024" in page.inner_text("#input-sliders")
    t = int(body_data(page, "step"))
    cells, _ = readout_table(page)
    assert cells["x"] == pytest.approx(x[t, :64], abs=TOLERANCE)
    assert "(0–63 of 1024" in page.inner_text("table.readout-inputs caption")
    [h] = torch_h([weights], x)
    assert cells["h"] == pytest.approx(h[t], abs=TOLERANCE)

    # Still the model's own inputs: the link names the kept model alone, and opens it as shown.
    page.wait_for_selector("body[data-link='saved']")
    link = decode_link(page.url)
    assert "open" in link and "x" not in link, link
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_function("document.body.dataset.ready === 'true' && document.title.includes('wide')")
    assert body_data(other, "step") == str(t)
    other_cells, _ = readout_table(other)
    assert other_cells["x"] == pytest.approx(x[t, :64], abs=TOLERANCE)
    assert other_cells["h"] == pytest.approx(h[t], abs=TOLERANCE)
    other.close()

    revision = body_data(page, "revision")
    page.eval_on_selector(
        'input.input-slider[data-j="3"]',
        "s => { s.value = '-0.75'; s.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    wait_for_new_revision(page, revision)
    x[t, 3] = -0.75
    [h] = torch_h([weights], x)
    cells, _ = readout_table(page)
    assert cells["x"][3] == pytest.approx(-0.75) and cells["h"] == pytest.approx(h[t], abs=TOLERANCE)

    page.wait_for_selector("#share-note", state="visible")
    assert "1000×1024 numbers" in page.inner_text("#share-note")
    assert page.evaluate("location.hash") == ""  # no link that would stand for other inputs
