"""Shared fixtures: a TestClient, a real uvicorn server on a free port, and headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import get_settings
from app.main import create_app
from tests.chromium import CHROMIUM, launch_chromium


@pytest.fixture
def override_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """override_settings(max_sessions=1, ...): set LSTM_CONVEYOR_* for this test only."""

    def apply(**values: object) -> None:
        for name, value in values.items():
            text = json.dumps(value) if isinstance(value, list) else str(value)
            monkeypatch.setenv(f"LSTM_CONVEYOR_{name.upper()}", text)
        get_settings.cache_clear()

    yield apply
    # The environment first, then the cache: the browser tests' live server runs in this process
    # and must not keep a value read between the two.
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_app() -> FastAPI:
    """The app instance the live server serves (to look at app.state from tests)."""
    return create_app()


@pytest.fixture(scope="session")
def server_url(live_app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn in a background thread."""
    port = free_port()
    config = uvicorn.Config(live_app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 15 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright. Missing browser: skip locally, fail under CI=true."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def watch_for_problems(page: Any) -> list[str]:
    """A list that fills with the page's console errors, uncaught exceptions and failed requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console.error: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"requestfailed: {r.url}"))
    return problems


@pytest.fixture
def page(browser: Any, server_url: str) -> Iterator[Any]:
    """A fresh page; fails the test if the page logged any console error or uncaught exception.

    The context bypasses the app's Content-Security-Policy only because Playwright's
    wait_for_function evaluates strings, which the CSP (rightly) forbids; tests/test_security.py
    drives the page under the real policy."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    new_page = context.new_page()
    problems = watch_for_problems(new_page)
    yield new_page
    context.close()
    assert not problems, "the page reported problems:\n" + "\n".join(problems)
