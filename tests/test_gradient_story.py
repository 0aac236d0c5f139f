"""The gradient chart's and the memory race's captions (app/gradient_story.py) say what the
engine's numbers say, in both languages, including where the numbers contradict the textbook story:
a release that closes the forget gate, a clamped forget gate, an RNN whose w saturates its tanh."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.engine import rnn
from app.engine.backprop import lstm_backward, rnn_backward
from app.engine.knobs import Knobs, lstm_weights, rnn_weights
from app.engine.lstm import run
from app.gradient_story import shown, tell
from app.i18n import number_text, story_text
from app.scenarios import get_scenario

F_OPEN = ((None,) * 3, (1.0,) * 3, (None,) * 3, (None,) * 3)  # hold-and-release with f clamped to 1


DEFAULT_KNOBS = Knobs()


def engine(name: str, knobs: Knobs = DEFAULT_KNOBS, x: np.ndarray | None = None) -> dict[str, Any]:
    """An independent run of the engine: trace, gradients, RNN, and the story told from them."""
    scenario = get_scenario(name)
    inputs = scenario.x if x is None else x
    weights = lstm_weights(scenario.weights, knobs)
    trace = run(weights, inputs, scenario.h0, scenario.c0, knobs.clamp_array())
    grads = lstm_backward(weights, trace, knobs.target_unit)
    foil = rnn_weights(scenario.weights, knobs)
    rnn_trace = rnn.run(foil, inputs, scenario.h0)
    rnn_grads = rnn_backward(foil, rnn_trace, knobs.target_unit)
    story = tell(trace, grads, rnn_trace, rnn_grads, knobs, scenario.open_step)
    return {"trace": trace, "grads": grads, "rnn": rnn_trace, "rnn_grads": rnn_grads, "story": story}


def own(story: dict[str, Any]) -> dict[str, Any]:
    """The session model's story, without the claims of the other gated model raced beside it
    (tests/test_session_counterpart.py holds those to its numbers)."""
    assert "counterpart" in story  # this preset runs as both models
    return {key: told for key, told in story.items() if key != "counterpart"}


def codes(claims: list[dict[str, Any]]) -> list[str]:
    return [c["code"] for c in claims]


def find(claims: list[dict[str, Any]], code: str, **params: Any) -> dict[str, Any]:
    """The one claim with this code (and these params)."""
    found = [c for c in claims if c["code"] == code and params.items() <= c["params"].items()]
    assert len(found) == 1, (code, params, claims)
    return found[0]["params"]  # type: ignore[no-any-return]


def test_numbers_are_written_with_two_digits_and_powers_of_ten() -> None:
    assert [number_text(shown(v)) for v in (0.6143, 3.1e-4, -0.0085, 1.0, 12.4, 2.8e-93, 0.0, 1234.0)] == [
        "0.61", "3.1·10⁻⁴", "−8.5·10⁻³", "1", "12", "2.8·10⁻⁹³", "0", "1.2·10³",
    ]  # fmt: skip


def test_default_scenario_says_the_rnns_gradient_travels_further_and_why() -> None:
    """hold-and-release: the release at step 28 closes unit 0's forget gate, unit 1's is half shut
    and unit 2's belt is read through a shut output gate, so the LSTM keeps less than the RNN."""
    run_ = engine("hold-and-release")
    story, trace, grads, rnn_grads = run_["story"], run_["trace"], run_["grads"], run_["rnn_grads"]
    claims = story["gradients"]["all"]
    lstm, rnn_ = np.linalg.norm(grads.dL_dc, axis=1), np.linalg.norm(rnn_grads.dL_dh, axis=1)
    assert (story["first"], story["last"]) == (5, 39)
    kept = find(claims, "kept_rnn")  # not kept_lstm: the numbers contradict the usual story here
    assert kept["lstm"] == shown(lstm[5] / lstm[39]) and kept["rnn"] == shown(rnn_[5] / rnn_[39])
    assert kept["lstm_first"] == shown(lstm[5]) and kept["rnn_last"] == shown(rnn_[39])
    assert lstm[5] / lstm[39] < rnn_[5] / rnn_[39]
    closed = find(claims, "forget_closed", unit=0)
    assert closed == {"unit": 0, "step": 28, "f": shown(trace.f[28, 0])} and trace.f[28, 0] < 1e-3
    assert trace.f[6:28, 0].min() > 0.99  # before the release the belt held
    leaky = find(claims, "forget_leaky", unit=1)
    assert leaky["belt"] == shown(np.prod(trace.f[6:, 1])) and leaky["f"] == shown(trace.f[10, 1])
    assert find(claims, "belt_holds", unit=2)["belt"] == shown(np.prod(trace.f[6:, 2]))
    reads = find(claims, "reads_through", unit=2)
    assert reads["o"] == shown(trace.o[39, 2]) < 0.05
    assert reads["slope"] == shown(1 - trace.tanh_c[39, 2] ** 2)
    assert story_text(claims[0], "en") == (
        "From step 39 back to step 5 the LSTM's gradient goes from 1.2 to 8.1·10⁻³, a share of 6.5·10⁻³ "
        "kept; the RNN's from 1.7 to 0.013, a share of 7.8·10⁻³. Here the RNN's gradient travels further."
    )
    assert story_text({"code": "forget_closed", "params": closed}, "ko") == (
        "스텝 28에서 유닛 0의 망각 게이트가 닫혔습니다(f = 3.4·10⁻⁴). "
        "벨트가 그 스텝에서 비워졌고, 기울기도 함께 사라졌습니다."
    )


