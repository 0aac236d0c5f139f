"""Benchmark 8: issue 20's full-size model on the page, and /api/trace's .npz.

The model (tests/fullsize.py): a seeded char model, Embedding(96, 256) → nn.LSTM(256, 1,024,
num_layers=2) → Linear(1,024, 96), ~55 MB as float32 .safetensors. The app runs under uvicorn in a
subprocess (benchmarks/server.py, default limits; opened models in a temporary folder); headless
Chromium through Playwright (common.new_page, 1400×900).

- Upload → belt drawn: the file set on the page's `#upload-weights` (over 512 KiB: POST /api/open,
  then the socket's `open`), from the input's `change` event to the first frame painted once the
  stack's layer picker shows and `body[data-shown-revision]` changed (the belt, the belt over time
  and the controls drawn from the opened model). Each in a fresh browser context; p50 and p95.
  The page's upload opens on 40 steps of zeros. Target ≤ 2 s.
- Reported: 1,000 characters typed in the text box (`set_text`, T = 1,000) → the belt redrawn.
- Slider move → painted at T = 1,000: `input.input-slider[data-j="0"]` at step 1 (both layers rerun
  from step 1 under the decoder), to the first frame painted after `body[data-shown-revision]`
  changes: the rerun's first part (docs/protocol.md, A rerun in parts), with the moved step; p95.
  Target ≤ 100 ms. Reported beside it: the same move to the last part painted
  (`body[data-pending]` empty again), when every step shows the move. Each move starts once the
  last one's rerun is painted whole.
- Step → painted at T = 1,000: the keyboard's → to the new step painted (no server round trip);
  p95. Target ≤ 100 ms.
- The largest WebSocket message the page received over the whole run. Target ≤ 4 MiB.
- `POST /api/trace`, H = 256, D = 256, T = 1,000, `quantities: ["h", "c"]`, `format: "npz"`:
  round trip p50 and p95 (target ≤ 1 s), against the same request answered as JSON, interleaved.

Every reference is measured in the same run. A whole rerun at T = 1,000 takes seconds on this
engine, so few moves are timed (README.md says why).

    .venv/bin/python -m benchmarks.bench_fullsize [--quick]
"""

from __future__ import annotations

import json
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_browser import PRELUDE, SETTLE, STEP, STEP_ANIMATION_MS
from benchmarks.common import Row, check, new_page, percentile, run_standalone
from benchmarks.server import environment, running_server
from tests.chromium import launch_chromium
from tests.fullsize import VOCAB, full_size_model

MIB = 1024 * 1024
UPLOAD_TARGET_MS = 2000.0
SLIDER_TARGET_MS = 100.0
STEP_TARGET_MS = 100.0
MESSAGE_TARGET_BYTES = 4 * MIB
TRACE_TARGET_S = 1.0
TEXT_STEPS = 1000
WAIT_MS = 120_000  # a slider move at T = 1,000 takes seconds here: wait long before giving up

# Armed before the file is set: resolves to ms from the input's change event to the first frame
# painted once the stack's picker shows and the workbench shows a new revision.
ARM_UPLOAD = f"""() => {{
  {PRELUDE}
  const old = document.body.dataset.shownRevision;
  let start = null;
  document.addEventListener("change", (event) => {{
    if (event.target.id === "upload-weights") start = performance.now();
  }}, {{ capture: true, once: true }});
  window.__uploaded = new Promise((resolve) => {{
    setTimeout(() => resolve(null), {WAIT_MS});
    const observer = new MutationObserver(() => {{
      const pick = document.getElementById("stack-pick");
      if (start !== null && !pick.hidden && document.body.dataset.shownRevision !== old) {{
        observer.disconnect();
        afterPaint().then(() => resolve(performance.now() - start));
      }}
    }});
    observer.observe(document.body, {{ attributes: true, subtree: true,
      attributeFilter: ["hidden", "data-shown-revision"] }});
  }});
}}"""

# Text typed (set as the box's value, with an input event): ms to the belt over time drawn for
# that many steps, painted.
TYPE_TEXT = f"""async (text) => {{
  {PRELUDE}
  const box = document.getElementById("text-box");
  const start = performance.now();
  box.value = text;
  box.dispatchEvent(new Event("input", {{ bubbles: true }}));
  const read = await new Promise((resolve) => {{
    const check = () => {{
      const drawn = document.getElementById("timeline").drawn;
      if (drawn && drawn.T === text.length && document.body.dataset.ready === "true") resolve(true);
      else if (performance.now() - start > {WAIT_MS}) resolve(false);
      else setTimeout(check, 5);
    }};
    check();
  }});
  if (!read) return null;
  await afterPaint();
  return performance.now() - start;
}}"""

