"""POST /api/trace: the contract scripts and notebooks rely on."""

import json
from collections.abc import Callable
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from app.engine.gru import GRU_QUANTITIES
from app.engine.lstm import QUANTITIES, LSTMWeights, run
from tests.helpers import random_weights, require_torch


def body(seed: int = 0, inputs: int = 2, hidden: int = 3, steps: int = 12, **extra: Any) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    payload: dict[str, Any] = {
        "weights": random_weights(rng, inputs, hidden),
        "x": rng.standard_normal((steps, inputs)).tolist(),
    }
    payload.update(extra)
    return payload


def test_trace_returns_every_quantity_as_t_rows(client: TestClient) -> None:
    response = client.post("/api/trace", json=body(steps=12))

    assert response.status_code == 200
    data = response.json()
    assert set(data) == set(QUANTITIES)
    assert np.shape(data["x"]) == (12, 2)
    for name in QUANTITIES[1:]:
        assert np.shape(data[name]) == (12, 3), name


def test_trace_numbers_equal_the_engine_with_zero_initial_state_by_default(client: TestClient) -> None:
    payload = body(seed=3)
    data = client.post("/api/trace", json=payload).json()

    weights = LSTMWeights(**{k: np.array(v) for k, v in payload["weights"].items()})
    expected = run(weights, np.array(payload["x"]))
    for name in QUANTITIES:
        np.testing.assert_allclose(data[name], getattr(expected, name), rtol=0, atol=1e-12)
    np.testing.assert_allclose(data["h_prev"][0], 0)
    np.testing.assert_allclose(data["c_prev"][0], 0)


def test_trace_matches_torch_with_given_initial_state(client: TestClient) -> None:
    require_torch()
    import torch

    payload = body(seed=4, inputs=4, hidden=3, steps=50, h0=[0.1, -0.2, 0.3], c0=[1.0, -1.0, 0.5])
    data = client.post("/api/trace", json=payload).json()

    lstm = torch.nn.LSTM(4, 3, dtype=torch.float64)
    with torch.no_grad():
        for name, value in payload["weights"].items():
            getattr(lstm, f"{name}_l0").copy_(torch.tensor(value, dtype=torch.float64))
        state = (
            torch.tensor([payload["h0"]], dtype=torch.float64),
            torch.tensor([payload["c0"]], dtype=torch.float64),
        )
        output, _ = lstm(torch.tensor(payload["x"], dtype=torch.float64), state)
    np.testing.assert_allclose(data["h"], output.numpy(), atol=1e-6, rtol=0)


def test_trace_rejects_inconsistent_shapes_naming_the_tensor(client: TestClient) -> None:
    payload = body(hidden=3)
    payload["weights"]["weight_hh"] = payload["weights"]["weight_hh"][:8]

    response = client.post("/api/trace", json=payload)

    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "weight_hh has 8 rows" in message and "must be (12, 3)" in message


def test_trace_rejects_non_finite_huge_and_string_numbers(client: TestClient) -> None:
    payload = body()
    payload["x"][0][0] = "PLACEHOLDER"
    template = json.dumps(payload)
    for bad in ["NaN", "Infinity", "-Infinity", "1e308", '"1.5"', "true"]:
        raw = template.replace('"PLACEHOLDER"', bad)
        response = client.post("/api/trace", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["body", "x", 0, 0], bad


def test_trace_rejects_rows_of_the_wrong_width_and_h0_of_the_wrong_length(client: TestClient) -> None:
    ragged = body()
    ragged["x"][4] = ragged["x"][4][:1]
    assert (
        "x[4] has 1 values, expected 2" in client.post("/api/trace", json=ragged).json()["detail"][0]["msg"]
    )

    short_h0 = body(h0=[0.0, 0.0])
    assert "h0 has 2 values, but H=3" in client.post("/api/trace", json=short_h0).json()["detail"][0]["msg"]


def test_validation_errors_do_not_echo_the_input(client: TestClient) -> None:
    payload = body()
    payload["x"][0][0] = "secret-looking-string"
    response = client.post("/api/trace", json=payload)
    assert response.status_code == 422
    assert "secret-looking-string" not in response.text


def test_openapi_documents_the_trace_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/trace"]["post"]
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    refs = {option["$ref"].rsplit("/", 1)[1] for option in response_schema["anyOf"]}
    assert refs == {"LSTMTraceResponse", "GRUTraceResponse", "RNNTraceResponse"}
    lstm_fields = set(schema["components"]["schemas"]["LSTMTraceResponse"]["properties"])
    assert lstm_fields == set(QUANTITIES) | {"dL_dc", "dL_dh", "dL_dx", "belt", "tokens", "top"}
    gru_fields = set(schema["components"]["schemas"]["GRUTraceResponse"]["properties"])
    assert gru_fields == set(GRU_QUANTITIES) | {"dL_dh", "dL_dx", "belt"}
    request = schema["components"]["schemas"]["TraceRequest"]["properties"]
    assert {"model", "gradients", "weights", "x", "h0", "c0", "reset_after", "text"} <= set(request)
    assert client.get("/docs").status_code == 200


def test_openapi_documents_each_scenarios_prompt_and_opening_step(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for model in ("ScenarioSummary", "ScenarioDetail"):
        fields = schemas[model]["properties"]
        assert {"name", "title", "description", "prompt", "open_step"} <= set(fields), model
        assert fields["open_step"]["type"] == "integer"
    listed = client.get("/api/scenarios").json()
    assert all(set(summary) == {"name", "title", "description", "prompt", "open_step"} for summary in listed)


def test_huge_or_empty_sizes_are_refused_before_running(
    client: TestClient, override_settings: Callable[..., None]
) -> None:
    # (at the default 1024, a 1025-unit layer's JSON is over max_request_bytes: refused before this)
    override_settings(max_hidden=512, max_inputs=512)
    rng = np.random.default_rng(0)
    too_many_units = body() | {"weights": random_weights(rng, inputs=2, hidden=513), "x": [[0.0, 0.0]]}
    too_many_inputs = body() | {"weights": random_weights(rng, inputs=513, hidden=1), "x": [[0.0] * 513]}
    no_inputs = body() | {"weights": random_weights(rng, inputs=0, hidden=2), "x": [[]]}
    too_many_steps = body(steps=10_001, hidden=1)
    expected = {
        "H=513 must be in 1..512": too_many_units,
        "D=513 must be in 1..512": too_many_inputs,
        "D=0 must be in 1..512": no_inputs,
        "x has 10001 steps; at most 10000 are allowed": too_many_steps,
    }
    for message, payload in expected.items():
        response = client.post("/api/trace", json=payload)
        assert response.status_code == 422, message
        assert message in response.json()["detail"][0]["msg"]
