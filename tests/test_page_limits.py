"""The page at the limits, in headless Chromium: a message over max_message_bytes is refused once with
a clear error and no reconnect loop; a connection closed as too big (1009) is not retried; and after
too many failed attempts the page stops and says so."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

MAX_FAILURES, FIRST_RETRY_MS, MAX_RETRY_MS = 12, 500, 10_000  # static/js/socket.js
TICK_MS = 100  # how far the page's clock runs between looks


def test_a_reply_over_the_limit_is_one_clear_error_and_no_reconnect(
    page: Any, server_url: str, override_settings: Callable[..., None]
) -> None:
    # Smaller than the opening scenario's snapshot even cut to one unit (a model that does not fit
    # is cut to the units that fit, at least one).
    override_settings(max_message_bytes=3_000)
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.goto(server_url)
    page.wait_for_selector("#status.status-error")
    page.wait_for_timeout(3000)  # longer than the first few reconnect waits would be
    status = page.inner_text("#status")
    assert "over the 3000 bytes" in status and "LSTM_CONVEYOR_MAX_MESSAGE_BYTES" in status, status
    assert len(sockets) == 1 and page.evaluate("document.body.dataset.connection") == "open"


def test_a_connection_closed_as_too_big_is_not_retried(page: Any, server_url: str) -> None:
    attempts: list[Any] = []

    def refuse(ws: Any) -> None:
        attempts.append(ws)
        ws.close(code=1009, reason="message too big")

    page.route_web_socket("**/ws*", refuse)
    page.goto(server_url)
    page.wait_for_selector("body[data-connection='stopped']")
    page.wait_for_timeout(2000)
    assert len(attempts) == 1
    status = page.inner_text("#status")
    assert "too big" in status and "message too big" in status and "Reload" in status, status


def test_after_too_many_failures_the_page_stops_and_says_so(page: Any, server_url: str) -> None:
    """Each attempt waits about twice as long as the one before (0.5 s, doubling up to 10 s, ±25 %),
    then the page stops: a server that is down is not hammered."""
    attempts: list[int] = []  # the page's clock (ms) at each attempt

    def fail(ws: Any) -> None:
        attempts.append(page.evaluate("Date.now()"))
        ws.close(code=1011, reason="")

    page.clock.install()
    page.route_web_socket("**/ws*", fail)
    page.goto(server_url)
    for _ in range(MAX_FAILURES * int(12_500 / TICK_MS)):  # every wait, at its longest
        if page.evaluate("document.body.dataset.connection") == "stopped":
            break
        page.clock.run_for(TICK_MS)
    assert page.evaluate("document.body.dataset.connection") == "stopped"
    assert len(attempts) == MAX_FAILURES
    assert "stopped trying" in page.inner_text("#status")
    waits = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    for n, wait in enumerate(waits):
        base = min(MAX_RETRY_MS, FIRST_RETRY_MS * 2**n)
        assert 0.75 * base - TICK_MS <= wait <= 1.25 * base + TICK_MS, (n, waits)
