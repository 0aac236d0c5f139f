"""A model posted to /api/open opens in the page at the URL the server answers (`/?open=<key>`),
as a notebook's IFrame shows it: its H units and its numbers, read from the server's disk."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.engine.lstm import LSTMWeights, run
from tests.helpers import open_dive, random_weights, require_torch
from tests.test_page import belt_labels, go_to_step, readout_table
from tests.test_page_share import decode_link

pytestmark = pytest.mark.browser

HIDDEN, INPUTS, STEPS = 3, 2, 7
TOLERANCE = 6e-5  # the numbers dive shows 4 decimals


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        result: dict[str, Any] = json.loads(answer.read())
        return result


def test_the_url_api_open_answers_shows_that_model(
    page: Any, server_url: str, tmp_path: Path, override_settings: Callable[..., None]
) -> None:
    override_settings(open_dir=str(tmp_path))
    rng = np.random.default_rng(5)
    rows = 4 * HIDDEN
    weights = {
        "weight_ih": rng.uniform(-1, 1, (rows, INPUTS)),
        "weight_hh": rng.uniform(-1, 1, (rows, HIDDEN)),
        "bias_ih": rng.uniform(-1, 1, rows),
        "bias_hh": rng.uniform(-1, 1, rows),
    }
    x = rng.uniform(-1, 1, (STEPS, INPUTS))
    body = {"weights": {k: v.tolist() for k, v in weights.items()}, "x": x.tolist(), "title": "notebook"}
    answer = post_json(f"{server_url}/api/open", body)
    assert answer["url"] == f"{server_url}/?open={answer['id']}"

    page.goto(answer["url"])
    page.wait_for_function("document.body.dataset.ready === 'true' && document.title.includes('notebook')")
    trace = run(LSTMWeights(**weights), x)
    shown = readout_table(page)[0]["h"]
    assert len(shown) == HIDDEN, shown  # the model's H units, not the default scenario's
    step = int(page.evaluate("document.body.dataset.step"))
    assert np.allclose(shown, trace.h[step], atol=TOLERANCE, rtol=0), (shown, trace.h[step])


def test_a_large_weights_file_is_opened_on_the_server_not_sent_through_the_socket(
    page: Any, server_url: str, tmp_path: Path, override_settings: Callable[..., None]
) -> None:
    from safetensors.numpy import save

    override_settings(open_dir=str(tmp_path))
    hidden, inputs = 256, 256  # 2 MiB of float32: as a restore's JSON, over the 4 MiB a message holds
    rng = np.random.default_rng(6)
    tensors = {
        "weight_ih_l0": rng.uniform(-0.1, 0.1, (4 * hidden, inputs)).astype(np.float32),
        "weight_hh_l0": rng.uniform(-0.1, 0.1, (4 * hidden, hidden)).astype(np.float32),
        "bias_ih_l0": np.zeros(4 * hidden, dtype=np.float32),
        "bias_hh_l0": np.zeros(4 * hidden, dtype=np.float32),
    }
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    page.set_input_files(
        "#upload-weights", files=[{"name": "big.safetensors", "mimeType": "application/octet-stream",
                                   "buffer": save(tensors)}],
    )  # fmt: skip
    page.wait_for_function("document.title.startsWith('big.safetensors')")
    sizes = page.evaluate("async () => (await import('/static/js/state.js')).state.sizes")
    assert sizes == {"T": 40, "D": inputs, "H": hidden}
    assert any('"type": "open"' in text or '"type":"open"' in text for text in sent), sent
    assert max(len(text) for text in sent) < 16_384  # the weights never went through the socket

    # Its inputs (40 × 256 numbers) are its own: the link names the kept model alone...
    page.wait_for_selector("body[data-link='saved']")
    link = decode_link(page.url)
    assert "open" in link and "x" not in link and "weights" not in link, link
    # ...until a slider moves one: then the link carries them (zeros but one: they pack small).
    before = page.evaluate("location.hash")
    page.eval_on_selector(
        'input.input-slider[data-j="0"]',
        "s => { s.value = '0.5'; s.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    rewritten = "(before) => location.hash !== before && document.body.dataset.link === 'saved'"
    page.wait_for_function(rewritten, arg=before)
    link = decode_link(page.url)
    t = int(page.evaluate("document.body.dataset.step"))
    assert "open" in link and len(link["x"]) == 40 and link["x"][t][0] == 0.5, link.get("x")


def test_ten_thousand_steps_open_with_as_many_lanes_as_a_message_carries(
    page: Any, server_url: str, tmp_path: Path, override_settings: Callable[..., None]
) -> None:
    """T = 10,000 (the most a sequence may hold): every unit's columns do not fit one message, so
    the belt shows the units that do, says which of how many, and each holds PyTorch's numbers."""
    require_torch()
    import torch

    override_settings(open_dir=str(tmp_path))
    hidden, inputs, steps = 8, 2, 10_000
    rng = np.random.default_rng(6)
    weights = {k: np.asarray(v) for k, v in random_weights(rng, inputs, hidden).items()}
    x = rng.uniform(-1, 1, (steps, inputs))
    lstm = torch.nn.LSTM(inputs, hidden, dtype=torch.float64)
    cell = torch.nn.LSTMCell(inputs, hidden, dtype=torch.float64)
    with torch.no_grad():
        for name, value in weights.items():
            getattr(lstm, f"{name}_l0").copy_(torch.from_numpy(value))
            getattr(cell, name).copy_(torch.from_numpy(value))
        h = lstm(torch.from_numpy(x)[:, None])[0][:, 0].numpy()
        state, cs = None, []
        for row in torch.from_numpy(x):  # c_t of every step: nn.LSTM returns only the last
            state = cell(row[None], state)
            cs.append(state[1][0].numpy())
        c = np.array(cs)

    body = {"weights": {k: v.tolist() for k, v in weights.items()}, "x": x.tolist(), "title": "long"}
    page.goto(post_json(f"{server_url}/api/open", body)["url"])
    page.wait_for_function("document.body.dataset.ready === 'true' && document.title.includes('long')")

    def shown_h() -> dict[int, float]:
        labels = [label for label in belt_labels(page) if label["q"] == "h"]
        return {label["unit"]: float(re.findall(r"[−-]?\d+\.\d+", label["text"])[-1].replace("−", "-"))
                for label in labels}  # fmt: skip

    for t in (0, steps - 1):
        go_to_step(page, t)
        page.wait_for_function("() => !document.querySelector('#belt').textContent.includes('—')")
        shown = shown_h()
        assert 1 <= len(shown) < hidden, shown  # as many lanes as fit, not all eight with dashes
        assert shown == pytest.approx({k: h[t, k] for k in shown}, abs=6e-4)
    first, last = min(shown), max(shown)
    said = page.inner_text("#lanes-shown")  # which units, of how many, honestly
    assert said == (f"unit {first} of 8" if first == last else f"units {first}–{last} of 8"), said

    # The next page of lanes brings its units' columns.
    page.click("#lanes-next")
    first_lane = "k => document.querySelector('#belt').dataset.lanes.split('-')[0] !== k"
    page.wait_for_function(first_lane, arg=str(first))
    page.wait_for_function("() => !document.querySelector('#belt').textContent.includes('—')")
    shown = shown_h()
    assert first not in shown and shown == pytest.approx({k: h[steps - 1, k] for k in shown}, abs=6e-4)

    # The memory race of "all units" races the units the page holds, and says which.
    open_dive(page, "gradients")
    belts = "document.getElementById('race').data?.filter((t) => t.uid.startsWith('lstm-c-'))"
    # (once the lanes for the dive are settled: the dive's frames carry more per unit, so it may
    # hold fewer units than the belt's page did, and the race follows a moment later)
    settled = f"""() => {{
      const raced = ({belts} || []).map((t) => Number(t.uid.slice(7)));
      const [first, last] = document.getElementById("belt").dataset.lanes.split("-").map(Number);
      const lanes = Array.from({{ length: last - first + 1 }}, (_, n) => first + n);
      const note = document.getElementById("race-note").textContent;
      return raced.length > 0 && raced.join() === lanes.join() && note.includes(` ${{raced.join(", ")}} of`);
    }}"""
    page.wait_for_function(settled)
    raced = page.evaluate(f"{belts}.map((t) => [Number(t.uid.slice(7)), t.y])")
    assert raced and all(k in shown for k, _ in raced)
    for k, y in raced:
        assert y == pytest.approx(c[:, k], abs=1e-5), k  # float32 on the wire
    units = ", ".join(str(k) for k, _ in raced)
    plural = "s" if len(raced) > 1 else ""
    assert page.inner_text("#race-note").startswith(f"Showing unit{plural} {units} of 8")
