"""Training from the page, in headless Chromium: the "Train it yourself" dive starts a training
on the server, the belt moves while it learns, the curves fill, pause hands over the trained model;
its numbers on the page are then compared with torch.nn.LSTM run on the exported weights and inputs.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import numpy as np
import pytest

from tests.helpers import require_torch
from tests.test_page import readout_table, show_dive

pytestmark = pytest.mark.browser


def status(page: Any) -> tuple[str, str]:
    element = page.locator("#train-status")
    return element.get_attribute("data-state") or "", element.inner_text()


def belt_c(page: Any) -> list[str]:
    script = "nodes => nodes.map(n => n.textContent)"
    texts: list[str] = page.eval_on_selector_all("#belt [data-q='c']", script)
    return texts


def exported(page: Any, button: str) -> bytes:
    show_dive(page, "files")
    with page.expect_download() as download:
        page.locator(button).click()
    data: bytes = download.value.path().read_bytes()
    return data


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_training_started_on_the_page_moves_the_belt_and_hands_over_its_model(
    page: Any, server_url: str, lang: str
) -> None:
    require_torch()
    import torch

    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    if lang == "ko":
        page.click("#lang button[data-lang='ko']")
        page.wait_for_selector("body[data-lang='ko']")
    show_dive(page, "train")
    assert status(page)[0] == ""  # nothing trains yet
    page.fill("#train-steps", "20")
    page.fill("#train-hidden", "4")
    page.select_option("#train-task", "copy")
    page.select_option("#train-pace", "")  # as fast as it goes (the page's default is one to watch)
    page.locator("#train-start").press("Enter")
    page.wait_for_selector("#train-status[data-state='running']")
    page.wait_for_function("document.getElementById('train-progress').value >= 20")
    first = belt_c(page)
    # The belt shows the probe under the weights as they learn: its numbers change as updates go on.
    page.wait_for_function(
        "first => JSON.stringify([...document.querySelectorAll('#belt [data-q=c]')].map(n => n.textContent))"
        " !== JSON.stringify(first)",
        arg=first,
    )
    revision = page.evaluate("document.body.dataset.shownRevision")
    page.locator("#train-toggle").press("Enter")  # pause
    page.wait_for_selector("#train-status[data-state='paused']")
    page.wait_for_function("old => document.body.dataset.shownRevision !== old", arg=revision)
    _, words = status(page)
    if lang == "ko":
        assert re.search("[가-힣]", words), words
    # The curves: a point per progress message, the held-out loss lower at the end than at the start.
    loss = page.evaluate("document.getElementById('train-curve').data[0].y")
    forget = page.evaluate("document.getElementById('train-forget').data.length")
    assert len(loss) >= 3 and loss[-1] < loss[0], loss
    assert forget == 4  # a line per unit

    # The trained model is the session's: its numbers on the page are torch's for its weights.
    weights = np.load(io.BytesIO(exported(page, "#export-weights-npz")))
    x = np.array(json.loads(exported(page, "#export-trace-json"))["x"])
    assert x.shape == (20, 2)
    cell = torch.nn.LSTMCell(2, 4, dtype=torch.float64)
    hs, cs = [], []
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            key = next(k for k in weights.files if k.startswith(name))
            getattr(cell, name).copy_(torch.from_numpy(weights[key]))
        h_t = c_t = torch.zeros(4, dtype=torch.float64)
        for row in torch.from_numpy(x):
            h_t, c_t = cell(row, (h_t, c_t))
            hs.append(h_t.numpy().copy())
            cs.append(c_t.numpy().copy())
    t = int(page.evaluate("document.body.dataset.shownStep"))
    cells, _ = readout_table(page)
    assert cells["h"][:4] == pytest.approx(hs[t], abs=6e-5)
    assert cells["c"][:4] == pytest.approx(cs[t], abs=6e-5)


def test_a_gru_trained_on_the_page_is_the_sessions_gru_in_both_languages(page: Any, server_url: str) -> None:
    require_torch()
    import torch

    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    show_dive(page, "train")
    page.fill("#train-steps", "20")
    page.fill("#train-hidden", "3")
    page.select_option("#train-model", "gru")
    page.select_option("#train-pace", "")
    page.locator("#train-start").press("Enter")
    page.wait_for_selector("#train-status[data-state='running']")
    page.wait_for_function("document.getElementById('train-progress').value >= 20")
    revision = page.evaluate("document.body.dataset.shownRevision")
    page.locator("#train-toggle").press("Enter")  # pause
    page.wait_for_selector("#train-status[data-state='paused']")
    page.wait_for_function("old => document.body.dataset.shownRevision !== old", arg=revision)
    # A GRU session: its belt carries h (no c), and the keeping gate the chart follows is z.
    page.wait_for_selector("#belt [data-q='h']")
    assert not page.query_selector("#belt [data-q='c']")
    assert (
        page.locator("#dive-train h4[data-i18n='training.forgetHeading']").inner_text()
        == "Watch z learn to hold"
    )
    axis = page.evaluate("document.getElementById('train-forget').layout.yaxis.title.text")
    assert axis == "mean z while holding"
    assert page.evaluate("document.getElementById('train-forget').data.length") == 3

    weights = np.load(io.BytesIO(exported(page, "#export-weights-npz")))
    x = np.array(json.loads(exported(page, "#export-trace-json"))["x"])
    cell = torch.nn.GRUCell(2, 3, dtype=torch.float64)
    hs = []
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            key = next(k for k in weights.files if k.startswith(name))
            assert weights[key].shape[0] == 9  # 3H rows: r, z, n
            getattr(cell, name).copy_(torch.from_numpy(weights[key]))
        h_t = torch.zeros(3, dtype=torch.float64)
        for row in torch.from_numpy(x):
            h_t = cell(row, h_t)
            hs.append(h_t.numpy().copy())
    t = int(page.evaluate("document.body.dataset.shownStep"))
    cells, _ = readout_table(page)
    assert cells["h"][:3] == pytest.approx(hs[t], abs=6e-5)

    page.click("#lang button[data-lang='ko']")
    page.wait_for_selector("body[data-lang='ko']")
    heading = page.locator("#dive-train h4[data-i18n='training.forgetHeading']")
    page.wait_for_function("el => el.textContent.includes('z가')", arg=heading.element_handle())
    assert page.locator("#train-model option[value='gru']").inner_text() == "GRU"
