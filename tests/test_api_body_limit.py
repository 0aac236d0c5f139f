"""JSON bodies over max_request_bytes are refused as they stream in, before FastAPI parses them.

FastAPI reads a JSON body whole and turns it into Python objects, 5-15 times its size, before the
route can look at it: a 60 MB POST to /api/trace once took the server from 69 MB to 905 MB.
"""

from __future__ import annotations

import http.client
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.i18n import problem_text
from app.web import api, files
from tests.test_api import body as trace_body

WEIGHTS = {"weights": trace_body()["weights"]}
JSON_POSTS = {
    "/api/trace": trace_body(),
    "/api/export/weights.safetensors": WEIGHTS,
    "/api/export/weights.npz": WEIGHTS,
    "/api/export/trace.csv": trace_body(),
}


def encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def post(client: TestClient, path: str, content: Any) -> Any:
    return client.post(path, content=content, headers={"content-type": "application/json"})


def test_every_post_route_has_its_body_bounded_and_documents_the_refusal(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    posts = {path for path, ops in paths.items() if "post" in ops}
    assert posts == set(files.UPLOADS) | set(files.JSON_BODIES) | set(api.JSON_BODIES)
    assert set(JSON_POSTS) == set(files.JSON_BODIES) | set(api.JSON_BODIES)
    for path in posts:
        refusal = paths[path]["post"]["responses"]["413"]["content"]["application/json"]["schema"]
        assert refusal == {"$ref": "#/components/schemas/Refusal"}, path


@pytest.mark.parametrize("path", JSON_POSTS)
def test_a_body_at_the_limit_is_read_and_one_byte_more_is_refused_naming_the_limit(
    client: TestClient, override_settings: Any, path: str
) -> None:
    content = encoded(JSON_POSTS[path])
    override_settings(max_request_bytes=len(content))
    assert post(client, path, content).status_code == 200

    override_settings(max_request_bytes=len(content) - 1)
    response = post(client, path, content)

    assert response.status_code == 413
    limit = len(content) - 1
    assert response.json() == {
        "detail": f"the request body is over the {limit} bytes accepted (LSTM_CONVEYOR_MAX_REQUEST_BYTES)",
        "code": "request_too_large",
        "params": {"limit": limit, "setting": "LSTM_CONVEYOR_MAX_REQUEST_BYTES"},
    }
    korean = problem_text("request_too_large", response.json()["params"], "ko")
    assert korean == f"요청 본문이 허용 크기 {limit}바이트를 넘습니다(LSTM_CONVEYOR_MAX_REQUEST_BYTES)"


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(
    client: TestClient, override_settings: Any
) -> None:
    override_settings(max_request_bytes=100_000)

    def chunks() -> Iterator[bytes]:  # a generator body goes out chunked, without Content-Length
        yield b'{"x": ['
        yield from (b"[0.5, 0.5]," * 6000 for _ in range(4))

    response = post(client, "/api/trace", chunks())

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def _post_chunked(url: str, path: str, rows: int) -> int:
    """POST a JSON body of `rows` rows of x, generated as it is sent (chunked); the status."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)

    def body() -> Iterator[bytes]:
        yield b'{"weights": {"weight_ih": [[0.5]], "weight_hh": [[0.5]], "bias_ih": [0], "bias_hh": [0]},'
        yield b' "x": ['
        for _ in range(rows // 10_000):
            yield b"[0.5, 0.5]," * 10_000
        yield b"[0.5, 0.5]]}"

    try:
        connection.request(
            "POST", path, body=body(), headers={"Content-Type": "application/json"}, encode_chunked=True
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_huge_body_never_reaches_memory(server_url: str, override_settings: Any) -> None:
    """20 MB of small rows, sent chunked to a real server: refused within the 1 MB limit, and the
    process (server and client alike) never holds more than a few MB for it. Parsed whole, these
    rows took ~250 MB as Python objects."""
    override_settings(max_request_bytes=1_000_000)
    tracemalloc.start()
    try:
        status = _post_chunked(server_url, "/api/trace", rows=2_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 16e6, f"peak {peak / 1e6:.0f} MB"
    assert status == 413