def test_one_unit_alone_its_own_share_and_the_rnns_factor_per_step() -> None:
    run_ = engine("hold-and-release")
    grads, rnn_trace, rnn_grads = run_["grads"], run_["rnn"], run_["rnn_grads"]
    claims = run_["story"]["gradients"]["units"][2]
    kept = find(claims, "kept_lstm")  # unit 2's belt holds: for it alone the LSTM keeps more
    assert kept["lstm"] == shown(abs(grads.dL_dc[5, 2] / grads.dL_dc[39, 2]))
    factor = find(claims, "rnn_factor", unit=2)["factor"]
    # dL/dh_5 = dL/dh_39 · Π w(1 − h_s²): the factor is that product's geometric mean
    assert factor == shown(np.prod(1 - rnn_trace.h[6:, 2] ** 2) ** (1 / 34))
    assert factor == shown(abs(rnn_grads.dL_dh[5, 2]) ** (1 / 34))


def test_a_forget_gate_clamped_open_keeps_every_share_and_the_lines_start_apart() -> None:
    """With f clamped to 1 the RNN's line still lies above the LSTM's: they start at different
    heights, and the caption says so instead of claiming the LSTM's line is higher."""
    run_ = engine("hold-and-release", Knobs(clamps=F_OPEN))
    grads, rnn_grads = run_["grads"], run_["rnn_grads"]
    claims = run_["story"]["gradients"]["all"]
    lstm, rnn_ = np.linalg.norm(grads.dL_dc, axis=1), np.linalg.norm(rnn_grads.dL_dh, axis=1)
    assert find(claims, "kept_lstm")["lstm"] == 1.0
    assert np.any(rnn_[20:39] > lstm[20:39])  # the RNN's line is above for a stretch …
    assert "start_lower" in codes(claims) and lstm[39] < 0.5 * rnn_[39]  # … because it starts higher
    for k in range(3):
        assert find(claims, "f_clamped", unit=k) == {"unit": k, "value": 1.0, "belt": 1.0}
    assert "forget_closed" not in codes(claims)


def test_a_large_w_saturates_the_rnn_which_then_holds_a_sign_not_a_value() -> None:
    """w = 2.5: the RNN wins the memory race (its h stays near ±0.99) and the caption says why."""
    knobs = Knobs(rnn_scale=2.5)
    run_ = engine("hold-and-release", knobs)
    rnn_trace = run_["rnn"]
    for k in range(3):
        held = find(run_["story"]["race"][k], "rnn_holds_sign", unit=k)
        assert held["w"] == 2.5 and held["h"] == shown(abs(rnn_trace.h[39, k]))
        assert held["steps"] == int(np.sum(1 - rnn_trace.h[5:, k] ** 2 < 0.1)) >= held["of"] // 2
    race = find(run_["story"]["race"][0], "race", unit=0)
    assert race["h_last"] > 0.9 and abs(race["c_last"]) < 1e-3  # the RNN "wins" unit 0's race
    # … holding a sign, not a value: half the signal ends in the very same h
    x = get_scenario("hold-and-release").x.copy()
    x[5, 0] = 0.5
    smaller = engine("hold-and-release", knobs, x)["rnn"]
    assert abs(smaller.h[39, 0] - rnn_trace.h[39, 0]) < 1e-3
    assert "kept_lstm" in codes(run_["story"]["gradients"]["all"])  # and its gradient is gone
    assert story_text({"code": "rnn_holds_sign", "params": held}, "en").endswith(
        "It holds a sign, not a value."
    )


