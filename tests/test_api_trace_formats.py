"""POST /api/trace: only the quantities asked for, and the same arrays as an .npz file."""

from __future__ import annotations

import io

import numpy as np
from fastapi.testclient import TestClient

from tests.helpers import random_weights


def body(**extra: object) -> dict[str, object]:
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (6, 2)).tolist()
    return {"weights": random_weights(rng, inputs=2, hidden=3), "x": x, **extra}


def test_only_the_quantities_asked_for_come_back(client: TestClient) -> None:
    whole = client.post("/api/trace", json=body(gradients={})).json()
    some = client.post("/api/trace", json=body(gradients={}, quantities=["h", "c", "dL_dc"])).json()
    assert set(some) == {"h", "c", "dL_dc"}
    for name in some:
        assert some[name] == whole[name]


def test_a_quantity_the_answer_lacks_is_refused_naming_it(client: TestClient) -> None:
    answer = client.post("/api/trace", json=body(quantities=["h", "dL_dc"]))  # no gradients asked
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["code"] == "unknown_quantity" and problem["params"]["name"] == "dL_dc"
    assert problem["loc"] == ["body", "quantities"]


def test_npz_holds_the_json_answer_and_loads_without_pickle(client: TestClient) -> None:
    as_json = client.post("/api/trace", json=body(gradients={"target": 1})).json()
    answer = client.post("/api/trace", json=body(gradients={"target": 1}, format="npz"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert "trace.npz" in answer.headers["content-disposition"]
    with np.load(io.BytesIO(answer.content), allow_pickle=False) as npz:
        assert set(npz.files) == set(as_json)
        for name in npz.files:
            np.testing.assert_array_equal(npz[name], np.asarray(as_json[name]), name)
            assert npz[name].dtype == np.float64


def test_npz_of_some_quantities(client: TestClient) -> None:
    answer = client.post("/api/trace", json=body(format="npz", quantities=["c"]))
    with np.load(io.BytesIO(answer.content), allow_pickle=False) as npz:
        assert npz.files == ["c"] and npz["c"].shape == (6, 3)
