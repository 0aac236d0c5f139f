"""A link to a page that shows a kept model (a stack or a model that reads text, uploaded on the
page, or a notebook's /api/open) stands for what it shows, in headless Chromium: opened in a fresh
page, it shows the same layer and direction with the same inputs, or the same text, and every
number is PyTorch's — not the default scenario, and not one layer of the stack as a model of its own.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from tests.helpers import require_torch
from tests.test_page import body_data, readout_table, wait_for_new_revision
from tests.test_page_open import post_json
from tests.test_session_stack import INPUTS, saved, torch_views

pytestmark = pytest.mark.browser

STEPS = 40  # an upload opens on 40 steps; these inputs replace them
TOLERANCE = 6e-5  # the numbers dive shows 4 decimals


def saved_link(page: Any) -> str:
    """The page's URL once its link is written for the state on show."""
    page.wait_for_function(
        "document.body.dataset.link === 'saved' && location.hash.startsWith('#s=')", timeout=10_000
    )
    page.wait_for_timeout(400)  # the link follows the state 250 ms after it settles
    page.wait_for_function("document.body.dataset.link === 'saved'")
    return str(page.url)


def opened_fresh(browser: Any, url: str) -> Any:
    """The link opened in a new browser context: no session, storage or page state in common."""
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True).new_page()
    fresh.goto(url)
    fresh.wait_for_function(
        "['ready', 'link'].every(k => document.body.dataset[k] === {ready: 'true', link: 'saved'}[k])"
    )
    return fresh


