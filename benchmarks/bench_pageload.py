"""Benchmark 5: page load to the first screen and to every view, on loopback.

The app runs under uvicorn in a subprocess (benchmarks/server.py); headless Chromium through
Playwright, in a 1400×900 window (the whole workbench on screen, the deep dives below it). Each
repeat opens a fresh browser context (an empty cache) and measures from the navigation's start
(`performance.now()` is 0 there):

- to the first screen drawn with the server's numbers and painted: `body[data-shown-revision]`
  first set (the belt, the belt over time and the controls drawn from the first snapshot), then
  the next frame painted (common.PAGE_PROBE's `__shownAt`). Target: ≤ 800 ms;
- to every view drawn and painted: `body[data-ready="true"]` (the open deep dive's views too, its
  Plotly inset among them, which the page draws once plotly.js has run and the page is still).
  Target: ≤ 1.5 s;
- reported: when the first snapshot arrived, and both again after a reload in the same context
  (a warm cache), with what the plotly.js bundle costs on the wire (size, Content-Encoding,
  Cache-Control).

Interleaved reference: a fresh context loading `/api/health` (a tiny JSON document) from the same
server, to its load event. Also reported, as the floor under every view: a page of nothing but
the same plotly.js bundle from the same server and one Plotly chart of three points, cold, to the
first frame after that chart is drawn (the page itself is handed to the browser by Playwright;
the app has no such page).

    .venv/bin/python -m benchmarks.bench_pageload [--quick]
"""

from __future__ import annotations

import statistics
import urllib.request
from typing import Any

from benchmarks.common import Row, check, new_page, run_standalone
from benchmarks.server import running_server
from tests.chromium import launch_chromium

SHOWN_TARGET_MS = 800.0
READY_TARGET_MS = 1500.0
READY = "window.__readyAt !== null && window.__shownAt !== null"
TIMES = "({shown: __shownAt, ready: __readyAt, snapshot: __firstMessageAt})"


def _page_ready_ms(browser: Any, url: str) -> dict[str, float]:
    """ms from navigation start, with an empty cache, to the first screen painted (shown), to every
    view painted (ready) and to the first snapshot's arrival (snapshot); the first two again after
    a reload (warm_shown, warm_ready)."""
    context, page = new_page(browser)
    try:
        page.goto(url)
        page.wait_for_function(READY)
        times = page.evaluate(TIMES)
        page.reload()
        page.wait_for_function(READY)
        warm = page.evaluate(TIMES)
        times |= {"warm_shown": warm["shown"], "warm_ready": warm["ready"]}
    finally:
        context.close()
    return {name: float(ms) for name, ms in times.items()}


PLOTLY_ONLY = """<!doctype html><html><body><div id="chart" style="width:600px;height:300px"></div>
<script src="/vendor/plotly.min.js"></script>
<script>
Plotly.newPlot("chart", [{ y: [1, 3, 2] }])
  .then(() => requestAnimationFrame(() => { window.__drawnAt = performance.now(); }));
</script></body></html>"""


def _plotly_floor_ms(browser: Any, url: str) -> float:
    """ms from navigation start, with an empty cache, until a page holding only plotly.js and one
    small chart has drawn it."""
    context, page = new_page(browser)
    try:
        page.route("**/plotly-only", lambda route: route.fulfill(content_type="text/html", body=PLOTLY_ONLY))
        page.goto(f"{url}/plotly-only")
        page.wait_for_function("window.__drawnAt !== undefined")
        return float(page.evaluate("window.__drawnAt"))
    finally:
        context.close()


def _blank_ms(browser: Any, url: str) -> float:
    context, page = new_page(browser)
    try:
        page.goto(f"{url}/api/health", wait_until="load")
        return float(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
    finally:
        context.close()


def _bundle(url: str) -> dict[str, Any]:
    """How the plotly.js bundle is served to a browser that accepts gzip."""
    request = urllib.request.Request(f"{url}/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip, br"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        return {
            "bytes": len(body),
            "content_encoding": response.headers.get("Content-Encoding") or "none",
            "cache_control": response.headers.get("Cache-Control") or "none",
        }


def measure(quick: bool = False) -> list[Row]:
    from playwright.sync_api import sync_playwright

    repeats = 3 if quick else 9
    names = ("shown", "ready", "snapshot", "warm_shown", "warm_ready", "floor")
    samples: dict[str, list[float]] = {name: [] for name in names}
    blank: list[float] = []
    with running_server() as server, sync_playwright() as playwright:
        bundle = _bundle(server.url)
        browser = launch_chromium(playwright)
        try:
            _page_ready_ms(browser, server.url)  # warm-up: the server's first page and snapshot
            for _ in range(repeats):
                blank.append(_blank_ms(browser, server.url))
                samples["floor"].append(_plotly_floor_ms(browser, server.url))
                for name, ms in _page_ready_ms(browser, server.url).items():
                    samples[name].append(ms)
        finally:
            browser.close()
    median = {name: statistics.median(times) for name, times in samples.items()}
    blank_ms = statistics.median(blank)
    data: dict[str, Any] = {f"{name}_ms": times for name, times in samples.items()}
    data |= {"blank_ms": blank, "plotly_bundle": bundle}
    served = f"plotly.min.js {bundle['bytes'] / 1e6:.1f} MB, encoding {bundle['content_encoding']}"
    cases = {  # name: (case, target or None); the judged rows first
        "shown": (
            "cold cache, navigation → first screen drawn with the server's numbers, painted",
            SHOWN_TARGET_MS,
        ),
        "ready": (f"cold cache, navigation → every view painted (data-ready; {served})", READY_TARGET_MS),
        "snapshot": ("cold cache, navigation → the first snapshot in", None),
        "warm_shown": (
            f"warm cache (reload; Cache-Control: {bundle['cache_control']}), first screen painted",
            None,
        ),
        "warm_ready": ("warm cache (reload), every view painted", None),
        "floor": ("floor, cold cache: a page of only plotly.min.js and one 3-point chart, to it drawn", None),
    }
    rows = []
    for name, (case, target) in cases.items():
        met, score = check(median[name], target) if target is not None else (None, None)
        rows.append(
            Row(
                benchmark="5 page load",
                case=case,
                figure=f"{median[name]:.0f} ms",
                reference=f"blank page (/api/health) {blank_ms:.0f} ms",
                ratio=median[name] / blank_ms,
                target=f"≤ {target:g} ms" if target is not None else "— (report)",
                met=met,
                score=score,
                data=data,
            )
        )
    return rows


def main() -> None:
    run_standalone(__doc__, measure, "3 repeats instead of 9")


if __name__ == "__main__":
    main()
