"""Serving: the CLI starts uvicorn, the page and plotly.js are served locally, static is confined."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import plotly
from fastapi.testclient import TestClient

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_plotly_js_is_the_installed_plotly_bundle_under_a_compile_hint(client: TestClient) -> None:
    response = client.get("/vendor/plotly.min.js")
    bundled = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    hint, rest = response.content.split(b"\n", 1)
    assert hint == b"//# allFunctionsCalledOnLoad" and rest == bundled


def test_static_files_cannot_escape_the_static_folder(client: TestClient) -> None:
    for path in ["/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/..%2fpyproject.toml"]:
        response = client.get(path)
        assert response.status_code == 404 or "[project]" not in response.text, path


def test_health_endpoint_answers(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}


def test_python_dash_m_app_serves_the_page_on_the_given_port() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        assert "/vendor/plotly.min.js" in response.text
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_console_script_is_installed_and_knows_its_options() -> None:
    script = Path(sys.executable).parent / "lstm-conveyor"
    assert script.exists(), "pip install -e . should install the lstm-conveyor console script"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "--host" in result.stdout and "--port" in result.stdout


def test_plotly_js_is_sent_gzipped_with_caching_headers_and_revalidates(client: TestClient) -> None:
    raw = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "identity"})
    packed = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})

    assert raw.headers.get("content-encoding") is None
    assert packed.headers["content-encoding"] == "gzip" and packed.content == raw.content
    assert int(packed.headers["content-length"]) < len(raw.content) / 2
    assert "max-age=" in packed.headers["cache-control"] and packed.headers["vary"] == "Accept-Encoding"
    again = client.get("/vendor/plotly.min.js", headers={"if-none-match": packed.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_static_scripts_are_compressed_when_the_browser_accepts_it(client: TestClient) -> None:
    response = client.get("/static/js/main.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