def upload(page: Any, data: bytes, name: str) -> None:
    page.set_input_files(
        "#upload-weights", {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )


def test_a_link_to_an_uploaded_stack_opens_its_layer_with_its_inputs(
    page: Any, browser: Any, server_url: str
) -> None:
    require_torch()
    import torch

    torch.manual_seed(31)
    lstm = torch.nn.LSTM(INPUTS, 4, num_layers=2, bidirectional=True).double()
    lstm.load_state_dict({k: v.float().double() for k, v in lstm.state_dict().items()})
    x = np.random.default_rng(31).uniform(-1.95, 1.95, (STEPS, INPUTS)).round(3)  # inside the sliders
    data, name = saved(lstm.state_dict(), "safetensors")
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    revision = body_data(page, "revision")
    upload(page, data, name)
    page.wait_for_selector("#stack-pick", state="visible")
    revision = wait_for_new_revision(page, revision)
    csv = "\n".join(",".join(f"{v:.3f}" for v in row) for row in x).encode()
    page.set_input_files("#upload-inputs", {"name": "x.csv", "mimeType": "text/csv", "buffer": csv})
    revision = wait_for_new_revision(page, revision)
    page.select_option("#stack-layer", "1:r")
    wait_for_new_revision(page, revision)

    fresh = opened_fresh(browser, saved_link(page))
    try:
        fresh.wait_for_selector("#stack-pick", state="visible")
        assert fresh.eval_on_selector("#stack-layer", "s => s.value") == "1:r"
        inputs, h, c = torch_views(lstm, x)[1, True]
        t = int(body_data(fresh, "shownStep"))
        cells, _ = readout_table(fresh)
        assert cells["h"][:4] == pytest.approx(h[t], abs=TOLERANCE)
        assert cells["c"][:4] == pytest.approx(c[t], abs=TOLERANCE)
        assert cells["x"] == pytest.approx(inputs[t], abs=TOLERANCE)
        sliders = fresh.eval_on_selector_all("input.input-slider", "s => s.map(e => Number(e.value))")
        assert sliders == pytest.approx(x[t], abs=0.006)  # layer 0's inputs at t, to a slider step
    finally:
        fresh.context.close()


def test_a_link_to_a_kept_text_model_reads_the_text_typed_in_it(
    page: Any, browser: Any, server_url: str
) -> None:
    require_torch()
    import torch

    vocab = list("abcdef \n")
    torch.manual_seed(32)
    embed, lstm = torch.nn.Embedding(len(vocab), 5).double(), torch.nn.LSTM(5, 6).double()
    decoder = torch.nn.Linear(6, len(vocab)).double()
    arrays = {"embed.weight": embed.weight, "decoder.weight": decoder.weight, "decoder.bias": decoder.bias}
    arrays |= {f"lstm.{name}": value for name, value in lstm.state_dict().items()}
    data, name = saved(arrays, "safetensors", {"vocab": json.dumps(vocab)})
    sockets: list[Any] = []

    def through(route: Any) -> None:  # every connection passes through, so the test can cut it
        route.connect_to_server()
        sockets.append(route)

    page.route_web_socket("**/ws?encoding=binary", through)
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    upload(page, data, name)
    page.wait_for_selector("#text-box", state="visible")
    revision = body_data(page, "revision")
    text = "a bed\nfed cab"
    page.fill("#text-box", text)
    page.press("#text-box", "Control+Enter")
    wait_for_new_revision(page, revision)
    link = saved_link(page)

    page.evaluate("document.activeElement.blur()")  # the box then shows what the session reads
    sockets[-1].close()  # a dropped connection: the new session gets the kept model and the text
    page.wait_for_selector("body[data-session='2'][data-ready='true']")
    assert len(sockets) == 2 and page.eval_on_selector("#text-box", "box => box.value") == text
    assert page.inner_text("#text-box-note").startswith(f"{len(text)} tokens")

    fresh = opened_fresh(browser, link)
    try:
        fresh.wait_for_selector("#text-box", state="visible")
        assert fresh.eval_on_selector("#text-box", "box => box.value") == text
        ids = torch.tensor([vocab.index(ch) for ch in text])
        with torch.no_grad():
            _, (h, c) = lstm(embed(ids)[:, None])  # the last step's state
        fresh.keyboard.press("End")  # the last step
        fresh.wait_for_selector(f"body[data-shown-step='{len(text) - 1}']")
        cells, _ = readout_table(fresh)
        assert cells["h"] == pytest.approx(h[0, 0].numpy(), abs=TOLERANCE)
        assert cells["c"] == pytest.approx(c[0, 0].numpy(), abs=TOLERANCE)
    finally:
        fresh.context.close()


def test_a_notebooks_kept_model_keeps_its_inputs_edited_on_the_page(
    page: Any, browser: Any, server_url: str
) -> None:
    """A model too large to travel in a link (over 20,000 parameters: its weights are not sent to the
    page) opened from /api/open: the link names it by its key, with the inputs as the page set them."""
    rng = np.random.default_rng(33)
    hidden, inputs, steps = 80, 2, 6
    weights = {
        "weight_ih": rng.uniform(-0.3, 0.3, (4 * hidden, inputs)),
        "weight_hh": rng.uniform(-0.3, 0.3, (4 * hidden, hidden)),
        "bias_ih": rng.uniform(-0.3, 0.3, 4 * hidden),
        "bias_hh": rng.uniform(-0.3, 0.3, 4 * hidden),
    }
    x = rng.uniform(-1, 1, (steps, inputs))
    body = {"weights": {k: v.tolist() for k, v in weights.items()}, "x": x.tolist(), "title": "kept"}
    answer = post_json(f"{server_url}/api/open", body)
    page.goto(answer["url"])
    page.wait_for_function("document.body.dataset.ready === 'true' && document.title.includes('kept')")
    revision = body_data(page, "revision")
    t = int(body_data(page, "step"))
    page.eval_on_selector(
        'input.input-slider[data-j="0"]',
        "s => { s.value = '0.5'; s.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    wait_for_new_revision(page, revision)
    x[t, 0] = 0.5
    url = saved_link(page).replace(f"?open={answer['id']}", "")  # the fragment alone names the model

    from app.engine.lstm import LSTMWeights, run

    fresh = opened_fresh(browser, url)
    try:
        fresh.wait_for_function("document.title.includes('kept')")
        step = int(body_data(fresh, "shownStep"))
        cells, _ = readout_table(fresh)
        assert cells["x"] == pytest.approx(x[step], abs=TOLERANCE)
        expected = run(LSTMWeights(**weights), x).h[step]
        assert len(cells["h"]) >= 8 and cells["h"][:8] == pytest.approx(expected[:8], abs=TOLERANCE)
    finally:
        fresh.context.close()
