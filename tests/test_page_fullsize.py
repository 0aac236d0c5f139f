"""Issue 20's full-size model on the page, in headless Chromium: a char model of Embedding(96, 256)
→ nn.LSTM(256, 1,024, num_layers=2) → Linear(1,024, 96), ~55 MB as float32 .safetensors, uploaded
through the page's file input (over 512 KiB: POST /api/open, then the socket's `open`). The stack is
kept whole, the default limits admit it, no WebSocket message is over 4 MiB, typed text is read,
and the belt over time's c lanes of both layers equal PyTorch's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.fullsize import HIDDEN, full_size_model, torch_cells, torch_gradient_sizes
from tests.helpers import open_dive, require_torch
from tests.test_page import body_data, wait_for_new_revision

pytestmark = pytest.mark.browser

MIB = 1024 * 1024
TEXT = "def f(x):\n    return x + 1\n"
STRIP = "document.getElementById('text-strip').drawn"
COLUMNS = "document.getElementById('timeline').drawn"
TOLERANCE = 1e-5  # the page's c travels as float32


def assert_lanes_match(page: Any, c: np.ndarray) -> None:
    drawn = page.evaluate(f"(({{units, columns}}) => ({{units, columns}}))({COLUMNS})")
    units = drawn["units"]
    assert units and len(units) < HIDDEN  # a bounded set of lanes, not every unit
    for k in units:
        assert drawn["columns"][str(k)]["c"] == pytest.approx(c[:, k], abs=TOLERANCE), k


def test_the_full_size_stack_uploads_reads_text_and_draws_torchs_numbers(
    page: Any, server_url: str, tmp_path: Path, override_settings: Callable[..., None]
) -> None:
    require_torch()
    override_settings(open_dir=str(tmp_path / "opened"))  # the default limits otherwise
    path = tmp_path / "char-1024.safetensors"
    embed, lstm = full_size_model(path)
    assert 50 * MIB < path.stat().st_size < 60 * MIB
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(len(data))))
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    revision = body_data(page, "revision")

    page.set_input_files("#upload-weights", str(path))
    page.wait_for_selector("#stack-pick", state="visible", timeout=45_000)
    revision = wait_for_new_revision(page, revision)
    options = page.eval_on_selector_all("#stack-layer option", "options => options.map(o => o.value)")
    assert options == ["0:f", "1:f"]
    assert page.evaluate("document.body.dataset.ready") == "true"

    page.fill("#text-box", TEXT)  # read once typing pauses
    page.wait_for_function(f"text => {STRIP} && {STRIP}.tokens.join('') === text", arg=TEXT, timeout=30_000)
    page.wait_for_function(f"T => {COLUMNS}.T === T", arg=len(TEXT))
    cells = torch_cells(embed, lstm, TEXT)
    assert_lanes_match(page, cells[0])

    revision = body_data(page, "revision")
    page.select_option("#stack-layer", "1:f")
    wait_for_new_revision(page, revision)
    page.wait_for_function(f"{STRIP}.tokens.join('') === {json.dumps(TEXT)}")
    assert_lanes_match(page, cells[1])
    assert received and max(received) <= 4 * MIB, max(received)

    # The gradients dive at full size: its frames carry the lanes' columns, and the chart of every
    # unit draws the norms the server computed over all 1,024, PyTorch's.
    open_dive(page, "gradients")
    series = "uid => document.getElementById('gradients').data.find(d => d.uid === uid)"
    read = f"uid => ({series})(uid).customdata.map(d => d[0])"
    page.wait_for_function("() => document.getElementById('gradients').data?.length > 0", timeout=30_000)
    expected = torch_gradient_sizes(embed, lstm, TEXT, 1)
    assert page.evaluate(read, "lstm-dc") == pytest.approx(expected["dL_dc_norm"], rel=1e-6)
    assert page.evaluate(read, "belt") == pytest.approx(expected["belt_max"], rel=1e-6)
    assert page.evaluate("document.getElementById('status').textContent").find("Error") < 0
    assert max(received) <= 4 * MIB, max(received)
