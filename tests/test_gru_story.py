"""A GRU's captions (app/gru_story.py): every number a sentence carries is read back off an
independent run here — the update gates and h of the trace, Π z over the steps told, the RNN's h,
and the gradients' norms from torch's autograd — in English and in Korean."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from app.engine import gru, rnn
from app.engine.backprop import rnn_backward
from app.engine.gru_backprop import gru_backward
from app.engine.knobs import GRUKnobs, gru_weights, rnn_weights
from app.gradient_story import shown
from app.gru_scenarios import get_gru_scenario
from app.gru_story import tell_gru
from app.i18n import number_text, story_text
from app.messages import ClientMessage
from app.session import Session
from tests.helpers import require_torch

Z_OPEN = ((None,) * 3, (1.0,) * 3, (None,) * 3)  # hold-and-release with z clamped to 1: nothing written


def engine(name: str, knobs: GRUKnobs | None = None) -> dict[str, Any]:
    """The scenario's GRU and its RNN run here, and the story told of them."""
    scenario = get_gru_scenario(name)
    knobs = knobs or scenario.knobs
    weights = gru_weights(scenario.weights, knobs)
    trace = gru.run(weights, scenario.x, scenario.h0, knobs.clamp_array())
    grads = gru_backward(weights, trace, knobs.target_unit)
    foil = rnn_weights(scenario.weights, knobs)
    rnn_trace = rnn.run(foil, scenario.x, scenario.h0)
    rnn_grads = rnn_backward(foil, rnn_trace, knobs.target_unit)
    story = tell_gru(trace, grads, rnn_trace, rnn_grads, knobs, scenario.open_step)
    return {"weights": weights, "x": scenario.x, "trace": trace, "rnn": rnn_trace, "rnn_grads": rnn_grads,
            "story": story, "knobs": knobs}  # fmt: skip


def torch_dL_dh(run: dict[str, Any]) -> np.ndarray:
    """dL/dh_t (T, H) of the run's loss, by torch's autograd through the GRU's equations as
    nn.GRU writes them (reset after), a clamped gate a constant."""
    import torch

    weights, x, knobs = run["weights"], run["x"], run["knobs"]
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    w_ih, w_hh, b_ih, b_hh = (torch.from_numpy(getattr(weights, name)) for name in names)
    clamp = knobs.clamp_array()
    h, hs = torch.zeros(weights.hidden_size, dtype=torch.float64), []
    for row in torch.from_numpy(x).requires_grad_():  # h_t then needs a gradient, and keeps one
        i_r, i_z, i_n = (w_ih @ row + b_ih).chunk(3)
        h_r, h_z, h_n = (w_hh @ h + b_hh).chunk(3)
        gates = [torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)]
        if clamp is not None:
            gates = [torch.where(torch.from_numpy(np.isnan(c)), g, torch.from_numpy(np.nan_to_num(c)))
                     for g, c in zip(gates, clamp[:2], strict=True)]  # fmt: skip
        r, z = gates
        h = z * h + (1 - z) * torch.tanh(i_n + r * h_n)
        h.retain_grad()
        hs.append(h)
    (hs[-1].sum() if knobs.target_unit is None else hs[-1][knobs.target_unit]).backward()
    grads = [row.grad for row in hs]
    assert all(grad is not None for grad in grads)
    return np.stack([grad.numpy() for grad in grads if grad is not None])


def claims_of(story: dict[str, Any]) -> list[dict[str, Any]]:
    told = [*story["gradients"]["all"], *(c for unit in story["gradients"]["units"] for c in unit)]
    return told + [c for unit in story["race"] for c in unit]