# One slider move: [ms to the workbench painted with the answer's first part, ms to the frame that
# ends the rerun painted], or null after WAIT_MS.
SLIDE = f"""async (value) => {{
  {PRELUDE}
  const slider = document.querySelector('input.input-slider[data-j="0"]');
  const shown = painted("data-shown-revision");
  slider.value = String(value);
  const start = performance.now();
  slider.dispatchEvent(new Event("input", {{ bubbles: true }}));
  const first = await Promise.race([shown, timeout({WAIT_MS})]);
  if (first === null) return null;
  const whole = await new Promise((resolve) => {{
    const check = () => {{
      if (document.body.dataset.pending === "") afterPaint().then(() => resolve(performance.now()));
      else if (performance.now() - start > {WAIT_MS}) resolve(null);
      else setTimeout(check, 5);
    }};
    check();
  }});
  return whole === null ? null : [first - start, whole - start];
}}"""


def _text(steps: int) -> str:
    """`steps` characters of this repository's engine source, kept to the model's vocabulary."""
    source = (Path(__file__).resolve().parents[1] / "app" / "engine" / "lstm.py").read_text()
    known = set(VOCAB)
    return "".join(ch for ch in source if ch in known)[:steps]


def _upload(browser: Any, url: str, path: Path, sizes: list[int]) -> tuple[Any, Any, float]:
    """A fresh context's page with the model uploaded: (context, page, ms to the belt painted)."""
    context, page = new_page(browser)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: sizes.append(len(data))))
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']")
    page.evaluate(ARM_UPLOAD)
    page.set_input_files("#upload-weights", str(path))
    ms = page.evaluate("window.__uploaded", None)
    if ms is None:
        raise RuntimeError(f"the uploaded model was not drawn within {WAIT_MS} ms")
    return context, page, float(ms)


def _go_to_step(page: Any, t: int) -> None:
    page.locator("#scrubber").fill(str(t))
    page.wait_for_selector(f"body[data-step='{t}']")


def _slides(page: Any, moves: int) -> tuple[list[float], list[float]]:
    """ms to the first part painted, and to the whole rerun painted, of each move."""
    first, whole = [], []
    for k in range(moves + 1):  # the first warms up
        page.evaluate(SETTLE, 0)
        ms = page.evaluate(SLIDE, round(-0.5 + 0.25 * k, 2))
        if ms is None:
            raise RuntimeError(f"no redraw within {WAIT_MS} ms of a slider move")
        if k:
            first.append(float(ms[0]))
            whole.append(float(ms[1]))
    return first, whole


def _steps(page: Any, count: int) -> list[float]:
    times = []
    for k in range(count + 1):
        page.evaluate(SETTLE, 0)
        step = page.evaluate(STEP)
        if step is None:
            raise RuntimeError("no new step painted within 10 s")
        page.evaluate(SETTLE, STEP_ANIMATION_MS)
        if k:
            times.append(float(step[0]))
    return times


