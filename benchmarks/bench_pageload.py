"""Benchmark 5: page load to interactive on loopback.

The app runs under uvicorn in a subprocess (benchmarks/server.py); headless Chromium through
Playwright. Each repeat opens a fresh browser context (an empty cache) and measures, from the
navigation's start (`performance.now()` is 0 there), until `body[data-ready="true"]`: the first
draw of every view from the first snapshot (the target is judged here); also to the first paint of
the charts on screen (`body[data-shown-revision]`: the page paints those first, the others one per
frame after them). Interleaved reference: a fresh context loading `/api/health` (a tiny JSON
document) from the same server, to its load event. Also shown: when the readout first holds the
session's numbers (HTML, drawn before plotly.js runs); the same page reloaded in the same
context (a warm cache), and what the plotly.js bundle costs on the wire (size, Content-Encoding,
Cache-Control). Target: ≤ 1.5 s cold.

Also a floor, cold: a page of nothing but the same bundle from the same server and one Plotly
chart of three points, to the first frame after that chart is drawn. The page itself is handed
to the browser by Playwright (the app has no such page); the bundle comes from the app.

    .venv/bin/python -m benchmarks.bench_pageload [--quick]
"""

from __future__ import annotations

import statistics
import urllib.request
from typing import Any

from benchmarks.common import Row, check, new_page, run_standalone
from benchmarks.server import running_server
from tests.chromium import launch_chromium

TARGET_MS = 1500.0
READY = "window.__readyAt !== null"


def _page_ready_ms(browser: Any, url: str) -> dict[str, float]:
    """ms from navigation start, with an empty cache, to ready (cold), to the first paint of the
    charts on screen (shown) and to the first numbers in the readout (numbers); and to ready
    again after a reload (warm)."""
    context, page = new_page(browser)
    try:
        page.goto(url)
        page.wait_for_function(READY)
        times = page.evaluate("({cold: __readyAt, shown: __shownAt, numbers: __numbersAt})")
        page.reload()
        page.wait_for_function(READY)
        times["warm"] = page.evaluate("window.__readyAt")
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
    samples: dict[str, list[float]] = {name: [] for name in ("cold", "shown", "numbers", "warm", "floor")}
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
    met, score = check(median["cold"], TARGET_MS)
    data: dict[str, Any] = {f"{name}_ms": times for name, times in samples.items()}
    data |= {"blank_ms": blank, "plotly_bundle": bundle}
    served = f"plotly.min.js {bundle['bytes'] / 1e6:.1f} MB, encoding {bundle['content_encoding']}"
    cases = {  # the judged row first; the others are reported
        "cold": f"cold cache, navigation → data-ready ({served})",
        "shown": "cold cache, navigation → charts on screen painted (data-shown-revision)",
        "numbers": "cold cache, navigation → the session's numbers in the readout (before plotly.js runs)",
        "warm": f"warm cache (reload; Cache-Control: {bundle['cache_control']})",
        "floor": "floor, cold cache: a page of only plotly.min.js and one 3-point chart, to it drawn",
    }
    return [
        Row(
            benchmark="5 page load",
            case=case,
            figure=f"{median[name]:.0f} ms",
            reference=f"blank page (/api/health) {blank_ms:.0f} ms",
            ratio=median[name] / blank_ms,
            target=f"≤ {TARGET_MS:g} ms" if name == "cold" else "— (report)",
            met=met if name == "cold" else None,
            score=score if name == "cold" else None,
            data=data,
        )
        for name, case in cases.items()
    ]


def main() -> None:
    run_standalone(__doc__, measure, "3 repeats instead of 9")


if __name__ == "__main__":
    main()
