"""The GRU's scenarios keep their promises on the engine's own numbers, in both languages, and
GET /api/scenarios hands them out with `?model=gru`."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine import gru
from app.engine.gru import GRUTrace
from app.gru_scenarios import GRU_SCENARIOS, get_gru_scenario
from app.i18n import LANGUAGES
from app.scenarios import SCENARIOS, get_scenario


def trace_of(name: str, x: np.ndarray | None = None) -> GRUTrace:
    scenario = get_gru_scenario(name)
    return gru.run(scenario.weights, scenario.x if x is None else x, scenario.h0)


def test_hold_and_release_unit_0_holds_the_signal_until_the_release_writes_zero_over_it() -> None:
    trace = trace_of("hold-and-release")
    h = trace.h
    assert np.all(h[:5] == 0) and h[5, 0] > 0.99  # the signal at step 5 is written
    assert np.all(h[5:28, 0] > 0.98)  # held: z ≈ 0.9997 keeps it, step after step
    assert trace.z[5, 0] < 1e-6 and np.all(trace.z[6:28, 0] > 0.999)
    assert np.all(np.abs(h[28:, 0]) < 1e-6)  # the release shuts z with n = 0: written over
    assert trace.z[28, 0] < 1e-6 and abs(trace.n[28, 0]) == 0.0


def test_hold_and_release_unit_1_forgets_and_unit_2_holds_its_negative_through_the_release() -> None:
    h = trace_of("hold-and-release").h
    assert h[5, 1] > 0.99 and h[10, 1] < 0.1  # z ≈ 0.57 loses it within a few steps
    assert h[5, 2] < -0.99 and np.all(h[5:, 2] < -0.98)  # no output gate hides it, no release erases it


def test_hold_and_release_prompt_a_smaller_signal_rides_on_unit_0_until_the_release() -> None:
    x = get_gru_scenario("hold-and-release").x.copy()
    x[5, 0] = 0.5
    h = trace_of("hold-and-release", x).h
    assert 0.89 < h[5, 0] < 0.91 and np.all(h[5:28, 0] > 0.88) and abs(h[28, 0]) < 1e-6


@pytest.mark.parametrize("value", [1.0, 0.5])
def test_long_memory_keeps_the_written_value_to_the_last_step(value: float) -> None:
    x = get_gru_scenario("long-memory").x.copy()
    x[2, 0] = value
    trace = trace_of("long-memory", x)
    written = trace.h[2]
    assert np.allclose(written, [np.tanh(2 * value), -np.tanh(2 * value)], rtol=1e-4)
    assert np.all(np.abs(trace.h[-1] - written) < 0.01 * np.abs(written))  # over 117 steps
    assert np.all(trace.z[3:] > 0.9999)


def test_each_gru_scenario_is_its_lstm_scenarios_inputs_and_opening_step() -> None:
    assert set(GRU_SCENARIOS) <= set(SCENARIOS)
    for name in GRU_SCENARIOS:
        lstm, gru_version = get_scenario(name), get_gru_scenario(name)
        np.testing.assert_array_equal(gru_version.x, lstm.x)
        assert (gru_version.open_step, gru_version.input_names) == (lstm.open_step, lstm.input_names)
        assert gru_version.kind == "gru" and lstm.kind == "lstm"
        texts = gru_version.texts()
        for lang in LANGUAGES:
            assert (
                "GRU" in texts[lang]["title"]
                and texts[lang]["description"] != lstm.texts()[lang]["description"]
            )
        assert "h_{t−1}" in texts["en"]["description"]  # the braces survive the catalogue's templates


def test_the_scenario_routes_hand_out_the_gru_versions(client: TestClient) -> None:
    listed = client.get("/api/scenarios", params={"model": "gru", "lang": "ko"}).json()
    assert [item["name"] for item in listed] == list(GRU_SCENARIOS)
    assert listed[0]["title"] == "붙잡기와 놓기 (GRU)"

    detail = client.get("/api/scenarios/long-memory", params={"model": "gru"}).json()
    assert detail["model"] == "gru" and detail["reset_after"] is True and "c0" not in detail
    assert set(detail["knobs"]) >= {"bias_r", "bias_z", "bias_n"}
    body = {key: detail[key] for key in ("model", "weights", "x", "h0", "reset_after")}
    trace = client.post("/api/trace", json=body).json()
    np.testing.assert_allclose(trace["h"], trace_of("long-memory").h, rtol=1e-12)

    missing = client.get("/api/scenarios/latch", params={"model": "gru"})
    assert missing.status_code == 404 and "no GRU version" in missing.json()["detail"]
    lstm = client.get("/api/scenarios/long-memory").json()
    assert "model" not in lstm and "c0" in lstm  # the LSTM's answer as before
