"""A long rerun drawn in parts (docs/protocol.md, A rerun in parts), in headless Chromium. The parts
are made one row long first (the first_part_weights setting) and the server made to pause before
each later part, so that every part is painted on its own: a slider move paints its step at once,
with the steps after it faded and marked "recomputing…" on the belt over time, and the parts that
follow bring every step to PyTorch's numbers and take the mark away."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.parts import weights_a_step
from app.scenarios import get_scenario
from tests.helpers import require_torch
from tests.test_page import body_data, go_to_step, open_page

pytestmark = pytest.mark.browser

STEP, VALUE = 10, 0.8
TOLERANCE = 1e-5  # the page's c travels as float32

# Each drawing pass stamps body[data-pending]; each stamp is recorded with what the belt over time
# drew (its mark, and unit 0's c at the moved step and at the step after it), the step shown and the
# belt's heading. Once the first part is painted, → goes to the step after it.
RECORD = f"""() => {{
  window.__passes = [];
  let stepped = false;
  new MutationObserver(() => {{
    const drawn = document.getElementById('timeline').drawn;
    const c = drawn.columns[drawn.units[0]].c;
    const pending = document.body.dataset.pending;
    window.__passes.push([pending, drawn.pending, c[{STEP}], c[{STEP + 1}], document.body.dataset.shownStep,
      document.getElementById('belt-heading').textContent]);
    if (pending === '{STEP + 1}' && !stepped) {{
      stepped = true;
      document.body.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'ArrowRight', bubbles: true }}));
    }}
  }}).observe(document.body, {{ attributes: true, attributeFilter: ['data-pending'] }});
}}"""


def torch_cells(x: np.ndarray, name: str = "hold-and-release") -> np.ndarray:
    """c (T, H) of the preset's LSTM over x, nn.LSTMCell stepped from its h0, c0."""
    import torch

    scenario = get_scenario(name)
    weights = scenario.weights
    cell = torch.nn.LSTMCell(weights.input_size, weights.hidden_size, dtype=torch.float64)
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    cell.load_state_dict({name: torch.from_numpy(getattr(weights, name)) for name in names})
    h, c = torch.from_numpy(scenario.h0)[None], torch.from_numpy(scenario.c0)[None]
    cells = []
    with torch.no_grad():
        for row in torch.from_numpy(x):
            h, c = cell(row[None], (h, c))
            cells.append(c[0].numpy().copy())
    return np.array(cells)


@pytest.fixture
def slow_parts(monkeypatch: pytest.MonkeyPatch, override_settings: Callable[..., None]) -> None:
    """One row first, then parts of 16 rows, each a quarter of a second after the last."""
    from app.web import stream

    override_settings(first_part_weights=weights_a_step(get_scenario("hold-and-release")))
    applied = stream._apply

    async def paused(session: Any, parsed: list[Any]) -> Any:
        if not parsed:
            await asyncio.sleep(0.25)
        return await applied(session, parsed)

    monkeypatch.setattr(stream, "_apply", paused)


@pytest.mark.usefixtures("slow_parts")
def test_a_move_paints_its_step_at_once_and_the_steps_after_it_as_the_rerun_reaches_them(
    page: Any, server_url: str
) -> None:
    require_torch()
    scenario = get_scenario("hold-and-release")
    before = torch_cells(scenario.x)
    x = scenario.x.copy()
    x[STEP, 0] = VALUE
    after = torch_cells(x)
    open_page(page, server_url)
    go_to_step(page, STEP)
    page.evaluate(RECORD)
    revision = body_data(page, "revision")
    page.locator("input.input-slider[data-j='0']").fill(str(VALUE))
    page.wait_for_function(
        "old => document.body.dataset.revision !== old && document.body.dataset.pending === ''", arg=revision
    )
    passes = page.evaluate("window.__passes")
    first = [p for p in passes if p[0] == str(STEP + 1)]
    assert first, passes  # the first part (the moved step alone) was painted on its own
    _, marked, moved, next_step, _, heading = first[0]
    assert marked == STEP + 1  # the belt over time faded the steps from the next one on
    assert moved == pytest.approx(after[STEP, 0], abs=TOLERANCE)  # the move's own step: new
    assert next_step == pytest.approx(before[STEP + 1, 0], abs=TOLERANCE)  # the rest: as before
    assert after[STEP + 1, 0] != pytest.approx(before[STEP + 1, 0], abs=1e-3)  # (which the move changes)
    assert [p[0] for p in passes if p[0] not in ("", str(STEP + 1))] == ["27"]  # 16 rows, then the rest
    # The step the rerun has not reached says its numbers are from before the change, until it has.
    assert "before your change" not in heading
    ahead = [p[5] for p in passes if p[0] == str(STEP + 1) and p[4] == str(STEP + 1)]
    assert ahead and all("numbers from before your change" in text for text in ahead), passes
    assert "before your change" not in page.text_content("#belt-heading")
    drawn = drawn_lanes(page)
    assert drawn["pending"] is None and drawn["units"]
    for k in drawn["units"]:
        assert drawn["columns"][str(k)]["c"] == pytest.approx(after[:, k], abs=TOLERANCE), k


def drawn_lanes(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            "(() => { const d = document.getElementById('timeline').drawn; "
            "return {units: d.units, columns: d.columns, pending: d.pending}; })()"
        )
    )


def test_frames_of_some_units_write_their_columns_into_the_rows_held(page: Any, server_url: str) -> None:
    """A model of more units than lanes (python-code, H=128): the page names the units it shows and
    each frame's columns are written into the rows it holds; after two moves every lane is PyTorch's."""
    require_torch()
    from tests.test_page_workbench import load

    name = "python-code"
    x = get_scenario(name).x.copy()
    open_page(page, server_url)
    load(page, name)
    for t, value in ((100, 0.7), (60, -0.4)):
        go_to_step(page, t)
        revision = body_data(page, "revision")
        page.locator("input.input-slider[data-j='0']").fill(str(value))
        page.wait_for_function("old => document.body.dataset.revision !== old", arg=revision)
        x[t, 0] = value
    c = torch_cells(x, name)
    drawn = drawn_lanes(page)
    assert 0 < len(drawn["units"]) < c.shape[1]  # some units, named by the page
    for k in drawn["units"]:
        assert drawn["columns"][str(k)]["c"] == pytest.approx(c[:, k], abs=TOLERANCE), k
