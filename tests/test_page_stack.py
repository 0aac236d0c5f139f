"""A stack of layers uploaded on the page (nn.LSTM(num_layers=2, bidirectional=True), saved as
.safetensors), in headless Chromium: the layer picker lists every direction of every layer, the
page shows the one picked, and its numbers equal PyTorch's (nn.LSTMCell stepped over each
direction's own input); the sliders keep setting layer 0's inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.helpers import open_in, record_sent_messages, require_torch
from tests.test_page import body_data, readout_table, wait_for_new_revision
from tests.test_session_stack import INPUTS, saved, torch_views

pytestmark = pytest.mark.browser

STEPS = 40  # an upload opens on 40 steps; these inputs replace them
TOLERANCE = 6e-5  # the numbers dive shows 4 decimals


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_layer_of_an_uploaded_stack_shows_torchs_numbers(page: Any, server_url: str, lang: str) -> None:
    require_torch()
    import torch

    torch.manual_seed(3)
    lstm = torch.nn.LSTM(INPUTS, 4, num_layers=2, bidirectional=True).double()
    x = np.random.default_rng(3).uniform(-1.95, 1.95, (STEPS, INPUTS)).round(3)  # inside the sliders
    views = torch_views(lstm, x)
    data, name = saved(lstm.state_dict(), "safetensors")

    sent = record_sent_messages(page)
    open_in(page, server_url, lang)
    revision = body_data(page, "revision")
    weights_file = {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    page.set_input_files("#upload-weights", weights_file)
    page.wait_for_selector("#stack-pick", state="visible")
    revision = wait_for_new_revision(page, revision)
    options = page.eval_on_selector_all("#stack-layer option", "options => options.map(o => o.value)")
    assert options == ["0:f", "0:r", "1:f", "1:r"]
    csv = "\n".join(",".join(f"{v:.3f}" for v in row) for row in x).encode()
    page.set_input_files("#upload-inputs", {"name": "x.csv", "mimeType": "text/csv", "buffer": csv})
    revision = wait_for_new_revision(page, revision)

    for value in ["1:r", "0:r", "1:f"]:
        page.select_option("#stack-layer", value)
        revision = wait_for_new_revision(page, revision)
        layer, reverse = int(value[0]), value[2] == "r"
        inputs, h, c = views[layer, reverse]
        t = int(body_data(page, "shownStep"))
        cells, _ = readout_table(page)
        assert cells["c"][:4] == pytest.approx(c[t], abs=TOLERANCE), value
        assert cells["h"][:4] == pytest.approx(h[t], abs=TOLERANCE), value
        # The shown direction reads its own input (layer 1 reads layer 0's 8 outputs) ...
        assert cells["x"] == pytest.approx(inputs[t], abs=TOLERANCE), value
        # ... while the sliders still set layer 0's inputs, at time t.
        sliders = page.eval_on_selector_all("input.input-slider", "s => s.map(e => Number(e.value))")
        assert sliders == pytest.approx(x[t], abs=0.005), value  # a slider moves in steps of 0.01

    # A slider move sets layer 0's input at t: the frame carries that one row of `inputs`
    # (docs/protocol.md, x_end), which the page splices in without asking for a snapshot, and
    # the shown direction's c follows PyTorch's on the moved inputs.
    syncs = sum(message["type"] == "sync" for message in sent)
    page.locator("input.input-slider[data-j='1']").fill("0.5")
    wait_for_new_revision(page, revision)
    x[t, 1] = 0.5
    assert sum(message["type"] == "sync" for message in sent) == syncs
    held = page.evaluate("import('/static/js/state.js').then(({ state }) => state.inputs)")
    np.testing.assert_array_equal(held, x)
    _, _, c = torch_views(lstm, x)[1, False]
    cells, _ = readout_table(page)
    assert cells["c"][:4] == pytest.approx(c[t], abs=TOLERANCE)
