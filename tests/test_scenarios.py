"""Each scenario keeps its promise on the engine, and the API hands out what the page shows."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine.lstm import QUANTITIES, Trace, run
from app.engine.train import accuracy, pytorch_default_init, sign_memory_batch, train_sign_memory
from app.scenarios import COUNTER_FIRES, SCENARIOS, get_scenario
from app.session import Session


def trace_of(name: str) -> Trace:
    scenario = get_scenario(name)
    return run(scenario.weights, scenario.x, scenario.h0, scenario.c0)


def test_long_memory_holds_the_written_value_for_100_steps() -> None:
    trace = trace_of("long-memory")
    written = trace.c[2]
    assert np.all(np.abs(written) > 0.9)
    assert np.all(np.abs(trace.c[102] - written) < 0.05)
    assert np.all(trace.f[3:] > 0.999) and np.all(trace.i[3:] < 0.001)


def test_forgetful_loses_the_same_write_within_a_few_steps() -> None:
    memory, forgetful = trace_of("long-memory"), trace_of("forgetful")
    np.testing.assert_allclose(forgetful.added[2], memory.added[2])  # the same write
    assert np.all(np.abs(forgetful.c[7]) < 0.01 * np.abs(forgetful.c[2]))


def test_latch_stores_holds_through_distractors_and_clears() -> None:
    scenario = get_scenario("latch")
    trace = trace_of("latch")
    value, store, clear = scenario.x.T
    assert np.ptp(value[7:30]) > 1.0  # the value input keeps moving while the latch holds
    first, second = np.tanh(value[6]), np.tanh(value[30])
    assert np.all(np.abs(trace.c[6:30, 0] - first) < 0.05)
    assert np.all(np.abs(trace.c[30:48, 0] - second) < 0.05)
    assert np.all(np.abs(trace.c[48:, 0]) < 0.05)
    assert store[6] == store[30] == clear[48] == 1.0


def test_latch_holds_whatever_the_distractor_input_does() -> None:
    scenario = get_scenario("latch")
    x = scenario.x.copy()
    x[7:30, 0] = np.random.default_rng(1).uniform(-2, 2, 23)
    trace = run(scenario.weights, x)
    assert np.all(np.abs(trace.c[6:30, 0] - np.tanh(x[6, 0])) < 0.05)


def test_counter_cell_state_equals_the_number_of_firings() -> None:
    scenario = get_scenario("counter")
    trace = trace_of("counter")
    fired_so_far = np.cumsum(scenario.x[:, 0] == 1.0)
    assert fired_so_far[-1] == len(COUNTER_FIRES)
    np.testing.assert_allclose(trace.c[:, 0], fired_so_far, atol=0.05)
    assert np.all(np.abs(trace.h) < 1)  # h is squashed; the belt is not


def test_random_init_follows_pytorchs_default_bound() -> None:
    weights = get_scenario("random-init").weights
    bound = 1 / np.sqrt(weights.hidden_size)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        values = getattr(weights, name)
        assert np.all(np.abs(values) <= bound) and np.std(values) > bound / 4


def test_scenario_list_names_every_scenario(client: TestClient) -> None:
    listed = client.get("/api/scenarios").json()
    assert [s["name"] for s in listed] == list(SCENARIOS)
    assert all(len(s["description"]) > 80 for s in listed)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_posting_a_scenario_to_api_trace_reproduces_the_session(client: TestClient, name: str) -> None:
    detail = client.get(f"/api/scenarios/{name}").json()
    body = {key: detail[key] for key in ("weights", "x", "h0", "c0")}

    traced = client.post("/api/trace", json=body).json()

    session = Session(name)
    for quantity in QUANTITIES:
        np.testing.assert_allclose(traced[quantity], getattr(session.trace, quantity), atol=1e-12)


def test_an_unknown_scenario_is_a_404_listing_the_known_ones(client: TestClient) -> None:
    response = client.get("/api/scenarios/nope")
    assert response.status_code == 404
    assert "long-memory" in response.json()["detail"]


def test_trained_memory_solves_its_task_on_fresh_sequences() -> None:
    weights = get_scenario("trained-memory").weights
    x, y = sign_memory_batch(np.random.default_rng(2026), batch=200, steps=50)
    assert accuracy(weights, x, y) >= 0.95


def test_trained_memory_follows_the_first_sign_in_its_own_sequence() -> None:
    scenario = get_scenario("trained-memory")
    flipped = scenario.x.copy()
    flipped[0, 0] = -flipped[0, 0]
    assert np.sign(run(scenario.weights, scenario.x).h[-1, 0]) == np.sign(scenario.x[0, 0])
    assert np.sign(run(scenario.weights, flipped).h[-1, 0]) == np.sign(flipped[0, 0])


def test_training_briefly_makes_the_loss_fall() -> None:
    _, losses = train_sign_memory(np.random.default_rng(0), iterations=30, steps=8)
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])


def test_an_untrained_lstm_does_not_solve_the_task() -> None:
    """The accuracy check above can fail: an untrained model scores near chance."""
    weights = pytorch_default_init(np.random.default_rng(0), inputs=2, hidden=4)
    x, y = sign_memory_batch(np.random.default_rng(2026), batch=200, steps=50)
    assert accuracy(weights, x, y) < 0.8