def test_at_w_1_the_rnn_is_not_said_to_hold_a_sign() -> None:
    """trained-memory: an RNN unit the input drives into saturation is saturated, not latched."""
    claims = engine("trained-memory")["story"]["race"][1]
    assert "rnn_saturated" in codes(claims) and "rnn_holds_sign" not in codes(claims)


def test_trained_memory_the_lines_start_apart_and_the_gradient_grows_through_h() -> None:
    """The LSTM's gradient at t = 0 is below the RNN's on the chart, yet it keeps a larger share:
    the loss reaches its belt through a saturated tanh (|c| ≈ 10), and through h it grows."""
    run_ = engine("trained-memory")
    grads, trace = run_["grads"], run_["trace"]
    claims = run_["story"]["gradients"]["all"]
    kept = find(claims, "kept_lstm")
    assert kept["lstm_first"] < kept["rnn_first"] and kept["lstm"] > kept["rnn"]
    assert "start_lower" in codes(claims)
    alone = run_["story"]["gradients"]["units"][0]
    assert "lstm_grows" in codes(alone) and abs(grads.dL_dc[0, 0]) > abs(grads.dL_dc[49, 0])
    assert find(alone, "reads_through", unit=0)["slope"] == shown(1 - trace.tanh_c[49, 0] ** 2)


def test_long_memory_the_rnn_line_overtakes_only_because_it_starts_higher() -> None:
    run_ = engine("long-memory")
    grads, rnn_grads = run_["grads"], run_["rnn_grads"]
    lstm, rnn_ = np.linalg.norm(grads.dL_dc, axis=1), np.linalg.norm(rnn_grads.dL_dh, axis=1)
    assert np.any(rnn_[60:119] > lstm[60:119])
    claims = run_["story"]["gradients"]["all"]
    assert codes(claims)[:2] == ["kept_lstm", "start_lower"]


def test_a_target_unit_leaves_the_others_unread() -> None:
    claims = engine("hold-and-release", Knobs(target=0))["story"]["gradients"]["units"]
    assert codes(claims[1]) == ["not_read"] and codes(claims[0])[0] == "kept_rnn"


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    "name, knobs",
    [("hold-and-release", Knobs()), ("hold-and-release", Knobs(clamps=F_OPEN)),
     ("hold-and-release", Knobs(rnn_scale=2.5)), ("trained-memory", Knobs()), ("gradient-lab", Knobs())],
)  # fmt: skip
def test_every_claim_renders_every_number_it_carries(name: str, knobs: Knobs, lang: str) -> None:
    story = engine(name, knobs)["story"]
    claims = [*story["gradients"]["all"], *(c for u in story["gradients"]["units"] for c in u)]
    for claim in claims + [c for unit in story["race"] for c in unit]:
        text = story_text(claim, lang)
        assert "{" not in text
        for value in claim["params"].values():
            assert (str(value) if isinstance(value, int) else number_text(value)) in text


def test_the_session_sends_the_story_beside_the_gradients_only() -> None:
    from pydantic import TypeAdapter

    from app.messages import ClientMessage
    from app.session import Session

    messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)
    session = Session()
    snapshot = session.snapshot()
    assert own(snapshot["story"]) == engine("hold-and-release")["story"]
    session.apply([messages.validate_python({"type": "views", "shown": ["belt"]})])
    frame = session.apply([messages.validate_python({"type": "set_knobs", "rnn_scale": 2.5})])[0]
    assert "gradients" not in frame and "story" not in frame
    opened = session.apply([messages.validate_python({"type": "views", "shown": ["race"]})])[0]
    assert own(opened["story"]) == engine("hold-and-release", Knobs(rnn_scale=2.5))["story"]


def test_the_story_travels_in_the_binary_header() -> None:
    from app.session import Session
    from app.wire import decode, encode

    snapshot = Session().snapshot()
    assert decode(encode(snapshot))["story"] == snapshot["story"]


def test_when_both_gradients_vanish_entirely_neither_is_said_to_travel_further() -> None:
    """A nearly shut forget gate and a weak RNN over 800 steps: both gradients reach step 5 as exact
    zeros (below float64's range), and the caption says so instead of crowning the LSTM on a tie."""
    run_ = engine("hold-and-release", Knobs(bias_f=-8.0, rnn_scale=0.1), np.zeros((800, 2)))
    assert not run_["grads"].dL_dc[5].any() and not run_["rnn_grads"].dL_dh[5].any()
    [vanished] = run_["story"]["gradients"]["all"]
    assert vanished["code"] == "kept_none" and vanished["params"]["first"] == 5
    for lang in ("en", "ko"):
        text = story_text(vanished, lang)
        assert "{" not in text and ("neither" in text if lang == "en" else "어느 쪽도" in text)
