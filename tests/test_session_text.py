"""A session whose model reads text (the python-code scenario): set_text, the tokens of every step,
the top 5 next tokens, and the refusals; and POST /api/trace with text."""

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.config import get_settings
from app.engine.embedding import TextModel
from app.engine.lstm import run
from app.messages import ClientMessage
from app.scenarios import get_scenario
from app.session import Session
from tests.helpers import set_limits


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A limit one test set (set_limits) must not outlive it: the browser tests' live server runs in
    this process and reads the same cached Settings."""
    yield
    monkeypatch.undo()  # the environment first, then the cache it is read into
    get_settings.cache_clear()


MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)
CODE = "def f(x):\n    return x\n"


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def text_session() -> Session:
    session = Session()
    [snapshot] = session.apply([msg(type="load", scenario="python-code")])
    assert snapshot["type"] == "snapshot"
    return session


def softmax_top(text: TextModel, h: np.ndarray) -> tuple[list[list[str]], np.ndarray]:
    """The top 5 by a plain sort of the full softmax, written apart from TextModel.top."""
    assert text.decoder_weight is not None and text.decoder_bias is not None
    logits = h @ text.decoder_weight.T + text.decoder_bias
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    order = [sorted(range(p.shape[1]), key=lambda k: -row[k])[:5] for row in p]
    return [[text.vocab[k] for k in row] for row in order], np.array(
        [p[t, row] for t, row in enumerate(order)]
    )


def test_the_python_code_scenario_opens_on_its_tokens_with_the_next_five_after_every_step() -> None:
    scenario = get_scenario("python-code")
    assert scenario.text is not None and scenario.ids is not None
    snapshot = text_session().snapshot()
    steps = snapshot["sizes"]["T"]
    assert snapshot["sizes"]["D"] == scenario.text.embed_size
    assert snapshot["tokens"] == [scenario.text.vocab[k] for k in scenario.ids]
    sizes = {"vocab_size": len(scenario.text.vocab), "embed": scenario.text.embed_size}
    assert snapshot["model"]["text"] == sizes | {"decoder": True, "unknown": "<unk>", "by": "characters"}
    tokens, p = softmax_top(scenario.text, run(scenario.weights, scenario.x).h)
    assert snapshot["top"]["tokens"] == tokens and len(tokens) == steps
    np.testing.assert_allclose(snapshot["top"]["p"], p, rtol=1e-6)  # float32 on the wire


def test_set_text_reads_the_text_as_embedding_rows_and_answers_with_its_tokens() -> None:
    session = text_session()
    [snapshot] = session.apply([msg(type="set_text", text=CODE, id=4)])
    text = session.scenario.text
    assert text is not None
    assert snapshot["type"] == "snapshot" and snapshot["ack"] == 4 and snapshot["sizes"]["T"] == len(CODE)
    assert snapshot["tokens"] == list(CODE)
    x = text.embed(text.tokenize(CODE))
    np.testing.assert_array_equal(session.x, x)
    expected = run(get_scenario("python-code").weights, x)
    np.testing.assert_allclose(snapshot["trace"]["h"], expected.h, rtol=1e-6, atol=1e-7)
    assert snapshot["top"]["tokens"] == softmax_top(text, expected.h)[0]


def test_a_text_of_the_same_length_recomputes_from_the_first_changed_character() -> None:
    session = text_session()
    session.apply([msg(type="set_text", text=CODE)])
    changed = CODE.replace("return x", "return y")
    [frame] = session.apply([msg(type="set_text", text=changed)])
    assert frame["type"] == "frame" and frame["start"] == changed.index("y")
    assert frame["tokens"] == list(changed[frame["start"] :])
    assert len(frame["top"]["tokens"]) == len(changed) - frame["start"]


def test_a_character_the_vocabulary_lacks_is_read_as_its_unknown_token() -> None:
    session = text_session()
    [snapshot] = session.apply([msg(type="set_text", text="x = '→'\n")])
    assert snapshot["tokens"] == ["x", " ", "=", " ", "'", "<unk>", "'", "\n"]


def test_a_step_whose_input_was_moved_has_no_token_but_still_its_next_five() -> None:
    session = text_session()
    session.apply([msg(type="set_text", text=CODE)])
    [frame] = session.apply([msg(type="set_input", t=3, j=0, value=0.123)])
    assert frame["tokens"][0] is None and frame["tokens"][1:] == list(CODE[4:])
    assert len(frame["top"]["tokens"]) == len(CODE) - 3


@pytest.mark.parametrize(
    ("scenario", "text", "code"),
    [
        ("hold-and-release", "abc", "no_text_model"),
        ("python-code", "", "text_empty"),
        ("python-code", "x" * 51, "text_too_long"),
    ],
)
def test_set_text_is_refused_naming_why_and_the_session_is_unchanged(
    monkeypatch: pytest.MonkeyPatch, scenario: str, text: str, code: str
) -> None:
    set_limits(monkeypatch, max_text_chars=50)
    session = Session()
    session.apply([msg(type="load", scenario=scenario)])
    before, revision = session.x.copy(), session.revision
    [error] = session.apply([msg(type="set_text", text=text)])
    assert (error["type"], error["code"], error["field"]) == ("error", code, "text")
    np.testing.assert_array_equal(session.x, before)
    assert session.revision == revision


def test_unknown_text_is_refused_naming_its_position_when_there_is_no_unk(client: TestClient) -> None:
    body = trace_body(text="ab\tba")
    answer = client.post("/api/trace", json=body)
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["code"] == "unknown_token" and problem["params"] == {
        "field": "text.text",
        "token": "\t",
        "position": 2,
    }


def trace_body(**text: Any) -> dict[str, Any]:  # text: the text model's fields, and "text"
    """A one-unit LSTM reading a, b and space (D=2), with a decoder."""
    rng = np.random.default_rng(0)
    weights = {"weight_ih": rng.standard_normal((4, 2)).tolist(), "bias_ih": [0.1] * 4,
               "weight_hh": rng.standard_normal((4, 1)).tolist(), "bias_hh": [0.0] * 4}  # fmt: skip
    model = {"vocab": ["a", "b", " "], "embedding": [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]],
             "decoder_weight": [[1.0], [-1.0], [0.5]], "decoder_bias": [0.0, 0.1, 0.2]}  # fmt: skip
    return {"weights": weights, "text": model | text}


def test_the_trace_api_reads_text_and_returns_tokens_and_the_next_five(client: TestClient) -> None:
    answer = client.post("/api/trace", json=trace_body(text="ab ba"))
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert out["tokens"] == ["a", "b", " ", "b", "a"]
    assert out["x"] == [[1, 0], [0, 1], [0.5, 0.5], [0, 1], [1, 0]]
    assert [len(row) for row in out["top"]["tokens"]] == [3] * 5  # only three tokens to rank
    text = TextModel(("a", "b", " "), np.array(out["x"])[[0, 1, 2]], np.array([[1.0], [-1.0], [0.5]]),
                     np.array([0.0, 0.1, 0.2]))  # fmt: skip
    tokens, p = softmax_top(text, np.array(out["h"]))
    assert out["top"]["tokens"] == [row[:3] for row in tokens]
    np.testing.assert_allclose(out["top"]["p"], p[:, :3], rtol=1e-12)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (trace_body(text="ab") | {"x": [[0.0, 0.0]]}, "x_or_text"),
        (trace_body(text="ab", vocab=["a", "b", "a"]), "vocab_not_unique"),
        (trace_body(text="ab", embedding=[[1.0, 0.0]]), "embedding_rows"),
        (trace_body(text="ab", decoder_bias=None), "decoder_half"),
        (trace_body(text="ab", decoder_bias=[0.0]), "decoder_rows"),
    ],
)
def test_the_trace_api_refuses_text_that_does_not_fit(
    client: TestClient, body: dict[str, Any], code: str
) -> None:
    answer = client.post("/api/trace", json=body)
    assert answer.status_code == 422
    assert [problem["code"] for problem in answer.json()["detail"]] == [code]


def test_a_restored_sequence_keeps_the_tokens_its_rows_are() -> None:
    """A page that reconnects restores its x: each row that is a token's embedding row is that token."""
    session = text_session()
    session.apply([msg(type="set_text", text=CODE)])
    x = session.x.tolist()
    fresh = Session()
    [snapshot] = fresh.apply([msg(type="restore", scenario="python-code", x=x)])
    assert snapshot["tokens"] == list(CODE)


