"""The three-way race: a preset that runs as an LSTM and as a GRU sends, beside the session's model
and the plain RNN, the other gated model on the same inputs (`counterpart`), while the gradients or
the race are shown. Its trace and gradients are held to torch.nn.LSTM / nn.GRU and their autograd."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from app.engine.gru import GRUWeights
from app.engine.lstm import LSTMWeights
from app.gru_scenarios import GRU_SCENARIOS, get_gru_scenario
from app.messages import ClientMessage
from app.scenarios import get_scenario
from app.session import Session
from app.wire import decode, encode
from tests.helpers import require_torch

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def session_of(name: str, model: str) -> Session:
    session = Session()
    session.apply([msg(type="load", scenario=name, model=model)])
    return session


def torch_run(weights: LSTMWeights | GRUWeights, x: np.ndarray, h0: np.ndarray, target: int | None) -> Any:
    """torch's GRUCell, or the LSTM's equations in torch (LSTMCell's fused kernel leaves the last c
    off the graph), on x from h0 (c0 = 0), and autograd's gradients of the session's loss:
    (h, c or None, dL/dh_t, dL/dc_t or None, dL/dx)."""
    import torch

    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    tensors = {name: torch.from_numpy(getattr(weights, name)) for name in names}
    gru = isinstance(weights, GRUWeights)
    cell = torch.nn.GRUCell(weights.input_size, weights.hidden_size, dtype=torch.float64)
    if gru:
        with torch.no_grad():
            for name, tensor in tensors.items():
                getattr(cell, name).copy_(tensor)
    xs = torch.from_numpy(x.copy()).requires_grad_()
    h = torch.from_numpy(h0.copy())
    c = torch.zeros(weights.hidden_size, dtype=torch.float64)
    hs, cs = [], []
    for t in range(len(x)):
        if gru:
            h = cell(xs[t], h)
        else:
            w_ih, w_hh, b_ih, b_hh = (tensors[name] for name in names)
            pre = w_ih @ xs[t] + b_ih + w_hh @ h + b_hh
            i, f, g, o = pre.chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            c.retain_grad()
            cs.append(c)
        h.retain_grad()
        hs.append(h)
    loss = hs[-1].sum() if target is None else hs[-1][target]
    loss.backward()
    assert xs.grad is not None

    def values(rows: list[Any]) -> np.ndarray:
        return np.stack([row.detach().numpy() for row in rows])

    def grads(rows: list[Any]) -> np.ndarray:
        return np.stack([row.grad.numpy() for row in rows])

    lstm = (values(cs), grads(cs)) if cs else (None, None)
    return values(hs), lstm[0], grads(hs), lstm[1], xs.grad.numpy()


@pytest.mark.torch
@pytest.mark.parametrize("name", list(GRU_SCENARIOS))
@pytest.mark.parametrize("model", ["lstm", "gru"])
def test_the_other_gated_model_is_torchs_on_the_same_inputs(name: str, model: str) -> None:
    require_torch()
    session = session_of(name, model)
    # A changed input and a target unit: the counterpart follows the session's x and its loss.
    session.apply([msg(type="set_input", t=1, j=0, value=0.7), msg(type="set_knobs", target=1)])
    snapshot = session.snapshot()
    other = snapshot["counterpart"]
    assert other["model"] == ("lstm" if model == "gru" else "gru")
    weights = (get_scenario if model == "gru" else get_gru_scenario)(name).weights
    h, c, dh, dc, dx = torch_run(weights, session.x, session.h0, target=1)
    np.testing.assert_allclose(other["h"], h, rtol=0, atol=1e-6)  # float32 on the wire, as the RNN's h
    np.testing.assert_allclose(other["dL_dh"], dh, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(other["dL_dx"], dx, rtol=1e-9, atol=1e-14)
    if model == "gru":
        assert c is not None and dc is not None
        np.testing.assert_allclose(other["c"], c, rtol=0, atol=1e-6)
        np.testing.assert_allclose(other["dL_dc"], dc, rtol=1e-9, atol=1e-14)
        gate = 1  # Π f over the steps ahead: f is the LSTM's second block
    else:
        assert "c" not in other and "dL_dc" not in other
        gate = 1  # Π z: z is the GRU's second block
    hidden = weights.hidden_size
    pre = session.x @ weights.weight_ih[gate * hidden : (gate + 1) * hidden].T
    keep = 1 / (1 + np.exp(-(pre + weights.bias_ih[gate * hidden : (gate + 1) * hidden])))  # W_hh = 0
    np.testing.assert_allclose(other["belt"][0], np.prod(keep[1:], axis=0), rtol=1e-9)


def test_the_session_models_gate_knobs_stay_its_own_and_weight_scale_is_shared() -> None:
    session = session_of("gradient-lab", "lstm")
    before = session.snapshot()["counterpart"]
    session.apply([msg(type="set_knobs", bias_f=-6.0)])
    for name in ("h", "dL_dh", "dL_dx"):
        np.testing.assert_array_equal(session.snapshot()["counterpart"][name], before[name])
    session.apply([msg(type="set_knobs", weight_scale=0.5)])
    assert not np.array_equal(session.snapshot()["counterpart"]["h"], before["h"])  # the write scaled


def test_the_counterpart_is_sent_only_with_the_gradients_and_for_presets_that_run_as_both() -> None:
    session = session_of("long-memory", "gru")
    [snapshot] = session.apply([msg(type="views", shown=["belt"]), msg(type="sync")])
    assert "counterpart" not in snapshot and "rnn" not in snapshot
    [frame] = session.apply([msg(type="views", shown=["race"])])
    assert frame["counterpart"]["model"] == "lstm" and len(frame["counterpart"]["c"]) == len(session.x)

    assert "counterpart" not in session_of("latch", "lstm").snapshot()  # no GRU version
    own = Session()
    weights = get_gru_scenario("long-memory").weights
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    own.apply(
        [msg(type="restore", model="gru", weights={name: getattr(weights, name).tolist() for name in names})]
    )
    assert "counterpart" not in own.snapshot()  # someone's own GRU has no LSTM beside it


def test_the_counterpart_travels_in_the_binary_encoding() -> None:
    snapshot = session_of("gradient-lab", "gru").snapshot()
    decoded = decode(encode(snapshot))["counterpart"]
    assert decoded["model"] == "lstm"
    np.testing.assert_array_equal(decoded["dL_dc"], snapshot["counterpart"]["dL_dc"])


def test_the_gru_gradient_lab_keeps_the_write_as_the_lstms_belt_does() -> None:
    """The lab's GRU: the same write as the LSTM's belt, held by z as the LSTM holds it by f, and
    its prompt (update-gate bias −6) leaves under 10⁻⁶ of the gradient at the write."""
    session = session_of("gradient-lab", "gru")
    snapshot = session.snapshot()
    lstm = snapshot["counterpart"]
    np.testing.assert_allclose(session.gru_trace.h[0], lstm["c"][0], rtol=1e-3)
    np.testing.assert_allclose(snapshot["gradients"]["belt"][0], lstm["belt"][0], rtol=1e-6)
    [frame] = session.apply([msg(type="set_knobs", bias_z=-6.0)])
    assert np.linalg.norm(frame["gradients"]["dL_dh"][0]) < 1e-6


@pytest.mark.parametrize("name", list(GRU_SCENARIOS))
@pytest.mark.parametrize("model", ["lstm", "gru"])
def test_the_story_says_what_the_other_models_numbers_say_in_both_languages(name: str, model: str) -> None:
    from app.gradient_story import shown
    from app.i18n import number_text, story_text

    session = session_of(name, model)
    session.apply([msg(type="set_knobs", target=0)])
    snapshot = session.snapshot()
    other, told = snapshot["counterpart"], snapshot["story"]["counterpart"]
    kind = other["model"]
    belt, along = (other["c"], other["dL_dc"]) if kind == "lstm" else (other["h"], other["dL_dh"])
    first, last = snapshot["story"]["first"], len(belt) - 1
    hidden = belt.shape[1]
    for units, claims in [(list(range(hidden)), told["gradients"]["all"]),
                          *(([k], told["gradients"]["units"][k]) for k in range(hidden))]:  # fmt: skip
        norms = np.linalg.norm(along[:, units], axis=1)
        if norms[-1] == 0:  # target 0: the loss reads no other unit
            assert claims == [] and units != [0]
            continue
        [kept] = claims
        assert kept["code"] == f"other_kept_{kind}"
        assert kept["params"] == {"other_last": shown(norms[-1]), "other_first": shown(norms[first]),
                                  "other": shown(norms[first] / norms[-1])}  # fmt: skip
    held = session.results.foil.counterpart if session.results.foil else None
    assert held is not None  # float64, as the story read it (the snapshot's belt is float32)
    exact = getattr(held.trace, "c" if kind == "lstm" else "h")
    np.testing.assert_allclose(exact, belt, atol=1e-6)
    for k, [race] in enumerate(told["race"]):
        values = {"unit": k, "first_value": shown(exact[first, k]), "last_value": shown(exact[last, k])}
        assert race == {"code": f"other_race_{kind}", "params": values}
    for claim in [*told["gradients"]["all"], *(c for unit in told["race"] for c in unit)]:
        for lang in ("en", "ko"):
            text = story_text(claim, lang)
            assert kind.upper() in text and "{" not in text
            for value in claim["params"].values():
                assert (str(value) if isinstance(value, int) else number_text(value)) in text


def test_the_counterpart_is_computed_only_while_a_view_shows_it() -> None:
    session = session_of("gradient-lab", "gru")
    session.apply([msg(type="views", shown=["belt", "timeline"])])
    [frame] = session.apply([msg(type="set_input", t=3, j=0, value=0.5)])
    assert session.results.foil is None and "counterpart" not in frame
    [file] = session.apply([msg(type="export", format="trace.json", id=2)])  # gradients, for the file only
    assert file["type"] == "file" and session.results.foil is None
    session.apply([msg(type="views", shown=["gradients"])])
    assert session.results.foil is not None and session.results.foil.counterpart is not None
