"""Security headers, the page under its real Content-Security-Policy, and the WebSocket's limits."""

import asyncio
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.web.inbox import Inbox
from app.web.security import CONTENT_SECURITY_POLICY
from tests.helpers import open_dive

Override = Callable[..., None]


@pytest.mark.parametrize(
    "path", ["/", "/docs", "/api/health", "/static/js/main.js", "/openapi.json", "/nope"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert (
        "default-src 'self'" in CONTENT_SECURITY_POLICY
        and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    )
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_pages_load_nothing_from_other_origins(client: TestClient) -> None:
    for path in ["/", "/docs"]:
        html = client.get(path).text
        assert "http://" not in html and "https://" not in html, path
        assert "<script>" not in html and " on" + "click=" not in html, path


# --- the page under the real policy (no bypass) ---------------------------------------------------

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def strict_page(browser: Any, server_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


# Each deep dive and the Plotly charts it draws (plotly.js runs only once the page is up).
DIVE_CHARTS = {"gradients": ["gradients", "race"], "gates": ["gates"], "numbers": [], "files": []}
DIVE_CHARTS["equations"] = ["activations"]


@pytest.mark.browser
def test_the_page_works_under_its_csp_with_no_violations(strict_page: Any, server_url: str) -> None:
    page = strict_page
    page.goto(server_url + "/")
    page.wait_for_selector("body[data-ready=true]")
    step = int(page.get_attribute("body", "data-step"))  # a scenario opens at a step of its own
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"body[data-step='{step + 1}']")
    revision = page.get_attribute("body", "data-revision")
    page.locator("input.input-slider[data-j='0']").fill("1.5")
    page.wait_for_selector(f"body:not([data-revision='{revision}'])")
    # Every deep dive opened, so its views (the Plotly charts among them) are drawn under the policy.
    for dive, charts in DIVE_CHARTS.items():
        open_dive(page, dive)
        for chart in charts:
            page.wait_for_selector(f"#{chart} .main-svg", state="attached")
    page.wait_for_selector("#readout td[data-q='c']", state="attached")
    page.wait_for_timeout(300)

    assert page.evaluate("window.__violations") == []
    assert page.errors == []


@pytest.mark.browser
def test_the_api_docs_render_offline_under_the_csp(strict_page: Any, server_url: str) -> None:
    page = strict_page
    page.goto(server_url + "/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/trace" in [path.replace("\u200b", "") for path in paths]
    assert page.evaluate("window.__violations") == []
    assert page.errors == []


@pytest.mark.browser
def test_an_inline_script_would_be_caught(strict_page: Any, server_url: str) -> None:
    """The two tests above can fail: an inline script on the page is blocked and recorded."""
    page = strict_page
    page.goto(server_url + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.evaluate(
        "document.body.appendChild(Object.assign(document.createElement('script'), {text: 'window.x = 1'}))"
    )
    page.wait_for_timeout(200)
    assert any("script-src" in v for v in page.evaluate("window.__violations"))
    assert page.evaluate("window.x") is None


# --- WebSocket origin and limits --------------------------------------------------------------------


def test_a_cross_origin_websocket_is_refused(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/ws", headers={"origin": "https://evil.example"}),
    ):
        pass
    assert refused.value.code == 1008


def test_same_origin_and_allow_listed_origins_are_accepted(
    client: TestClient, override_settings: Override
) -> None:
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        assert json.loads(ws.receive_text())["type"] == "snapshot"
    override_settings(allowed_origins=["https://class.example"])
    with client.websocket_connect("/ws", headers={"origin": "https://class.example"}) as ws:
        assert json.loads(ws.receive_text())["type"] == "snapshot"


def test_sessions_beyond_the_limit_are_turned_away_and_freed_on_close(
    client: TestClient, override_settings: Override
) -> None:
    override_settings(max_sessions=1)
    with client.websocket_connect("/ws") as first:
        first.receive_text()
        with client.websocket_connect("/ws") as second, pytest.raises(WebSocketDisconnect) as refused:
            second.receive_text()
        assert refused.value.code == 1013
    with client.websocket_connect("/ws") as third:  # the first one's place was given back
        assert json.loads(third.receive_text())["type"] == "snapshot"


def test_an_oversized_message_closes_with_1009_and_the_server_serves_on(
    client: TestClient, override_settings: Override
) -> None:
    # (above the opening snapshot's ~50 kB: the limit holds for what the server sends, too)
    override_settings(max_message_bytes=100_000)
    with client.websocket_connect("/ws") as ws:
        ws.receive_text()
        ws.send_text(json.dumps({"type": "set_sequence", "x": [[0.0, 0.0]] * 10_000}))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1009
    with client.websocket_connect("/ws") as ws:
        assert json.loads(ws.receive_text())["type"] == "snapshot"


def test_an_idle_connection_is_closed(client: TestClient, override_settings: Override) -> None:
    override_settings(idle_timeout_seconds=0.2)
    with client.websocket_connect("/ws") as ws:
        ws.receive_text()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1000 and closed.value.reason == "idle timeout"


def test_a_full_inbox_refuses_and_counts_instead_of_growing() -> None:
    async def scenario() -> None:
        inbox = Inbox(capacity=3)
        for k in range(10):
            inbox.put(str(k))
        drained = await inbox.drain()
        assert drained.frames == ["0", "1", "2"] and drained.refused == 7 and not drained.closed
        inbox.put("again")
        inbox.close()
        drained = await inbox.drain()
        assert drained.frames == ["again"] and drained.refused == 0 and drained.closed

    # In a thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def test_a_10_mb_message_is_closed_with_1009_under_the_default_limit(client: TestClient) -> None:
    ten_mb = json.dumps({"type": "set_sequence", "x": [[0.123456789, 0.987654321]] * 400_000})
    assert len(ten_mb) > 10_000_000
    with client.websocket_connect("/ws") as ws:
        ws.receive_text()
        ws.send_text(ten_mb)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1009
    with client.websocket_connect("/ws") as ws:  # the server is unharmed
        assert json.loads(ws.receive_text())["type"] == "snapshot"


def test_a_notebooks_origin_may_frame_the_page_only_when_allowed(
    client: TestClient, override_settings: Override
) -> None:
    assert client.get("/").headers["x-frame-options"] == "DENY"
    override_settings(frame_ancestors=["http://localhost:8888"])
    headers = client.get("/").headers
    assert "frame-ancestors 'self' http://localhost:8888;" in headers["content-security-policy"] + ";"
    assert "x-frame-options" not in headers
