"""Each scenario keeps its promise on the engine, and the API hands out what the page shows."""

import json
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.engine import rnn
from app.engine.backprop import lstm_backward, rnn_backward
from app.engine.knobs import Knobs, lstm_weights, rnn_weights
from app.engine.lstm import QUANTITIES, Trace, run
from app.engine.train import accuracy, pytorch_default_init, sign_memory_batch, train_sign_memory
from app.i18n import LANGUAGES, catalogue
from app.messages import ClientMessage, LoadScenario
from app.scenarios import COUNTER_FIRES, CUSTOM, PYTHON_CODE, SCENARIOS, custom_scenario, get_scenario
from app.session import Session
from tests.helpers import require_torch

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


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
    opening = {s["name"]: s["open_step"] for s in listed}
    assert opening == {name: factory().open_step for name, factory in SCENARIOS.items()}
    assert opening["hold-and-release"] == 5 and all(len(s["prompt"]) > 30 for s in listed)
    detail = client.get("/api/scenarios/counter", params={"lang": "ko"}).json()
    assert detail["open_step"] == 3 and detail["prompt"] == catalogue("ko")["scenarios"]["counter"]["prompt"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_posting_a_scenario_to_api_trace_reproduces_the_session(client: TestClient, name: str) -> None:
    detail = client.get(f"/api/scenarios/{name}").json()
    body = {key: detail[key] for key in ("weights", "x", "h0", "c0")}

    traced = client.post("/api/trace", json=body).json()

    session = Session(name)
    for quantity in QUANTITIES:
        np.testing.assert_allclose(traced[quantity], getattr(session.trace, quantity), atol=1e-12)


def test_each_scenario_says_the_knobs_it_opens_with(client: TestClient) -> None:
    """A script reproducing the gradient lab's RNN needs its w: the detail says it, as the session
    that loads the scenario uses it."""
    for name in SCENARIOS:
        knobs = client.get(f"/api/scenarios/{name}").json()["knobs"]
        assert knobs == Session(name).state.knobs.as_dict(), name
    assert client.get("/api/scenarios/gradient-lab").json()["knobs"]["rnn_scale"] == 2.0
    assert client.get("/api/scenarios/hold-and-release").json()["knobs"]["rnn_scale"] == 1.0


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


# --- where each scenario opens, and its "try this" prompt, checked against the numbers -------------

PROMPTED_DRAG = re.compile(r"^Drag (\w+) at step (\d+)")


def prompt(name: str) -> str:
    """The English prompt: each test below checks what it claims, so a new wording needs its check."""
    text: str = catalogue("en")["scenarios"][name]["prompt"]
    return text


def with_input(name: str, t: int, j: int, value: float) -> Trace:
    scenario = get_scenario(name)
    x = scenario.x.copy()
    x[t, j] = value
    return run(scenario.weights, x, scenario.h0, scenario.c0)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_scenario_opens_at_a_step_where_the_belt_visibly_changes(name: str) -> None:
    scenario = get_scenario(name)
    trace, t = trace_of(name), scenario.open_step
    assert 0 <= t < len(scenario.x)
    assert max(np.abs(trace.added[t]).max(), np.abs(trace.forgotten[t]).max()) > 0.3


@pytest.mark.parametrize("name", [*SCENARIOS, CUSTOM])
def test_descriptions_and_prompts_are_short(name: str) -> None:
    for lang in LANGUAGES:
        text = catalogue(lang)["scenarios"][name]
        assert "\n" not in text["prompt"] and len(text["description"]) <= 260, (lang, name)
    english = catalogue("en")["scenarios"][name]
    assert len(english["prompt"]) <= 110 and english["description"].count(". ") <= 2


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_prompt_that_asks_to_drag_an_input_names_one_of_the_opening_step(name: str) -> None:
    """The page's input sliders are those of the current step: the prompt's step is open_step."""
    scenario = get_scenario(name)
    english, korean = (scenario.texts()[lang]["prompt"] for lang in ("en", "ko"))
    asked = PROMPTED_DRAG.match(english)
    if asked is None:  # forgetful asks for a knob, which is the same at every step
        return
    assert asked[1] in scenario.input_names and int(asked[2]) == scenario.open_step
    assert korean.startswith(f"스텝 {scenario.open_step}의 ")


def test_hold_and_release_prompt_a_smaller_signal_rides_on_unit_0_until_the_release() -> None:
    assert prompt("hold-and-release") == (
        "Drag signal at step 5 to 0.5 and watch unit 0 carry the smaller parcel until the release at step 28."
    )
    before, after = trace_of("hold-and-release"), with_input("hold-and-release", 5, 0, 0.5)
    assert np.all(np.abs(after.c[5:28, 0] - before.c[5:28, 0]) > 0.3)  # a different parcel …
    assert np.all((after.c[5:28, 0] > 0.4) & (after.c[5:28, 0] < before.c[5:28, 0]))  # … a smaller one
    assert np.all(np.abs(after.c[28:, 0]) < 1e-3)  # and the release at step 28 erases it


def test_long_memory_prompt_a_smaller_pulse_is_kept_to_the_last_step() -> None:
    assert prompt("long-memory") == (
        "Drag pulse at step 2 down to 0.5 and watch both units keep the smaller value to the last step."
    )
    before, after = trace_of("long-memory"), with_input("long-memory", 2, 0, 0.5)
    assert np.all(np.abs(after.c[2]) < 0.5 * np.abs(before.c[2])) and np.all(np.abs(after.c[2]) > 0.3)
    assert np.all(np.abs(after.c[2:] - after.c[2]) < 0.01)  # both units, every step to T−1 = 119


def test_forgetful_opens_where_the_x_station_takes_three_quarters_off() -> None:
    scenario, trace = get_scenario("forgetful"), trace_of("forgetful")
    t = scenario.open_step
    np.testing.assert_allclose(trace.forgotten[t] / trace.c_prev[t], 0.73, atol=0.01)


def test_forgetful_prompt_a_forget_bias_of_4_keeps_the_parcel_to_the_last_step() -> None:
    assert prompt("forgetful") == (
        "Raise the forget-gate bias to 4 and watch the same parcel fade slowly, "
        "still on the belt at the last step."
    )
    session = Session("forgetful")
    written = np.abs(session.trace.c[2])
    assert np.all(np.abs(session.trace.c[7]) < 0.01 * written)  # without the knob: gone in 5 steps
    session.apply([MESSAGES.validate_python({"type": "set_knobs", "bias_f": 4.0})])
    c = np.abs(session.trace.c)
    np.testing.assert_allclose(c[2], written)  # the same parcel
    assert np.all(c[3:] > 0.9 * c[2:-1])  # fading slowly: over 90% kept every step
    assert np.all(c[-1] > 0.1)  # still on the belt at the last step


@pytest.mark.parametrize("value", [-2.0, -0.3, 0.3, 2.0])
def test_latch_prompt_the_stored_value_is_held_until_the_next_store(value: float) -> None:
    assert prompt("latch") == (
        "Drag value at step 6 and watch the belt hold tanh(value) through every wiggle "
        "until the next store at step 30."
    )
    before, after = trace_of("latch"), with_input("latch", 6, 0, value)
    assert np.all(np.abs(after.c[6:30, 0] - np.tanh(value)) < 0.05)
    assert np.all(np.abs(after.c[30:, 0] - before.c[30:, 0]) < 1e-3)


def test_counter_prompt_without_the_first_firing_the_belt_counts_one_less() -> None:
    assert prompt("counter") == (
        "Drag fire at step 3 down to 0 and watch the belt count one less from here on: 7 at the end, not 8."
    )
    before, after = trace_of("counter"), with_input("counter", 3, 0, 0.0)
    np.testing.assert_array_equal(after.c[:3], before.c[:3])
    np.testing.assert_allclose(after.c[3:, 0], before.c[3:, 0] - 1, atol=0.01)
    assert round(before.c[-1, 0]) == 8 and round(after.c[-1, 0]) == 7


def test_trained_memory_prompt_the_other_sign_turns_unit_0s_belt_around() -> None:
    assert prompt("trained-memory") == (
        "Drag value at step 0 to −1 and watch unit 0's belt turn around and grow the other way, past −20."
    )
    scenario = get_scenario("trained-memory")
    before, after = trace_of("trained-memory"), with_input("trained-memory", 0, 0, -1.0)
    assert scenario.x[0, 0] == 1.0 and np.all(before.c[1:, 0] > 0)
    assert np.all(after.c[1:, 0] < 0) and after.c[-1, 0] < -20
    assert np.sign(after.h[-1, 0]) == -1  # and the answer at the end flips with it


def test_trained_memory_found_its_own_way_a_belt_far_beyond_1_and_a_saturated_tanh() -> None:
    trace = trace_of("trained-memory")
    assert trace.c[:, 0].max() > 5 and np.all(trace.tanh_c[20:, 0] > 0.99)


def test_random_init_prompt_a_change_fades_from_the_belt_within_ten_steps() -> None:
    assert prompt("random-init") == (
        "Drag x0 at step 5 down to −2 and watch the change on the belt fade within ten steps: "
        "nothing holds it."
    )
    before, after = trace_of("random-init"), with_input("random-init", 5, 0, -2.0)
    change = np.abs(after.c - before.c).max(axis=1)
    assert change[5] > 0.5
    assert change[15:].max() < 0.05 * change[5]


def test_random_init_description_no_gate_opens_or_shuts_fully_and_f_stays_below_0_8() -> None:
    trace = trace_of("random-init")
    for gate in (trace.i, trace.f, trace.o):
        assert np.all((gate > 0.05) & (gate < 0.95))
    assert trace.f.max() < 0.8


def test_custom_prompt_dragging_any_input_moves_some_gate_of_some_unit() -> None:
    assert prompt(CUSTOM) == "Drag an input slider and watch which gates of your units move."
    weights = pytorch_default_init(np.random.default_rng(3), inputs=3, hidden=5)
    scenario = custom_scenario(weights)
    assert scenario.open_step == 0 and scenario.prompt == prompt(CUSTOM)
    before = run(weights, scenario.x)
    for j in range(3):
        x = scenario.x.copy()
        x[0, j] = 1.0
        after = run(weights, x)
        assert max(np.abs(getattr(after, g)[0] - getattr(before, g)[0]).max() for g in "ifgo") > 0.01


# --- the gradient lab: one write, read 119 steps later --------------------------------------------


def lab_gradients(knobs: Knobs) -> tuple[Trace, Any, Any]:
    scenario = get_scenario("gradient-lab")
    weights = lstm_weights(scenario.weights, knobs)
    trace = run(weights, scenario.x, scenario.h0, scenario.c0)
    foil = rnn_weights(scenario.weights, knobs)
    return trace, lstm_backward(weights, trace), rnn_backward(foil, rnn.run(foil, scenario.x, scenario.h0))


def share(rows: np.ndarray) -> float:
    norms = np.linalg.norm(rows, axis=1)
    return float(norms[0] / norms[-1])


def test_gradient_lab_the_lstm_keeps_a_tenth_over_100_steps_and_the_rnn_under_a_millionth() -> None:
    scenario = get_scenario("gradient-lab")
    assert len(scenario.x) >= 100 and scenario.open_step == 0 and scenario.knobs == Knobs(rnn_scale=2.0)
    trace, lstm, foil = lab_gradients(scenario.knobs)
    assert share(lstm.dL_dc) >= 0.1
    assert share(foil.dL_dh) <= 1e-6
    # what the loss reads was written at step 0: the belt still carries it, on both units
    assert np.all(np.abs(trace.c[-1]) > 0.4 * np.abs(trace.c[0])) and np.all(np.abs(trace.c[0]) > 0.9)


def test_gradient_lab_belt_only_is_the_product_of_the_forget_gates_per_unit() -> None:
    trace, lstm, _ = lab_gradients(get_scenario("gradient-lab").knobs)
    steps = trace.f.shape[0]
    for t in (0, 1, 60, steps - 2, steps - 1):
        np.testing.assert_allclose(lstm.belt[t], np.prod(trace.f[t + 1 :], axis=0), rtol=1e-12)
    assert np.all(lstm.belt <= 1) and lstm.belt[0, 0] > 0.9 > lstm.belt[0, 1] > 0.1  # the units differ


def test_gradient_lab_prompt_a_forget_bias_of_minus_6_sends_the_lstm_below_a_millionth_too() -> None:
    assert prompt("gradient-lab") == (
        "In “Gradients & memory race”, lower the forget-gate bias to −6: the LSTM too keeps < 10⁻⁶ "
        "of its gradient."
    )
    knobs = replace(get_scenario("gradient-lab").knobs, bias_f=-6.0)
    _, lstm, _ = lab_gradients(knobs)
    assert share(lstm.dL_dc) <= 1e-6
    session = Session("gradient-lab")  # the knob moves it there on the page's session too
    session.apply([MESSAGES.validate_python({"type": "set_knobs", "bias_f": -6.0})])
    assert find_kept(session)["lstm"] <= 1e-6


def find_kept(session: Session) -> dict[str, Any]:
    kept = session.snapshot()["story"]["gradients"]["all"][0]
    assert kept["code"] in {"kept_lstm", "kept_rnn"}
    params: dict[str, Any] = kept["params"]
    return params


def test_gradient_lab_its_w_is_the_scenarios_own_on_load_reset_and_restore() -> None:
    session = Session("gradient-lab")
    assert session.knobs.rnn_scale == 2.0
    session.apply([MESSAGES.validate_python({"type": "set_knobs", "rnn_scale": 1.0})])
    session.apply([MESSAGES.validate_python({"type": "reset"})])
    assert session.knobs.rnn_scale == 2.0
    session.apply(
        [MESSAGES.validate_python({"type": "restore", "scenario": "gradient-lab", "knobs": {"bias_f": 1}})]
    )
    assert session.knobs == Knobs(bias_f=1.0, rnn_scale=2.0)
    session.apply([MESSAGES.validate_python({"type": "load", "scenario": "long-memory"})])
    assert session.knobs == Knobs()


def test_gradient_lab_against_torch_autograd() -> None:
    """The lab's claim from PyTorch's autograd, not our backward pass: dL/dc_0 and dL/dh_0 of an
    nn.LSTMCell loop and of h_t = tanh(w·h_{t−1} + W_g x_t + b_g), L = Σ h_{T−1}."""
    require_torch()
    import torch

    scenario = get_scenario("gradient-lab")
    w = scenario.weights
    cell = torch.nn.LSTMCell(w.input_size, w.hidden_size, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.from_numpy(getattr(w, name)))
    x = torch.from_numpy(scenario.x)
    hidden = w.hidden_size
    h, c = torch.zeros(1, hidden, dtype=torch.float64), torch.zeros(1, hidden, dtype=torch.float64)
    cells = []
    for t in range(len(x)):
        h, c = cell(x[t : t + 1], (h, c))
        c.retain_grad()
        cells.append(c)
    h.sum().backward()
    first, last = cells[0].grad, cells[-1].grad
    assert first is not None and last is not None
    assert float(first.norm() / last.norm()) >= 0.1
    np.testing.assert_allclose(
        share(lab_gradients(scenario.knobs)[1].dL_dc), float(first.norm() / last.norm())
    )

    g = slice(2 * hidden, 3 * hidden)  # the candidate rows: the RNN writes what the LSTM writes
    w_ih, b = torch.from_numpy(w.weight_ih[g]), torch.from_numpy(w.bias_ih[g] + w.bias_hh[g])
    rnn_h = torch.zeros(hidden, dtype=torch.float64, requires_grad=True)  # so every h_t has a grad
    states = []
    for t in range(len(x)):
        rnn_h = torch.tanh(scenario.knobs.rnn_scale * rnn_h + w_ih @ x[t] + b)
        rnn_h.retain_grad()
        states.append(rnn_h)
    rnn_h.sum().backward()
    rnn_first, rnn_last = states[0].grad, states[-1].grad
    assert rnn_first is not None and rnn_last is not None
    assert float(rnn_first.norm() / rnn_last.norm()) <= 1e-6


def test_the_python_code_scenario_opens_on_the_unit_its_training_named() -> None:
    """The unit the training script found following the column (its manifest's "unit") is the one
    the prompt names and the page opens on: `open_unit`, in the snapshot."""
    manifest = json.loads(PYTHON_CODE.with_suffix(".json").read_text(encoding="utf-8"))
    scenario = get_scenario("python-code")
    assert scenario.open_unit == manifest["unit"]
    assert f"{manifest['unit']}" in scenario.prompt
    assert Session("python-code").snapshot()["scenario"]["open_unit"] == manifest["unit"]
    assert Session("hold-and-release").snapshot()["scenario"]["open_unit"] == 0


def test_a_snapshot_names_the_kinds_of_model_its_scenario_runs_as() -> None:
    """The page's LSTM | GRU switch is drawn from the snapshot: a preset with a GRU version runs as
    either, every other one (and someone's own model) as the one it is."""
    for name in SCENARIOS:
        models = Session(name).snapshot()["scenario"]["models"]
        both = name in ("hold-and-release", "long-memory", "gradient-lab")
        assert models == (["lstm", "gru"] if both else ["lstm"]), name
    session = Session()
    session.apply([LoadScenario(type="load", scenario="long-memory", model="gru")])
    assert session.snapshot()["scenario"]["models"] == ["lstm", "gru"]
