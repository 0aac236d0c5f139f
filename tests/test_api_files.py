"""Files through the API: /api/weights, /api/inputs and the /api/export/… downloads."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from safetensors.numpy import save as save_safetensors

from app.config import get_settings
from app.engine.lstm import QUANTITIES, WEIGHT_NAMES
from app.i18n import problem_text
from app.web.body_limit import BodyLimit, upload_limit
from tests.helpers import require_torch, set_limits
from tests.test_api import body as trace_body


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    get_settings.cache_clear()


def upload(client: TestClient, path: str, data: bytes, filename: str, **form: str) -> Any:
    return client.post(path, files={"file": (filename, data)}, data=form)


def assert_refused(response: Any, status: int, fragment: str) -> None:
    """A 4xx whose detail says what is wrong, and nothing about the server's insides."""
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and fragment in detail, detail
    for leak in ("Traceback", 'File "', "/work", "site-packages", ".py"):
        assert leak not in response.text, response.text


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def small_layer(seed: int = 0, inputs: int = 2, hidden: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "weight_ih_l0": rng.uniform(-1, 1, (4 * hidden, inputs)),
        "weight_hh_l0": rng.uniform(-1, 1, (4 * hidden, hidden)),
        "bias_ih_l0": rng.uniform(-1, 1, 4 * hidden),
        "bias_hh_l0": rng.uniform(-1, 1, 4 * hidden),
    }


# --- a real PyTorch model, end to end ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_torch_two_layer_lstm_imports_and_runs_like_torch_step_by_step(
    client: TestClient, tmp_path: Path, fmt: str
) -> None:
    require_torch()
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(0)
    model = torch.nn.Module()
    model.encoder = torch.nn.Module()
    model.encoder.lstm = torch.nn.LSTM(input_size=3, hidden_size=5, num_layers=2)  # float32, as trained
    model.head = torch.nn.Linear(5, 1)
    path = tmp_path / f"model.{fmt}"
    if fmt == "safetensors":
        save_file(model.state_dict(), path)
    else:
        np.savez(path, **{k: v.numpy() for k, v in model.state_dict().items()})

    imported = []
    for layer in ("encoder.lstm.l0", "encoder.lstm.l1"):
        response = upload(client, "/api/weights", path.read_bytes(), path.name, layer=layer)
        assert response.status_code == 200, response.text
        imported.append(response.json())
    assert [(s["id"], s["H"], s["D"]) for s in imported[0]["layers"]] == [
        ("encoder.lstm.l0", 5, 3),
        ("encoder.lstm.l1", 5, 5),
    ]

    x = torch.randn(40, 3, dtype=torch.float64)
    trace0 = client.post("/api/trace", json={"weights": imported[0]["weights"], "x": x.tolist()}).json()
    trace1 = client.post("/api/trace", json={"weights": imported[1]["weights"], "x": trace0["h"]}).json()

    # The reference: torch's own cells, with the saved numbers exactly (float32 widened), stepped
    # one at a time so every h and c is seen.
    lstm = model.encoder.lstm.double()
    for k, trace in enumerate((trace0, trace1)):
        cell = torch.nn.LSTMCell(lstm.input_size if k == 0 else 5, 5, dtype=torch.float64)
        with torch.no_grad():
            for name in WEIGHT_NAMES:
                getattr(cell, name).copy_(getattr(lstm, f"{name}_l{k}"))
            h, c = torch.zeros(1, 5, dtype=torch.float64), torch.zeros(1, 5, dtype=torch.float64)
            inputs = x if k == 0 else torch.tensor(trace0["h"], dtype=torch.float64)
            for t in range(40):
                h, c = cell(inputs[t : t + 1], (h, c))
                np.testing.assert_allclose(trace["h"][t], h[0].numpy(), atol=1e-6, rtol=0)
                np.testing.assert_allclose(trace["c"][t], c[0].numpy(), atol=1e-6, rtol=0)
    with torch.no_grad():
        output, _ = lstm(x)  # the stacked module as a whole: its output is layer 1's h
    np.testing.assert_allclose(trace1["h"], output.numpy(), atol=1e-6, rtol=0)


