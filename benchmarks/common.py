"""What every benchmark shares: a result row, interleaved medians, the machine, one thread for BLAS.

Every figure is a ratio against a reference measured in the same run, the two interleaved so both
see the same machine load, and each a median over repeats.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from tests.chromium import CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
# One BLAS thread: on a shared machine OpenBLAS's workers stall the large products (README.md).
PINNED_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Row:
    """One line of the table: a figure, the reference it is compared with, and the verdict."""

    benchmark: str  # e.g. "1 engine"
    case: str  # e.g. "H=64 vs LSTMCell loop"
    figure: str  # the measured figure, with its unit
    reference: str  # what it is compared with, measured in the same run
    ratio: float | None  # figure / reference
    target: str  # e.g. "≤ 0.33×"; "—" where the issue sets none
    met: bool | None  # None: no target
    # measured / target, oriented so that ≤ 1 means met (for the plot); None without a target
    score: float | None = None
    data: dict[str, Any] = field(default_factory=dict)  # raw numbers for results.json

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check(value: float, limit: float, lower_is_better: bool = True) -> tuple[bool, float]:
    """(met, score) of a figure against its target; score ≤ 1 means met."""
    score = value / limit if lower_is_better else limit / value if value > 0 else float("inf")
    return score <= 1.0, score


def interleaved_medians(
    runs: Mapping[str, Callable[[], object]], repeats: int, warmup: int = 1
) -> dict[str, float]:
    """Median wall seconds of each callable, run in turn so every one sees the same machine load."""
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ensure_pinned_threads() -> None:
    """Re-run this script with one BLAS/OpenMP thread unless the environment already says so.

    The variables must be set before NumPy or PyTorch loads its BLAS, hence a fresh process."""
    if all(os.environ.get(name) == value for name, value in PINNED_THREADS.items()):
        return
    env = {**os.environ, **PINNED_THREADS}
    os.execve(sys.executable, sys.orig_argv, env)  # orig_argv keeps `-m benchmarks.…`


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return out.stdout.strip() or "unknown"


def machine() -> dict[str, str]:
    """The machine and the versions the figures were measured with."""
    return {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "orjson": _version("orjson"),
        "uvicorn": _version("uvicorn"),
        "websockets": _version("websockets"),
        "plotly": _version("plotly"),
        "playwright": _version("playwright"),
        "chromium": _chromium_version(),
        "threads": ", ".join(f"{name}={os.environ.get(name, 'unset')}" for name in PINNED_THREADS),
    }


def print_rows(rows: list[Row]) -> None:
    """The table: benchmark, case, figure, reference, ratio, target, met?"""
    header = ("benchmark", "case", "figure", "reference", "ratio", "target", "met?")
    lines = [header] + [
        (
            row.benchmark,
            row.case,
            row.figure,
            row.reference,
            "—" if row.ratio is None else f"{row.ratio:.3g}×",
            row.target,
            "n/a" if row.met is None else "yes" if row.met else "NO",
        )
        for row in rows
    ]
    widths = [max(len(line[k]) for line in lines) for k in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))


# Injected before the page's own scripts: keeps a handle on the page's WebSocket (so a benchmark can
# send protocol messages on the page's own session) and stamps when the page first painted the
# workbench with the server's numbers, and when it first painted every view.
PAGE_PROBE = """
(() => {
  const Native = window.WebSocket;
  window.__benchSockets = [];
  // The id of the last message the page sent and of its last set_input, how many of each type it
  // sent, the highest `ack` the server answered and the revision of its last snapshot or frame.
  window.__sentId = -1;
  window.__sentInputId = -1;
  window.__sentCount = {};
  window.__ack = -1;
  window.__lastRevision = null;
  window.__firstMessageAt = null;
  const header = (data) => {
    if (typeof data === "string") return JSON.parse(data);
    const length = new DataView(data).getUint32(0, true);
    return JSON.parse(new TextDecoder().decode(new Uint8Array(data, 4, length)));
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__benchSockets.push(this);
      // Registered before the page's own listener: when the last message arrived, and its size
      // (characters of a text message, bytes of a binary one).
      this.addEventListener("message", (event) => {
        const size = typeof event.data === "string" ? event.data.length : event.data.byteLength;
        window.__lastMessage = { at: performance.now(), chars: size };
        if (window.__firstMessageAt === null) window.__firstMessageAt = window.__lastMessage.at;
        const { ack, revision } = header(event.data);
        if (Number.isInteger(ack) && ack > window.__ack) window.__ack = ack;
        if (Number.isInteger(revision)) window.__lastRevision = revision;
      });
    }
    send(data) {
      const { id, type } = JSON.parse(data);
      if (Number.isInteger(id)) window.__sentId = id;
      if (Number.isInteger(id) && type === "set_input") window.__sentInputId = id;
      window.__sentCount[type] = (window.__sentCount[type] || 0) + 1;
      return super.send(data);
    }
  };
  // Resolves after the next frame has been painted: an animation frame, then one message-channel
  // hop (the task after the frame's rendering).
  const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  }));
  // When the workbench first showed a revision (body[data-shown-revision] set: __shownSetAt) and
  // when that frame was painted (__shownAt); likewise every view (body[data-ready]).
  window.__shownSetAt = null;
  window.__shownAt = null;
  window.__readySetAt = null;
  window.__readyAt = null;
  const observer = new MutationObserver(() => {
    if (!document.body) return;
    if (window.__shownSetAt === null && document.body.dataset.shownRevision !== undefined) {
      window.__shownSetAt = performance.now();
      afterPaint().then(() => { window.__shownAt = performance.now(); });
    }
    if (window.__readySetAt === null && document.body.dataset.ready === "true") {
      window.__readySetAt = performance.now();
      afterPaint().then(() => { window.__readyAt = performance.now(); });
      observer.disconnect();
    }
  });
  const watched = ["data-ready", "data-shown-revision"];
  observer.observe(document, { attributes: true, subtree: true, attributeFilter: watched });
})();
"""

# The browser window: at 1400×900 the whole workbench (transport and sliders, the belt, the belt
# over time, the knobs) fills the window and the deep dives start below it (static/js/bench.js).
VIEWPORT = {"width": 1400, "height": 900}


def new_page(browser: Any, viewport: dict[str, int] | None = None) -> tuple[Any, Any]:
    """(context, page) with a fresh cache and the probe installed, in a VIEWPORT-sized window.

    The context bypasses the app's Content-Security-Policy only because Playwright's
    wait_for_function evaluates strings, which the policy forbids (as in tests/conftest.py)."""
    context = browser.new_context(viewport=viewport or VIEWPORT, bypass_csp=True)
    context.add_init_script(PAGE_PROBE)
    return context, context.new_page()


def run_standalone(doc: str | None, measure: Callable[[bool], list[Row]], quick_help: str) -> None:
    """One benchmark on its own (`python -m benchmarks.bench_X [--quick]`), pinned to one BLAS
    thread as in run_all.py, its rows printed as a table."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args()
    ensure_pinned_threads()
    print_rows(measure(args.quick))