def test_restore_takes_a_text_model_with_lstm_weights_and_set_text_then_reads_with_it() -> None:
    body = trace_body()
    [snapshot] = (session := Session()).apply(
        [msg(type="restore", weights=body["weights"], text=body["text"])]
    )
    assert snapshot["model"]["custom"] and snapshot["model"]["text"]["vocab_size"] == 3
    [answer] = session.apply([msg(type="set_text", text="ab ba")])
    assert answer["tokens"] == ["a", "b", " ", "b", "a"]
    assert [len(row) for row in answer["top"]["tokens"]] == [3] * 5


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"text": trace_body()["text"]}, "text", "text_needs_lstm_weights"),
        ({"weights": trace_body()["weights"], "text": trace_body()["text"] | {"embedding": [[1.0, 0.0]]}},
         "text.embedding", "embedding_rows"),
    ],
)  # fmt: skip
def test_a_text_model_that_does_not_fit_is_refused_naming_the_field(
    fields: dict[str, Any], field: str, code: str
) -> None:
    session = Session()
    [error] = session.apply([msg(type="restore", **fields)])
    assert (error["type"], error["field"], error["code"]) == ("error", field, code)
    assert session.scenario.name == "hold-and-release"


def test_token_ids_read_as_their_embedding_rows_and_out_of_range_ids_are_refused() -> None:
    session = text_session()
    text = session.scenario.text
    assert text is not None
    ids = text.tokenize("pass\n").tolist()
    [snapshot] = session.apply([msg(type="set_text", ids=ids)])
    assert snapshot["tokens"] == list("pass\n")
    [error] = session.apply([msg(type="set_text", ids=[0, len(text.vocab)])])
    assert (error["field"], error["code"]) == ("ids", "token_id_out_of_range")
    [error] = session.apply([msg(type="set_text", ids=[1], text="a")])
    assert error["code"] == "text_or_ids"


def test_tokens_and_the_next_five_travel_in_the_binary_encoding() -> None:
    from app.wire import decode, encode

    snapshot = text_session().snapshot()
    decoded = decode(encode(snapshot))
    assert decoded["tokens"] == snapshot["tokens"]
    assert decoded["top"]["tokens"] == snapshot["top"]["tokens"]
    np.testing.assert_array_equal(decoded["top"]["p"], snapshot["top"]["p"])