def test_keras_npz_imports_in_pytorch_layout(client: TestClient) -> None:
    layer = small_layer(1)
    keras = {
        "lstm/lstm_cell/kernel:0": layer["weight_ih_l0"].T,
        "lstm/lstm_cell/recurrent_kernel:0": layer["weight_hh_l0"].T,
        "lstm/lstm_cell/bias:0": layer["bias_ih_l0"] + layer["bias_hh_l0"],
    }
    response = upload(client, "/api/weights", npz(**keras), "keras.npz")

    data = response.json()
    assert response.status_code == 200
    assert data["layer"] == "lstm/lstm_cell"
    assert data["layers"] == [{"id": "lstm/lstm_cell", "naming": "keras", "H": 3, "D": 2, "reverse": False}]
    np.testing.assert_array_equal(data["weights"]["weight_ih"], layer["weight_ih_l0"])
    np.testing.assert_array_equal(data["weights"]["weight_hh"], layer["weight_hh_l0"])


# --- export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "signature"), [("safetensors", b"{"), ("npz", b"PK")])
def test_exported_weights_reimport_to_the_same_numbers(
    client: TestClient, fmt: str, signature: bytes
) -> None:
    weights = trace_body(seed=5, inputs=2, hidden=3)["weights"]

    response = client.post(f"/api/export/weights.{fmt}", json={"weights": weights})

    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="lstm.{fmt}"'
    assert signature in response.content[:10]
    back = upload(client, "/api/weights", response.content, f"lstm.{fmt}").json()
    assert back["layer"] == "l0"
    assert back["weights"] == weights  # every float64 identical


def test_export_refuses_inconsistent_weights(client: TestClient) -> None:
    weights = trace_body()["weights"]
    weights["weight_hh"] = weights["weight_hh"][:8]
    response = client.post("/api/export/weights.npz", json={"weights": weights})
    assert response.status_code == 422
    assert "weight_hh has 8 rows" in response.json()["detail"][0]["msg"]