def _page_figures(url: str, path: Path, quick: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    sizes: list[int] = []
    uploads: list[float] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for _ in range(2 if quick else 4):
                context, page, ms = _upload(browser, url, path, sizes)
                uploads.append(ms)
                context.close()
            context, page, ms = _upload(browser, url, path, sizes)
            uploads.append(ms)
            typed = page.evaluate(TYPE_TEXT, _text(TEXT_STEPS))
            if typed is None:
                raise RuntimeError(f"{TEXT_STEPS} characters not drawn within {WAIT_MS} ms")
            page.evaluate("window.scrollTo(0, 0)")
            _go_to_step(page, 1)
            slides, reruns = _slides(page, 3 if quick else 20)
            _go_to_step(page, 1)
            steps = _steps(page, 6 if quick else 15)
            context.close()
        finally:
            browser.close()
    return {"upload_ms": uploads, "text_ms": float(typed), "slider_ms": slides, "rerun_ms": reruns,
            "step_ms": steps,
            "largest_message_bytes": max(sizes), "messages": len(sizes)}  # fmt: skip


def _trace_body(fmt: str) -> bytes:
    """/api/trace of a random H = 256, D = 256 layer over T = 1,000 steps, asking for h and c."""
    rng = np.random.default_rng(20)
    hidden = inputs = 256
    bound = 1 / np.sqrt(hidden)
    weights = {
        "weight_ih": rng.uniform(-bound, bound, (4 * hidden, inputs)),
        "weight_hh": rng.uniform(-bound, bound, (4 * hidden, hidden)),
        "bias_ih": rng.uniform(-bound, bound, 4 * hidden),
        "bias_hh": rng.uniform(-bound, bound, 4 * hidden),
    }
    x = rng.standard_normal((1000, inputs))
    body = {"weights": {name: value.tolist() for name, value in weights.items()}, "x": x.tolist()}
    body |= {"quantities": ["h", "c"], "format": fmt}
    return json.dumps(body).encode()


def _post(url: str, body: bytes) -> float:
    request = urllib.request.Request(
        f"{url}/api/trace", data=body, headers={"content-type": "application/json"}, method="POST"
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"/api/trace answered {answer.status}")
    return time.perf_counter() - start


def _trace_figures(url: str, quick: bool) -> dict[str, list[float]]:
    bodies = {"npz": _trace_body("npz"), "json": _trace_body("json")}
    times: dict[str, list[float]] = {name: [] for name in bodies}
    for k in range((4 if quick else 10) + 1):  # interleaved; the first warms up
        for name, body in bodies.items():
            seconds = _post(url, body)
            if k:
                times[name].append(seconds)
    return times


def measure(quick: bool = False) -> list[Row]:
    with (
        tempfile.TemporaryDirectory() as folder,
        # the server keeps opened models there, not in the system's temp dir
        environment("LSTM_CONVEYOR_OPEN_DIR", str(Path(folder) / "opened")),
    ):
        path = Path(folder) / "char-1024.safetensors"
        full_size_model(path)
        with running_server() as server:
            page = _page_figures(server.url, path, quick)
            trace = _trace_figures(server.url, quick)
    return _rows(page, trace)


def _row(case: str, value: float, unit: str, reference: str, ratio: float | None, target: float | None,
         data: dict[str, Any]) -> Row:  # fmt: skip
    met, score = check(value, target) if target is not None else (None, None)
    shown = f"{value:.0f} {unit}" if unit == "ms" else f"{value:.3g} {unit}"
    return Row(
        benchmark="8 full size",
        case=case,
        figure=shown,
        reference=reference,
        ratio=ratio,
        target=f"≤ {target:g} {unit}" if target is not None else "— (report)",
        met=met,
        score=score,
        data=data,
    )


def _rows(page: dict[str, Any], trace: dict[str, list[float]]) -> list[Row]:
    up50, up95 = percentile(page["upload_ms"], 50), percentile(page["upload_ms"], 95)
    slide95, step95 = percentile(page["slider_ms"], 95), percentile(page["step_ms"], 95)
    rerun50, rerun95 = percentile(page["rerun_ms"], 50), percentile(page["rerun_ms"], 95)
    step50 = percentile(page["step_ms"], 50)
    npz50, npz95 = percentile(trace["npz"], 50), percentile(trace["npz"], 95)
    json50 = percentile(trace["json"], 50)
    model = "H=1024, D=256, 2 layers + embedding + decoder (~55 MB float32)"
    largest = page["largest_message_bytes"] / MIB
    return [
        _row(f"{model}: upload → belt painted (T=40), p95 (p50 {up50:.0f} ms)", up95, "ms",
             f"1,000 chars typed → belt at T=1000 {page['text_ms']:.0f} ms", up95 / page["text_ms"],
             UPLOAD_TARGET_MS, page),
        _row(f"{model}, T=1000: slider at step 1 → workbench painted (the rerun's first part), p95 of "
             f"{len(page['slider_ms'])}", slide95, "ms", f"step → painted p50 {step50:.0f} ms",
             slide95 / max(step50, 1e-9), SLIDER_TARGET_MS, {"slider_ms": page["slider_ms"]}),
        _row(f"{model}, T=1000: the same moves → every step rerun and painted, p95 (p50 {rerun50:.0f} ms)",
             rerun95, "ms", f"first part p95 {slide95:.0f} ms", rerun95 / max(slide95, 1e-9), None,
             {"rerun_ms": page["rerun_ms"]}),
        _row(f"{model}, T=1000: → key → new step painted, p95 of {len(page['step_ms'])}", step95, "ms",
             f"slider p95 {slide95:.0f} ms", step95 / slide95, STEP_TARGET_MS, {"step_ms": page["step_ms"]}),
        _row(f"{model}: largest WebSocket message received ({page['messages']} messages)", largest, "MiB",
             "max_message_bytes 4 MiB", largest / 4, MESSAGE_TARGET_BYTES / MIB, {}),
        _row(f"/api/trace H=256, D=256, T=1000, h and c as .npz, p95 (p50 {npz50 * 1000:.0f} ms)", npz95, "s",
             f"same as JSON p50 {json50 * 1000:.0f} ms", npz50 / json50, TRACE_TARGET_S, trace),
    ]  # fmt: skip


def main() -> None:
    run_standalone(__doc__, measure, "fewer uploads, moves, steps and requests")


if __name__ == "__main__":
    main()