def check_claim(run: dict[str, Any], dL_dh: np.ndarray, claim: dict[str, Any], units: list[int]) -> None:
    """Each number of one claim, recomputed from the run (and torch's gradients)."""
    p, trace, first, last = claim["params"], run["trace"], run["story"]["first"], run["story"]["last"]
    rnn_dh, rnn_h, z = run["rnn_grads"].dL_dh, run["rnn"].h, trace.z
    code = claim["code"]
    if code in ("kept_gru", "kept_rnn_gru"):
        ours = np.linalg.norm(dL_dh[:, units], axis=1)
        theirs = np.linalg.norm(rnn_dh[:, units], axis=1)
        assert (p["gru_last"], p["gru_first"]) == (shown(ours[last]), shown(ours[first]))
        assert (p["rnn_last"], p["rnn_first"]) == (shown(theirs[last]), shown(theirs[first]))
        gru_share, rnn_share = ours[first] / ours[last], theirs[first] / theirs[last]
        assert (p["gru"], p["rnn"]) == (shown(gru_share), shown(rnn_share))
        assert (code == "kept_gru") == (gru_share >= rnn_share)
    elif code == "update_closed":
        k = p["unit"]
        assert p["step"] == first + 1 + int(np.argmin(z[first + 1 :, k])) and p["z"] == shown(z[p["step"], k])
        assert z[p["step"], k] < 0.1
    elif code in ("update_leaky", "gru_belt_holds"):
        k = p["unit"]
        belt = np.prod(z[first + 1 :, k])
        assert (p["start"], p["end"], p["belt"]) == (first + 1, last, shown(belt))
        assert (belt < 0.1) == (code == "update_leaky") and z[first + 1 :, k].min() >= 0.1
        if code == "update_leaky":
            assert p["z"] == shown(belt ** (1 / (last - first)))  # Π z = z ** steps
    elif code == "z_clamped":
        k = p["unit"]
        assert np.all(z[:, k] == p["value"]) and p["belt"] == shown(p["value"] ** (last - first))
    elif code == "race_gru":
        k = p["unit"]
        assert (p["h_first"], p["h_last"]) == (shown(trace.h[first, k]), shown(trace.h[last, k]))
        assert (p["rnn_first"], p["rnn_last"]) == (shown(rnn_h[first, k]), shown(rnn_h[last, k]))
    elif code == "gru_grows":
        ours = np.linalg.norm(dL_dh[:, units], axis=1)
        assert ours[first] > ours[last]
    elif code in ("rnn_holds_sign", "rnn_saturated"):
        k = p["unit"]
        assert p["h"] == shown(abs(rnn_h[last, k])) and p["steps"] == int(
            np.sum(1 - rnn_h[first:, k] ** 2 < 0.1)
        )
    elif code == "rnn_factor":
        factors = abs(run["knobs"].rnn_scale) * (1 - rnn_h[first + 1 :, p["unit"]] ** 2)
        assert p["factor"] == shown(np.exp(np.mean(np.log(factors))))
    else:
        assert code == "not_read", claim


CASES = [
    ("hold-and-release", None),
    ("hold-and-release", GRUKnobs(clamps=Z_OPEN)),
    ("hold-and-release", GRUKnobs(target=0)),
    ("hold-and-release", GRUKnobs(rnn_scale=2.5, bias_z=-3.0)),
    ("long-memory", None),
    ("gradient-lab", None),
    ("gradient-lab", GRUKnobs(rnn_scale=2.0, bias_z=-6.0)),
]


@pytest.mark.torch
@pytest.mark.parametrize("name, knobs", CASES)
def test_every_number_of_every_sentence_is_true_of_the_trace(name: str, knobs: GRUKnobs | None) -> None:
    require_torch()
    run = engine(name, knobs)
    dL_dh = torch_dL_dh(run)
    story, hidden = run["story"], run["trace"].h.shape[1]
    for claim in story["gradients"]["all"]:
        check_claim(run, dL_dh, claim, list(range(hidden)))
    for k, claims in enumerate(story["gradients"]["units"]):
        for claim in claims:
            check_claim(run, dL_dh, claim, [k])
    for claims in story["race"]:
        for claim in claims:
            check_claim(run, dL_dh, claim, [])