def read_csv(text: str) -> tuple[list[str], list[list[float]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [[float(cell) for cell in row] for row in rows[1:]]


def test_trace_csv_has_a_row_per_step_and_unit_with_the_trace_numbers(client: TestClient) -> None:
    payload = trace_body(seed=6, inputs=2, hidden=3, steps=4)
    expected = client.post("/api/trace", json=payload).json()

    response = client.post("/api/export/trace.csv", json=payload)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="trace.csv"'
    header, rows = read_csv(response.text)
    assert header == ["step", "unit", "x0", "x1", *QUANTITIES[1:]]
    assert len(rows) == 4 * 3
    for row in rows:
        t, unit = int(row[0]), int(row[1])
        assert row[2:4] == expected["x"][t]  # the step's inputs, on every unit's row
        for column, name in enumerate(QUANTITIES[1:], start=4):
            assert row[column] == expected[name][t][unit], (name, t, unit)  # exact: shortest repr
    assert [(int(r[0]), int(r[1])) for r in rows] == [(t, u) for t in range(4) for u in range(3)]


def test_trace_csv_with_gradients_and_for_the_rnn(client: TestClient) -> None:
    with_gradients = client.post(
        "/api/export/trace.csv", json=trace_body(steps=3, inputs=2, gradients={"target": "sum"})
    )
    header, _ = read_csv(with_gradients.text)
    assert header[-5:] == ["dL_dc", "dL_dh", "dL_dx0", "dL_dx1", "belt"]

    rnn = trace_body(steps=3, inputs=2, hidden=3, model="rnn")
    for name in WEIGHT_NAMES:
        rnn["weights"][name] = rnn["weights"][name][:3]
    header, rows = read_csv(client.post("/api/export/trace.csv", json=rnn).text)
    assert header == ["step", "unit", "x0", "x1", "h_prev", "pre", "h"] and len(rows) == 9


def test_trace_csv_over_the_size_limit_is_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_limits(monkeypatch, max_csv_cells=100)
    response = client.post("/api/export/trace.csv", json=trace_body(steps=4))
    assert_refused(response, 413, "the CSV would hold 384 numbers (T·H = 12 rows × 32 columns)")


# --- inputs ---------------------------------------------------------------------------------------


def test_inputs_from_csv_and_npy(client: TestClient) -> None:
    response = upload(client, "/api/inputs", b"u,v\n1,2\n3,4.5\n", "x.csv")
    assert response.json() == {"x": [[1.0, 2.0], [3.0, 4.5]], "T": 2, "D": 2}

    buffer = io.BytesIO()
    np.save(buffer, np.arange(3, dtype=np.float32))
    assert upload(client, "/api/inputs", buffer.getvalue(), "x.npy").json() == {
        "x": [[0.0], [1.0], [2.0]],
        "T": 3,
        "D": 1,
    }


def test_inputs_refusals_are_4xx_with_the_line(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_refused(upload(client, "/api/inputs", b"1,2\n3\n", "x.csv"), 422, "line 2 has 1 values")
    assert_refused(upload(client, "/api/inputs", b"1,zz\n", "x.csv"), 422, "line 1, column 2: 'zz'")
    assert_refused(upload(client, "/api/inputs", b"", "x.csv"), 400, "the file is empty")
    set_limits(monkeypatch, max_steps=2)
    assert_refused(upload(client, "/api/inputs", b"1\n2\n3\n", "x.csv"), 413, "more than 2 time steps")


# --- refusals -------------------------------------------------------------------------------------


def object_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, weight_ih_l0=np.array([print], dtype=object))
    return buffer.getvalue()


def lying_safetensors() -> bytes:
    data = bytearray(save_safetensors(small_layer()))
    return bytes(data.replace(b'"data_offsets":[0,', b'"data_offsets":[8,', 1))


def with_tensor(name: str, value: np.ndarray) -> bytes:
    return npz(**(small_layer() | {name: value}))


def without(name: str) -> bytes:
    layer = small_layer()
    del layer[name]
    return npz(**layer)


REFUSALS = {
    "pickled npz": (object_npz(), 422, "weight_ih_l0.npy holds pickled Python objects"),
    "truncated zip": (npz(**small_layer())[:300], 400, "not a readable .npz"),
    "truncated safetensors": (save_safetensors(small_layer())[:-4], 400, "truncated: the header declares"),
    "lying offsets": (lying_safetensors(), 400, "data_offsets [8,"),
    "object dtype": (with_tensor("bias_ih_l0", np.array(["a"] * 12)), 422, "bias_ih_l0 has dtype str"),
    "complex dtype": (with_tensor("bias_ih_l0", np.zeros(12, complex)), 422, "has dtype complex128"),
    "int dtype": (with_tensor("weight_hh_l0", np.zeros((12, 3), int)), 422, "weight_hh_l0 has dtype int64"),
    "wrong shape": (
        with_tensor("weight_hh_l0", np.zeros((12, 2))),
        422,
        "weight_hh_l0 has shape (12, 2), but weight_ih_l0 (12, 2) means H=3, so weight_hh_l0 must be (12, 3)",
    ),
    "missing weight_hh": (without("weight_hh_l0"), 422, "weight_hh_l0 is missing"),
    "NaN": (with_tensor("bias_hh_l0", np.full(12, np.nan)), 422, "bias_hh_l0 holds nan at [0]"),
    "not a weights file": (b"hello, world" * 10, 400, "neither a .safetensors file nor an .npz archive"),
    "empty": (b"", 400, "the file is empty"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_bad_weights_files_are_refused_with_a_clear_4xx(client: TestClient, case: str) -> None:
    data, status, fragment = REFUSALS[case]
    assert_refused(upload(client, "/api/weights", data, "upload.bin"), status, fragment)


def test_unknown_layer_is_a_422_listing_the_layers(client: TestClient) -> None:
    response = upload(client, "/api/weights", npz(**small_layer()), "w.npz", layer="decoder.l0")
    assert_refused(response, 422, "the file has no layer 'decoder.l0'; it has: l0")


def test_oversized_upload_is_refused_by_content_length(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_limits(monkeypatch, max_upload_bytes=2000)
    response = upload(client, "/api/weights", bytes(5000), "big.npz")
    assert_refused(
        response, 413, "the upload is over the 2000 bytes accepted (LSTM_CONVEYOR_MAX_UPLOAD_BYTES)"
    )


def test_oversized_upload_without_content_length_is_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_limits(monkeypatch, max_upload_bytes=100_000)

    def chunks() -> Iterator[bytes]:  # a generator body goes out chunked, without Content-Length
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.npz"\r\n\r\n'
        yield from (bytes(65536) for _ in range(4))

    response = client.post(
        "/api/weights", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
    )

    assert "content-length" not in response.request.headers
    assert_refused(response, 413, "the upload is over the 100000 bytes accepted")


def test_upload_limit_stops_reading_a_streamed_body_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard alone, around an app that would read forever: it pulls only a few chunks."""
    set_limits(monkeypatch, max_upload_bytes=100_000)
    pulled, sent = 0, []

    async def endless_body() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": bytes(65536), "more_body": True}

    async def reader(scope: Any, receive: Any, send: Any) -> None:
        while (await receive())["more_body"]:
            pass

    async def record(message: Any) -> None:
        sent.append(message)

    guard = BodyLimit(reader, paths=["/api/weights"], refusal=upload_limit)
    scope = {"type": "http", "path": "/api/weights", "headers": [], "method": "POST"}
    # In a thread of its own: a browser test earlier in the session may leave this thread's
    # event loop running (Playwright's sync API), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, guard(scope, endless_body, record)).result()

    assert pulled == 2  # 65,536 bytes, then 131,072 > 100,000: cut off
    assert sent[0]["status"] == 413


def test_too_many_tensors_and_zip_bombs_are_413(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    set_limits(monkeypatch, max_tensors=3)
    assert_refused(upload(client, "/api/weights", npz(**small_layer()), "w.npz"), 413, "at most 3")

    buffer = io.BytesIO()
    np.savez_compressed(buffer, weight_ih_l0=np.zeros((2048, 1024)))  # 16 MiB of zeros in ~16 KiB
    assert_refused(upload(client, "/api/weights", buffer.getvalue(), "w.npz"), 413, "a zip bomb?")


def test_openapi_documents_the_file_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/weights", "/api/inputs", "/api/export/weights.safetensors", "/api/export/weights.npz",
                 "/api/export/trace.csv"):  # fmt: skip
        assert "post" in paths[path], path
    upload_body = paths["/api/weights"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
    assert {"200", "400", "413", "422"} <= set(paths["/api/weights"]["post"]["responses"])


def test_layers_that_cannot_be_imported_are_listed_as_skipped_with_why(client: TestClient) -> None:
    gru = {"weight_ih_l1": np.zeros((9, 3)), "weight_hh_l1": np.zeros((9, 3))}
    response = upload(client, "/api/weights", npz(**small_layer(), **gru), "w.npz", layer="")

    data = response.json()
    assert response.status_code == 200 and data["layer"] == "l0"  # a blank `layer`: the default
    assert [layer["id"] for layer in data["layers"]] == ["l0"]
    assert data["skipped"] == [
        {"id": "l1", "detail": "weight_ih_l1 has shape (9, 3); an LSTM's is (4H, D), gate rows i, f, g, o "
         "(3H × H is a GRU's shape, not an LSTM's)",
         "code": "lstm_ih_shape", "params": {"name": "weight_ih_l1", "shape": "(9, 3)", "note": "gru_shape"}}
    ]  # fmt: skip


def test_file_content_decides_the_format_not_its_name(client: TestClient) -> None:
    response = upload(client, "/api/weights", save_safetensors(small_layer()), "misnamed.npz")
    assert response.status_code == 200 and response.json()["layer"] == "l0"


# --- refusals carry a code and params, said in every language -----------------------------------

HANGUL = re.compile(r"[가-힣]")


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# (path, file name, content, status, code, params)
CODED_REFUSALS = {
    "wrong format": ("/api/weights", "notes.txt", b"hello, world" * 10, 400, "not_tensor_file", {}),
    "a pickle": ("/api/weights", "model.pt", b"\x80\x04K\x01." * 4, 400, "pickle_file", {}),
    "missing tensor": (
        "/api/weights", "w.npz", without("weight_hh_l0"), 422, "tensor_missing",
        {"name": "weight_hh_l0", "layer": "l0", "present": ["weight_ih_l0", "bias_ih_l0", "bias_hh_l0"]},
    ),
    "wrong shape": (
        "/api/weights", "w.npz", with_tensor("weight_hh_l0", np.zeros((12, 2))), 422, "shape_mismatch",
        {"name": "weight_hh_l0", "shape": "(12, 2)", "reference": "weight_ih_l0",
         "reference_shape": "(12, 2)", "hidden": 3, "expected": "(12, 3)"},
    ),
    "a GRU": (
        "/api/weights", "gru.npz", npz(weight_ih_l0=np.zeros((9, 2)), weight_hh_l0=np.zeros((9, 3))), 422,
        "lstm_ih_shape", {"name": "weight_ih_l0", "shape": "(9, 2)", "note": "gru_shape"},
    ),
    "int dtype": (
        "/api/weights", "w.npz", with_tensor("weight_hh_l0", np.zeros((12, 3), int)), 422, "tensor_dtype",
        {"name": "weight_hh_l0", "dtype": "int64", "note": "integers",
         "accepted": ["float16", "float32", "float64", "bfloat16"]},
    ),
    "unknown layer": ("/api/weights", "w.npz", npz(**small_layer()), 422, "unknown_layer", None),
    "bad CSV cell": (
        "/api/inputs", "x.csv", b"1,zz\n", 422, "csv_not_number", {"line": 1, "column": 2, "cell": "zz"}
    ),
    "semicolons": (
        "/api/inputs", "x.csv", b"1;2\n3;4\n", 422, "csv_not_number",  # line 1 reads as a header
        {"line": 2, "column": 1, "cell": "3;4", "note": "commas"},
    ),
    "ragged CSV": (
        "/api/inputs", "x.csv", b"1,2\n3\n", 422, "csv_ragged",
        {"line": 2, "count": 1, "first_line": 1, "first_count": 2},
    ),
    "NaN in .npy": (
        "/api/inputs", "x.npy", npy(np.array([[1.0, np.nan]])), 422, "not_finite_value",
        {"name": "x.npy", "value": "nan", "index": "[0, 1]"},
    ),
    "empty": ("/api/inputs", "x.csv", b"", 400, "empty_file", {}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CODED_REFUSALS))
def test_a_refusal_names_its_problem_by_code_and_params(client: TestClient, case: str) -> None:
    path, filename, data, status, code, params = CODED_REFUSALS[case]
    form = {"layer": "decoder.l0"} if case == "unknown layer" else {}

    response = upload(client, path, data, filename, **form)

    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "code", "params"}
    assert body["code"] == code
    if params is not None:
        assert body["params"] == params
    assert body["detail"] == problem_text(code, body["params"])  # the English text, from the same code
    korean = problem_text(code, body["params"], "ko")
    assert HANGUL.search(korean) and korean != body["detail"] and "{" not in korean, korean


def test_an_upload_over_the_limit_names_the_limit_and_its_setting(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_limits(monkeypatch, max_upload_bytes=2000)
    response = upload(client, "/api/inputs", bytes(5000), "big.csv")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "the upload is over the 2000 bytes accepted (LSTM_CONVEYOR_MAX_UPLOAD_BYTES)",
        "code": "upload_too_large",
        "params": {"limit": 2000, "setting": "LSTM_CONVEYOR_MAX_UPLOAD_BYTES"},
    }
    korean = problem_text("upload_too_large", response.json()["params"], "ko")
    assert korean == "올린 파일이 허용 크기 2000바이트를 넘습니다(LSTM_CONVEYOR_MAX_UPLOAD_BYTES)"


def test_too_many_steps_in_a_file_names_the_limit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_limits(monkeypatch, max_steps=2)
    body = upload(client, "/api/inputs", b"1\n2\n3\n", "x.csv").json()
    assert body["code"] == "file_too_many_steps"
    assert body["params"] == {"limit": 2, "setting": "LSTM_CONVEYOR_MAX_STEPS"}


def test_the_openapi_document_describes_the_refusals_code_and_params(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"detail", "code", "params"} <= set(schemas["Refusal"]["required"])
    assert {"code", "params"} <= set(schemas["ValidationError"]["required"])
    assert "input" not in schemas["ValidationError"]["properties"]  # never sent
    weights_422 = document["paths"]["/api/weights"]["post"]["responses"]["422"]["content"]["application/json"]
    refs = {each["$ref"].rsplit("/", 1)[1] for each in weights_422["schema"]["anyOf"]}
    assert refs == {"Refusal", "HTTPValidationError"}  # a refused file, or a form without `file`
    missing = client.post("/api/weights").json()["detail"][0]
    assert missing["code"] == "missing" and missing["params"] == {} and missing["loc"] == ["body", "file"]
