"""The gradient view, the memory race and the knobs, in headless Chromium.

What a chart plots is read straight from its Plotly graph div and compared with an independent
run of the engine (same scenario, same knobs), so the page is held to the server's numbers. On the
workbench the charts, the RNN's weight, the loss target and the unit menu live in the gradients
dive; the bias knobs, the clamps and the initial state in the lab's tabs beside the belt; each test
opens the tab of what it uses (a dive is drawn only while open).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.engine import rnn
from app.engine.backprop import lstm_backward, rnn_backward
from app.engine.knobs import Knobs, lstm_weights, rnn_weights
from app.engine.lstm import Trace, run
from app.scenarios import get_scenario
from tests.helpers import open_dive, open_lab
from tests.test_page import (
    TOLERANCE,
    assert_readout_matches,
    body_data,
    go_to_step,
    open_page,
    readout,
    wait_for_new_revision,
    wait_for_step,
)

pytestmark = pytest.mark.browser

# The gradient view draws anything below this on a floor (a log axis cannot show 0).
FLOOR = 1e-12
RTOL = 1e-6

PLOTTED_JS = """id => Object.fromEntries(
    document.getElementById(id).data.map((trace) => [trace.uid, trace.y])
)"""


def plotted(page: Any, chart: str) -> dict[str, list[float]]:
    """The y data of every trace of one chart, by trace uid."""
    data: dict[str, list[float]] = page.evaluate(PLOTTED_JS, chart)
    return data


def expected_gradients(scenario_name: str, knobs: Knobs) -> dict[str, np.ndarray]:
    """What the gradient view should plot with every unit shown: norms over units, floored."""
    scenario = get_scenario(scenario_name)
    weights = lstm_weights(scenario.weights, knobs)
    trace = run(weights, scenario.x, scenario.h0, scenario.c0, knobs.clamp_array())
    grads = lstm_backward(weights, trace, knobs.target_unit)
    foil = rnn_weights(scenario.weights, knobs)
    foil_grads = rnn_backward(foil, rnn.run(foil, scenario.x, scenario.h0), knobs.target_unit)

    def floored_norm(rows: np.ndarray) -> np.ndarray:
        norms: np.ndarray = np.maximum(np.linalg.norm(rows, axis=1), FLOOR)
        return norms

    # Π f is drawn per unit, never as a norm (a product of gates is at most 1; a norm of them is not).
    belts = {f"belt-{k}": np.maximum(grads.belt[:, k], FLOOR) for k in range(grads.belt.shape[1])}
    return {
        "lstm-dc": floored_norm(grads.dL_dc),
        "rnn-dh": floored_norm(foil_grads.dL_dh),
        "lstm-dh": floored_norm(grads.dL_dh),
    } | belts


def expected_race(scenario_name: str, knobs: Knobs, c0: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The race chart's lines, unit by unit: the LSTM's c and h, the RNN's h."""
    scenario = get_scenario(scenario_name)
    start_c = scenario.c0 if c0 is None else c0
    trace = run(lstm_weights(scenario.weights, knobs), scenario.x, scenario.h0, start_c, knobs.clamp_array())
    foil = rnn.run(rnn_weights(scenario.weights, knobs), scenario.x, scenario.h0)
    out: dict[str, np.ndarray] = {}
    for k in range(trace.c.shape[1]):
        out[f"lstm-c-{k}"] = trace.c[:, k]
        out[f"lstm-h-{k}"] = trace.h[:, k]
        out[f"rnn-h-{k}"] = foil.h[:, k]
    return out


def assert_plots(page: Any, chart: str, expected: dict[str, np.ndarray]) -> None:
    shown = plotted(page, chart)
    for uid, values in expected.items():
        assert uid in shown, (chart, uid, sorted(shown))
        assert np.allclose(shown[uid], values, rtol=RTOL, atol=0), (chart, uid, shown[uid][:5], values[:5])


def change(page: Any, action: Any) -> None:
    """Do something that sends one message, and wait until its answer is drawn."""
    revision = body_data(page, "revision")
    action()
    wait_for_new_revision(page, revision)