def own(story: dict[str, Any]) -> dict[str, Any]:
    """The session model's story, without the claims of the other gated model raced beside it
    (tests/test_session_counterpart.py holds those to its numbers)."""
    assert "counterpart" in story  # this preset runs as both models
    return {key: told for key, told in story.items() if key != "counterpart"}


def codes(claims: list[dict[str, Any]]) -> list[str]:
    return [c["code"] for c in claims]


def test_hold_and_release_says_where_unit_0s_belt_was_written_over_and_unit_1_leaks() -> None:
    story = engine("hold-and-release")["story"]
    told = story["gradients"]["all"]
    assert codes(told)[:4] == ["kept_gru", "update_closed", "update_leaky", "gru_belt_holds"]
    assert told[1]["params"]["step"] == 28  # the release
    # Unit 0 alone: its belt was written over at the release, so the RNN keeps the larger share.
    assert (
        codes(engine("hold-and-release", GRUKnobs(target=0))["story"]["gradients"]["all"])[0]
        == "kept_rnn_gru"
    )
    # z clamped to 1 keeps every share: Π z = 1.
    clamped = engine("hold-and-release", GRUKnobs(clamps=Z_OPEN))["story"]["gradients"]["units"][0]
    assert [c["params"]["belt"] for c in clamped if c["code"] == "z_clamped"] == [1.0]


def test_a_target_unit_leaves_the_others_unread() -> None:
    story = engine("long-memory", GRUKnobs(target=1))["story"]
    assert codes(story["gradients"]["units"][0]) == ["not_read"]
    assert codes(story["gradients"]["units"][1])[0] == "kept_gru"


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name, knobs", CASES)
def test_every_claim_renders_every_number_it_carries(name: str, knobs: GRUKnobs | None, lang: str) -> None:
    for claim in claims_of(engine(name, knobs)["story"]):
        text = story_text(claim, lang)
        assert "{" not in text and ("GRU" in text or claim["code"] not in ("kept_gru", "race_gru"))
        for value in claim["params"].values():
            assert (str(value) if isinstance(value, int) else number_text(value)) in text


def test_a_gru_session_sends_its_story_beside_the_gradients_only() -> None:
    messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)
    session = Session()
    [snapshot] = session.apply(
        [messages.validate_python({"type": "load", "scenario": "long-memory", "model": "gru"})]
    )
    assert own(snapshot["story"]) == engine("long-memory")["story"]
    [frame] = session.apply([messages.validate_python({"type": "views", "shown": ["belt"]}),
                             messages.validate_python({"type": "set_knobs", "bias_z": -2.0})])  # fmt: skip
    assert "story" not in frame
    [opened] = session.apply([messages.validate_python({"type": "views", "shown": ["race"]})])
    assert own(opened["story"]) == engine("long-memory", GRUKnobs(bias_z=-2.0))["story"]


def test_when_both_gradients_vanish_entirely_neither_is_said_to_travel_further() -> None:
    """An update gate that never keeps (z ≈ 0) and a weak RNN over 2,000 steps: both gradients reach
    the scenario's step as exact zeros, and the caption says neither travels further."""
    scenario = get_gru_scenario("hold-and-release")
    knobs = GRUKnobs(bias_z=-8.0, rnn_scale=0.1)
    weights = gru_weights(scenario.weights, knobs)
    x = np.zeros((2000, scenario.x.shape[1]))
    trace = gru.run(weights, x, scenario.h0)
    grads = gru_backward(weights, trace, knobs.target_unit)
    foil = rnn_weights(scenario.weights, knobs)
    rnn_trace = rnn.run(foil, x, scenario.h0)
    rnn_grads = rnn_backward(foil, rnn_trace, knobs.target_unit)
    first = scenario.open_step
    assert not grads.dL_dh[first].any() and not rnn_grads.dL_dh[first].any()
    story = tell_gru(trace, grads, rnn_trace, rnn_grads, knobs, first)
    [vanished] = story["gradients"]["all"]
    assert vanished["code"] == "kept_none_gru"
    assert "{" not in story_text(vanished, "en") and "{" not in story_text(vanished, "ko")
