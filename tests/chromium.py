"""Debian's Chromium as the browser tests and the benchmarks drive it (never `playwright install`,
which cannot download here): its path and the flags every launch uses."""

import os
from typing import Any

CHROMIUM = os.environ.get("LSTM_CONVEYOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: Any) -> Any:
    """Chromium, headless, through a Playwright sync API object."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