def load(page: Any, scenario: str) -> None:
    change(page, lambda: page.select_option("#scenario", scenario))


def open_step(name: str) -> int:
    """The step a scenario opens at (on load, on reset, and on first opening the page)."""
    return get_scenario(name).open_step


def test_forget_bias_slider_changes_the_gradient_to_the_engines_numbers(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    go_to_step(page, 7)
    open_dive(page, "gradients")
    before = plotted(page, "gradients")["lstm-dc"][0]
    assert before == pytest.approx(expected_gradients("hold-and-release", Knobs())["lstm-dc"][0], rel=RTOL)
    assert_plots(page, "gradients", expected_gradients("hold-and-release", Knobs()))

    change(page, lambda: page.locator("#knob-bias_f").fill("2.5"))  # the lab's Knobs tab, open by default
    after = plotted(page, "gradients")["lstm-dc"][0]
    expected = expected_gradients("hold-and-release", Knobs(bias_f=2.5))
    assert after == pytest.approx(expected["lstm-dc"][0], rel=RTOL)
    assert after != pytest.approx(before, rel=1e-3)
    assert_plots(page, "gradients", expected)
    # The knob shows its value, and the page stays at the step the learner was looking at.
    assert page.inner_text("output[for='knob-bias_f']") == "+2.5"
    assert body_data(page, "step") == "7"


def test_long_memory_race_rnn_fades_while_the_belt_holds(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    open_dive(page, "gradients")
    load(page, "long-memory")
    shown = plotted(page, "race")
    rnn_h, lstm_c = np.abs(shown["rnn-h-0"]), np.abs(shown["lstm-c-0"])
    assert rnn_h[-1] < 0.25 * rnn_h[3]
    assert lstm_c[-1] > 0.95 * lstm_c[3] > 0.5
    assert_plots(page, "race", expected_race("long-memory", Knobs()))
    assert_plots(page, "gradients", expected_gradients("long-memory", Knobs()))


def test_rnn_weight_slider_changes_only_the_rnn(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    open_dive(page, "gradients")
    load(page, "long-memory")
    before = plotted(page, "race")
    change(page, lambda: page.locator("#knob-rnn_scale").fill("0.5"))
    after = plotted(page, "race")
    assert not np.allclose(after["rnn-h-0"], before["rnn-h-0"])
    assert np.array_equal(after["lstm-c-0"], before["lstm-c-0"])
    knobs = Knobs(rnn_scale=0.5)
    assert_plots(page, "race", expected_race("long-memory", knobs))
    assert_plots(page, "gradients", expected_gradients("long-memory", knobs))
    assert page.inner_text("output[for='knob-rnn_scale']") == "w = 0.50"


def test_target_select_shows_the_gradients_of_one_units_loss(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    open_dive(page, "gradients")
    change(page, lambda: page.select_option("#knob-target", "1"))
    expected = expected_gradients("hold-and-release", Knobs(target=1))
    assert_plots(page, "gradients", expected)
    assert not np.allclose(expected["lstm-dc"], expected_gradients("hold-and-release", Knobs())["lstm-dc"])
    assert page.input_value("#knob-target") == "1"


def test_unit_menu_plots_one_units_gradient_and_race(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    open_dive(page, "gradients")
    revision = body_data(page, "revision")
    page.select_option("#unit-select", "2")
    page.wait_for_function("document.getElementById('race').data.length === 4")
    assert body_data(page, "revision") == revision  # a view choice, not a change to the model
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    grads = lstm_backward(scenario.weights, trace)
    shown = plotted(page, "gradients")
    assert np.allclose(shown["lstm-dc"], np.maximum(np.abs(grads.dL_dc[:, 2]), FLOOR), rtol=RTOL, atol=0)
    # the GRU version of the scenario races beside them (tests below hold its numbers)
    assert sorted(plotted(page, "race")) == ["lstm-c-2", "lstm-h-2", "other-gru-h-2", "rnn-h-2"]


def test_initial_cell_state_slider_sets_c0(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    load(page, "long-memory")
    go_to_step(page, 0)  # c_{t-1} at step 0 is c0
    open_dive(page, "numbers")
    open_lab(page, "state")
    change(page, lambda: page.locator('input.state-slider[data-name="c0"][data-unit="1"]').fill("1.5"))
    assert float(page.inner_text("#readout td[data-q='c_prev'][data-unit='1']")) == pytest.approx(1.5)
    assert float(page.inner_text("#readout td[data-q='c_prev'][data-unit='0']")) == 0.0
    assert page.inner_text('output[for="state-c0-1"]') == "1.50"
    open_dive(page, "gradients")
    assert_plots(page, "race", expected_race("long-memory", Knobs(), c0=np.array([0.0, 1.5])))


def test_reset_puts_the_knobs_back(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    change(page, lambda: page.locator("#knob-bias_f").fill("-4"))
    change(page, lambda: page.locator("#knob-weight_scale").fill("2"))
    open_dive(page, "gradients")
    change(page, lambda: page.locator("#knob-rnn_scale").fill("0.3"))
    change(page, lambda: page.select_option("#knob-target", "0"))
    open_lab(page, "state")
    change(page, lambda: page.locator('input.state-slider[data-name="h0"][data-unit="0"]').fill("0.5"))
    go_to_step(page, 20)
    assert page.input_value("#knob-bias_f") == "-4"
    change(page, lambda: page.click("#reset"))
    assert page.input_value("#knob-bias_f") == "0"
    assert page.inner_text("output[for='knob-bias_f']") == "+0.0"
    assert page.input_value("#knob-weight_scale") == "1"
    assert page.input_value("#knob-rnn_scale") == "1"
    assert page.input_value("#knob-target") == "sum"
    assert page.input_value('input.state-slider[data-name="h0"][data-unit="0"]') == "0"
    assert_plots(page, "gradients", expected_gradients("hold-and-release", Knobs()))
    # A reset opens the scenario at its own step again.
    assert body_data(page, "step") == str(open_step("hold-and-release"))


def test_keyboard_on_a_knob_moves_the_knob_not_the_step(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    open_dive(page, "gradients")
    step = open_step("hold-and-release")
    wait_for_step(page, step)
    page.focus("#knob-bias_f")
    change(page, lambda: page.keyboard.press("ArrowLeft"))
    wait_for_step(page, step)
    assert page.inner_text("output[for='knob-bias_f']") == "−0.1"
    assert_plots(page, "gradients", expected_gradients("hold-and-release", Knobs(bias_f=-0.1)))
    # The same for the RNN's weight, in the gradients dive.
    page.focus("#knob-rnn_scale")
    change(page, lambda: page.keyboard.press("ArrowLeft"))
    wait_for_step(page, step)
    assert page.inner_text("output[for='knob-rnn_scale']") == "w = 0.99"
    assert_plots(
        page, "gradients", expected_gradients("hold-and-release", Knobs(bias_f=-0.1, rnn_scale=0.99))
    )


def test_forcing_the_forget_gate_open_holds_the_belt_through_the_release(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    go_to_step(page, 30)
    open_dive(page, "gradients")
    open_lab(page, "clamps")
    change(page, lambda: page.check("#clamp-f-on"))  # all units, at the slider's default 1.00
    knobs = Knobs().with_clamp("f", None, 1.0, 3)
    assert_plots(page, "gradients", expected_gradients("hold-and-release", knobs))
    assert_plots(page, "race", expected_race("hold-and-release", knobs))
    assert page.inner_text(".clamp-state[data-gate='f']") == "all units 1.00"
    assert body_data(page, "step") == "30"
    open_dive(page, "numbers")
    assert readout(page, "f", 3) == [1.0, 1.0, 1.0]

    # While forced, the slider moves the forced value live.
    change(page, lambda: page.locator("#clamp-f-value").fill("0.3"))
    assert readout(page, "f", 3) == [0.3, 0.3, 0.3]
    weaker = Knobs().with_clamp("f", None, 0.3, 3)
    open_dive(page, "gradients")
    assert_plots(page, "gradients", expected_gradients("hold-and-release", weaker))

    change(page, lambda: page.uncheck("#clamp-f-on"))
    assert page.inner_text(".clamp-state[data-gate='f']") == "free"
    assert_plots(page, "gradients", expected_gradients("hold-and-release", Knobs()))


def clamped_run(scenario_name: str, gate: str, value: float, unit: int | None = None) -> Trace:
    """The engine's run of a scenario with one gate forced (for every unit, or one): the (4, H)
    clamp run() takes, rows i, f, g, o, NaN where free."""
    scenario = get_scenario(scenario_name)
    clamp = np.full((4, scenario.h0.shape[0]), np.nan)
    clamp["ifgo".index(gate), slice(None) if unit is None else unit] = value
    return run(scenario.weights, scenario.x, scenario.h0, scenario.c0, clamp)


def test_moving_a_clamp_slider_forces_its_gate_without_ticking_the_box_first(
    page: Any, server_url: str
) -> None:
    scenario = get_scenario("hold-and-release")
    free = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    go_to_step(page, 10)
    open_dive(page, "numbers")
    open_lab(page, "clamps")
    assert not page.is_checked("#clamp-i-on")
    assert_readout_matches(page, free, 10)

    change(page, lambda: page.locator("#clamp-i-value").fill("0.4"))
    assert page.is_checked("#clamp-i-on")  # the box ticks itself
    assert page.inner_text(".clamp-state[data-gate='i']") == "all units 0.40"
    assert page.inner_text("output[for='clamp-i-value']") == "0.40"
    forced = clamped_run("hold-and-release", "i", 0.4)
    assert readout(page, "i", 3) == [0.4, 0.4, 0.4]
    assert_readout_matches(page, forced, 10)
    assert not np.allclose(forced.c[10], free.c[10], atol=1e-3)  # the clamp changed the belt
    assert page.locator("#readout td.is-clamped[data-q='i']").count() == 3
    # The whole trace is the clamped run's, before and after the step the slider was moved at.
    for t in (0, 25):
        go_to_step(page, t)
        assert_readout_matches(page, forced, t)
    assert body_data(page, "step") == "25"


def test_a_clamp_for_one_unit_leaves_the_others_free(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    free = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    open_page(page, server_url)
    go_to_step(page, 10)
    open_dive(page, "numbers")
    open_lab(page, "clamps")
    page.select_option("#clamp-o-unit", "2")
    change(page, lambda: page.locator("#clamp-o-value").fill("0.6"))  # moving the slider forces unit 2
    assert page.is_checked("#clamp-o-on")
    shown = readout(page, "o", 3)
    assert shown[2] == 0.6
    assert shown[:2] == pytest.approx(free.o[10, :2], abs=TOLERANCE)
    assert_readout_matches(page, clamped_run("hold-and-release", "o", 0.6, unit=2), 10)
    assert page.inner_text(".clamp-state[data-gate='o']") == "unit 2 0.60"
    open_dive(page, "gradients")
    assert_plots(page, "race", expected_race("hold-and-release", Knobs().with_clamp("o", 2, 0.6, 3)))
    # Seen for all units, o is not forced everywhere, so the box is unticked; a reset frees it.
    page.select_option("#clamp-o-unit", "")
    assert not page.is_checked("#clamp-o-on")
    change(page, lambda: page.click("#reset"))
    assert page.inner_text(".clamp-state[data-gate='o']") == "free"
    open_dive(page, "numbers")
    go_to_step(page, 10)
    assert readout(page, "o", 3) == pytest.approx(free.o[10], abs=TOLERANCE)


# --- the captions under the charts: the server's claims, written from the page's catalogue ------------


def story_of(scenario_name: str, knobs: Knobs) -> dict[str, Any]:
    """The claims the server computes for this state, from an independent run of the engine."""
    from app.computation import run_counterpart
    from app.counterpart_story import tell_counterpart
    from app.gradient_story import tell
    from app.gru_scenarios import counterpart_weights

    scenario = get_scenario(scenario_name)
    weights = lstm_weights(scenario.weights, knobs)
    trace = run(weights, scenario.x, scenario.h0, scenario.c0, knobs.clamp_array())
    foil = rnn_weights(scenario.weights, knobs)
    rnn_trace = rnn.run(foil, scenario.x, scenario.h0)
    grads, rnn_grads = (
        lstm_backward(weights, trace, knobs.target_unit),
        rnn_backward(foil, rnn_trace, knobs.target_unit),
    )
    story = tell(trace, grads, rnn_trace, rnn_grads, knobs, scenario.open_step)
    # The scenario's GRU, raced on the same inputs, tells its own claims after the LSTM's.
    other = counterpart_weights(scenario_name, "lstm")
    if other is not None:
        raced = run_counterpart(other, knobs, scenario.x, scenario.h0)
        story["counterpart"] = tell_counterpart(raced, scenario.open_step)
    return story


def gradient_captions(story: dict[str, Any], lang: str, unit: int | None = None) -> list[str]:
    """The gradient chart's captions as the page writes them: the LSTM's claims, then the GRU's."""
    from app.i18n import story_text

    parts = [story["gradients"], *([story["counterpart"]["gradients"]] if "counterpart" in story else [])]
    return [
        story_text(c, lang) for told in parts for c in (told["all"] if unit is None else told["units"][unit])
    ]


def race_captions(story: dict[str, Any], lang: str, units: list[int]) -> list[str]:
    """The race's captions: per unit, the LSTM's claims, then the GRU's."""
    from app.i18n import story_text

    other = story["counterpart"]["race"] if "counterpart" in story else [[] for _ in units]
    return [story_text(c, lang) for k in units for c in [*story["race"][k], *other[k]]]


def captions(page: Any, list_id: str) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        f"#{list_id} li", "items => items.map((li) => li.textContent)"
    )
    return texts


def switch_language(page: Any, lang: str) -> None:
    page.click(f"#lang button[data-lang='{lang}']")
    page.wait_for_selector(f"body[data-lang='{lang}'][data-ready='true']")


def test_captions_say_what_the_server_computed_in_english_and_korean(page: Any, server_url: str) -> None:
    """Default scenario: the caption says the RNN's gradient travels further and why (the release
    closes unit 0's forget gate), not the textbook story; then w = 2.5 and one unit alone."""

    open_page(page, server_url)
    open_dive(page, "gradients")
    story = story_of("hold-and-release", Knobs())
    for lang in ("en", "ko"):
        switch_language(page, lang)
        assert captions(page, "gradients-story") == gradient_captions(story, lang)
        assert captions(page, "race-story") == race_captions(story, lang, [0, 1, 2])
    assert captions(page, "gradients-story")[1].startswith("스텝 28에서 유닛 0의 망각 게이트가 닫혔습니다")
    switch_language(page, "en")
    assert "Here the RNN's gradient travels further." in captions(page, "gradients-story")[0]

    change(page, lambda: page.locator("#knob-rnn_scale").fill("2.5"))
    saturated = story_of("hold-and-release", Knobs(rnn_scale=2.5))
    assert captions(page, "race-story") == race_captions(saturated, "en", [0, 1, 2])
    assert any(text.endswith("It holds a sign, not a value.") for text in captions(page, "race-story"))

    page.select_option("#unit-select", "1")
    page.wait_for_function("document.getElementById('race').data.length === 4")
    assert captions(page, "gradients-story") == gradient_captions(saturated, "en", 1)
    assert captions(page, "race-story") == race_captions(saturated, "en", [1])


def test_gradient_lab_draws_pi_f_per_unit_below_1_and_says_the_lstm_keeps_more(
    page: Any, server_url: str
) -> None:

    open_page(page, server_url)
    open_dive(page, "gradients")
    load(page, "gradient-lab")
    knobs = get_scenario("gradient-lab").knobs
    assert page.input_value("#knob-rnn_scale") == "2"
    assert_plots(page, "gradients", expected_gradients("gradient-lab", knobs))
    shown = plotted(page, "gradients")
    assert max(max(shown["belt-0"]), max(shown["belt-1"])) <= 1 and "belt" not in shown
    told = captions(page, "gradients-story")
    assert told == gradient_captions(story_of("gradient-lab", knobs), "en")
    assert told[0].endswith("The LSTM's gradient travels further.")
    assert told[-1].startswith("On the same inputs the GRU's gradient on its belt h")


# --- three models on the same inputs: the LSTM, the GRU and the plain RNN ----------------------------------


LEGEND_JS = """id => document.getElementById(id).data.filter((trace) => trace.showlegend !== false)
    .map((trace) => trace.name)"""


def gru_of(scenario_name: str) -> tuple[Any, Any]:
    """The scenario's GRU version run by the engine, and its gradients (the session's loss, sum)."""
    from app.engine import gru
    from app.engine.gru_backprop import gru_backward
    from app.gru_scenarios import get_gru_scenario

    scenario = get_gru_scenario(scenario_name)
    trace = gru.run(scenario.weights, scenario.x, scenario.h0)
    return trace, gru_backward(scenario.weights, trace)


def test_the_gradient_lab_races_the_lstm_the_gru_and_the_rnn_in_both_languages(
    page: Any, server_url: str
) -> None:
    open_page(page, server_url)
    open_dive(page, "gradients")
    load(page, "gradient-lab")
    trace, grads = gru_of("gradient-lab")
    knobs = get_scenario("gradient-lab").knobs
    # The LSTM session: its own lines as before, and the GRU's on the same inputs.
    assert_plots(page, "gradients", expected_gradients("gradient-lab", knobs))
    other = {"other-gru-dh": np.maximum(np.linalg.norm(grads.dL_dh, axis=1), FLOOR)}
    assert_plots(page, "gradients", other)
    assert_plots(page, "race", {f"other-gru-h-{k}": trace.h[:, k] for k in range(2)})
    names = page.evaluate(LEGEND_JS, "gradients")
    assert {"LSTM ‖dL/dc<sub>t</sub>‖", "GRU ‖dL/dh<sub>t</sub>‖", "RNN ‖dL/dh<sub>t</sub>‖"} <= set(names)
    assert page.evaluate(LEGEND_JS, "race")[:3] == ["LSTM c<sub>t</sub> (belt)", "GRU h<sub>t</sub> (belt)",
                                                    "RNN h<sub>t</sub>"]  # fmt: skip

    # The GRU session: the GRU's own lines, and the LSTM's beside them.
    revision = body_data(page, "revision")
    page.locator("#model-kind button[data-kind='gru']").press("Enter")
    wait_for_new_revision(page, revision)
    page.wait_for_function("document.getElementById('gradients').data.some((t) => t.uid === 'other-lstm-dc')")
    lstm = expected_gradients("gradient-lab", knobs)
    assert_plots(page, "gradients", {"gru-dh": other["other-gru-dh"], "other-lstm-dc": lstm["lstm-dc"]})
    assert_plots(page, "gradients", {"rnn-dh": lstm["rnn-dh"]})  # the same RNN: the same candidate rows
    race = expected_race("gradient-lab", knobs)
    assert_plots(page, "race", {f"other-lstm-c-{k}": race[f"lstm-c-{k}"] for k in range(2)})
    assert_plots(page, "race", {f"gru-h-{k}": trace.h[:, k] for k in range(2)})
    switch_language(page, "ko")
    page.wait_for_function("document.getElementById('race').data[0].name.includes('벨트')")
    assert page.evaluate(LEGEND_JS, "race") == ["GRU h<sub>t</sub> (벨트)", "LSTM c<sub>t</sub> (벨트)",
                                                "RNN h<sub>t</sub>"]  # fmt: skip
