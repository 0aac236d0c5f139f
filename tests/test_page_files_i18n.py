"""A refused upload is said in the page's language, from the code and params the server sends.

The server answers a bad file with {"detail": English text, "code", "params"}; the Korean page
must show the Korean text of that code (static/js/i18n/ko.js), say it again in English after a
language switch, and fall back to the server's words for a code it does not know.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.i18n import problem_text
from tests.test_page_share import REFUSED_UPLOAD, encode_link, upload

pytestmark = pytest.mark.browser

STATUS_MENTIONS = "name => document.getElementById('status').textContent.includes(name)"


@pytest.fixture
def korean_page(browser: Any, server_url: str) -> Iterator[Any]:
    """The page opened by a link in Korean, with the files dive open (where files are imported and
    their notes shown); any console error but the browser's own line for a refused upload fails
    the test."""
    # bypass_csp only for wait_for_function's evaluated strings (see conftest.py's `page`).
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and not REFUSED_UPLOAD.match(message.text):
            problems.append(f"console.error: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.goto(server_url + "/" + encode_link({"v": 1, "lang": "ko", "dive": "files"}))
    page.wait_for_selector("body[data-ready='true'][data-lang='ko']")
    page.wait_for_selector("#dive-files", state="visible")
    yield page
    context.close()
    assert not problems, "the page reported problems:\n" + "\n".join(problems)


def status_after_upload(page: Any, selector: str, name: str, data: bytes) -> str:
    upload(page, selector, name, data)
    page.wait_for_function(STATUS_MENTIONS, arg=name)
    text: str = page.inner_text("#status")
    return text


def refusal(client: TestClient, path: str, name: str, data: bytes) -> dict[str, Any]:
    body: dict[str, Any] = client.post(path, files={"file": (name, data)}).json()
    return body


def test_a_bad_csv_is_refused_in_korean(korean_page: Any, client: TestClient) -> None:
    data = b"signal,release\n1,2\n3,zz\n"
    answer = refusal(client, "/api/inputs", "bad.csv", data)
    assert answer["code"] == "csv_not_number"

    status = status_after_upload(korean_page, "#upload-inputs", "bad.csv", data)

    korean = problem_text(answer["code"], answer["params"], "ko")
    assert korean == "3번째 줄 2번째 칸: 'zz'은(는) 숫자가 아닙니다"
    assert f"bad.csv 오류: {korean}" in status, status
    assert answer["detail"] not in status and "is not a number" not in status, status


def test_a_bad_weights_file_is_refused_in_korean_and_in_english_after_a_switch(
    korean_page: Any, client: TestClient
) -> None:
    data = b"PK\x03\x04 this is not really a zip archive"
    answer = refusal(client, "/api/weights", "broken.npz", data)
    assert answer["code"] == "npz_unreadable"

    status = status_after_upload(korean_page, "#upload-weights", "broken.npz", data)

    assert f"broken.npz 오류: {problem_text('npz_unreadable', {}, 'ko')}" in status, status
    assert "not a readable" not in status, status
    korean_page.click("#lang button[data-lang='en']")
    korean_page.wait_for_selector("body[data-lang='en']")
    korean_page.wait_for_function(STATUS_MENTIONS, arg="Error in broken.npz")
    assert f"Error in broken.npz: {answer['detail']}" in korean_page.inner_text("#status")


def test_a_file_too_large_names_the_limit_in_korean(korean_page: Any) -> None:
    # The server's own limit is 64 MiB; the answer it would give is played back for a small file.
    answer = {
        "detail": "the upload is over the 2000 bytes accepted (LSTM_CONVEYOR_MAX_UPLOAD_BYTES)",
        "code": "upload_too_large",
        "params": {"limit": 2000, "setting": "LSTM_CONVEYOR_MAX_UPLOAD_BYTES"},
    }
    korean_page.route(
        "**/api/inputs",
        lambda route: route.fulfill(status=413, content_type="application/json", body=json.dumps(answer)),
    )

    status = status_after_upload(korean_page, "#upload-inputs", "big.csv", b"1,2\n")

    assert (
        "big.csv 오류: 올린 파일이 허용 크기 2000바이트를 넘습니다(LSTM_CONVEYOR_MAX_UPLOAD_BYTES)" in status
    )


def test_a_code_the_page_does_not_know_shows_the_servers_words(korean_page: Any) -> None:
    answer = {"detail": "a problem from a newer server", "code": "brand_new_problem", "params": {"n": 1}}
    korean_page.route(
        "**/api/inputs",
        lambda route: route.fulfill(status=422, content_type="application/json", body=json.dumps(answer)),
    )

    status = status_after_upload(korean_page, "#upload-inputs", "new.csv", b"1,2\n")

    assert "new.csv 오류: a problem from a newer server" in status, status


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def test_a_layer_that_cannot_be_loaded_is_explained_in_korean(korean_page: Any) -> None:
    rng = np.random.default_rng(0)
    lstm = {  # H=3, D=2: the page's default scenario's D, so the layer loads
        "weight_ih_l0": rng.uniform(-1, 1, (12, 2)),
        "weight_hh_l0": rng.uniform(-1, 1, (12, 3)),
        "bias_ih_l0": np.zeros(12),
        "bias_hh_l0": np.zeros(12),
    }
    gru = {"weight_ih_l1": np.zeros((9, 3)), "weight_hh_l1": np.zeros((9, 3))}

    upload(korean_page, "#upload-weights", "stack.npz", npz(**lstm, **gru))
    korean_page.wait_for_function(
        "() => document.getElementById('files-note').textContent.includes('불러올 수 없음')"
    )

    assert korean_page.is_visible("#files-note")
    note = korean_page.inner_text("#files-note")
    params = {"name": "weight_ih_l1", "shape": "(9, 3)", "note": "gru_shape"}
    assert f"불러올 수 없음: l1 ({problem_text('lstm_ih_shape', params, 'ko')})" in note, note
    assert "GRU의 모양이지 LSTM의 모양이 아닙니다" in note and "GRU's shape" not in note, note
