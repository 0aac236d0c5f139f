"""find_units on a session: the `units` reply, the python-code model's column unit found by a
pattern, and every refusal (named field, English and Korean text, the session unchanged)."""

import re
import time
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app import pattern_match
from app.i18n import problem_text
from app.messages import ClientMessage
from app.session import Session
from app.unit_search import NOT_A_CHARACTER

MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)
# Characters from column 30 on (after the first 30 of their line): a column-like feature.
PAST_COLUMN = r"(?m)(?<=^.{%d}).+"


def msg(**fields: Any) -> Any:
    return MESSAGES.validate_python(fields)


def find(session: Session, **fields: Any) -> dict[str, Any]:
    [reply] = session.apply([msg(type="find_units", **fields)])
    return reply


@pytest.fixture(scope="module")
def code_session() -> Session:
    return Session("python-code")


def test_a_span_ranking_answers_the_units_on_in_the_span_and_changes_nothing() -> None:
    session = Session("hold-and-release")
    revision = session.revision
    reply = find(session, ranking="span", start=5, stop=28, quantity="c", top=2, id=4)
    scores = [
        np.mean(session.trace.c[5:28, k] >= 0.3)
        - np.mean(np.concatenate([session.trace.c[:5, k], session.trace.c[28:, k]]) >= 0.3)
        for k in range(3)
    ]
    best = sorted(range(3), key=lambda k: -scores[k])[:2]
    assert reply == {
        "type": "units", "ack": 4, "ranking": "span", "hidden": 3, "quantity": "c", "start": 5,
        "stop": 28, "threshold": 0.3,
        "units": [{"unit": k, "score": pytest.approx(scores[k])} for k in best],
    }  # fmt: skip
    assert best[0] == 0  # unit 0 holds the signal from step 5 until the release at 28
    assert session.revision == revision


def test_the_memory_ranking_puts_the_long_memory_units_first() -> None:
    session = Session("hold-and-release")
    reply = find(session, ranking="memory", top=3)
    f = session.trace.f
    assert reply["gate"] == "f" and reply["saturated"] == 0.9
    for entry in reply["units"]:
        assert entry["score"] == pytest.approx(np.mean(f[:, entry["unit"]] > 0.9))
        assert entry["mean"] == pytest.approx(np.mean(f[:, entry["unit"]]))
    assert [entry["unit"] for entry in reply["units"]][-1] == 1  # unit 1's forget gate is half shut


def test_a_gru_ranks_memory_by_its_keep_gate_and_has_no_c() -> None:
    session = Session()
    session.apply([msg(type="load", scenario="hold-and-release", model="gru")])
    assert find(session, ranking="memory")["gate"] == "z"
    refused = find(session, ranking="span", start=0, stop=5, quantity="c")
    assert refused["code"] == "gru_has_no_c" and refused["field"] == "quantity"
    assert find(session, ranking="span", start=0, stop=5)["quantity"] == "h"


@pytest.mark.parametrize("column", [20, 30, 40])
def test_a_pattern_past_a_column_finds_the_unit_that_counts_the_column(
    code_session: Session, column: int
) -> None:
    pattern = PAST_COLUMN % column
    reply = find(code_session, ranking="pattern", pattern=pattern, top=5)
    text = "".join(t or NOT_A_CHARACTER for t in code_session.scenario.text.tokens_of(code_session.x, None))  # type: ignore[union-attr]
    marked = np.zeros(len(text))
    for match in re.finditer(pattern, text):
        marked[match.start() : match.end()] = 1.0
    assert reply["matched"] == int(marked.sum()) and reply["steps"] == 240 and reply["quantity"] == "c"
    units = [entry["unit"] for entry in reply["units"]]
    assert 76 in units  # the unit scripts/train_text.py found following the column
    r76 = np.corrcoef(code_session.trace.c[:, 76], marked)[0, 1]
    assert reply["units"][units.index(76)]["score"] == pytest.approx(r76) and r76 > 0.6
    assert [abs(entry["score"]) for entry in reply["units"]] == sorted(
        (abs(entry["score"]) for entry in reply["units"]), reverse=True
    )


REFUSALS = [
    ({"ranking": "span", "stop": 5}, "start", "needed_for_ranking"),
    ({"ranking": "span", "start": 5, "stop": 5}, "start", "span_empty"),
    ({"ranking": "span", "start": 9, "stop": 3}, "start", "span_empty"),
    ({"ranking": "span", "start": 0, "stop": 241}, "stop", "step_out_of_range"),
    ({"ranking": "pattern"}, "pattern", "needed_for_ranking"),
    ({"ranking": "pattern", "pattern": "(("}, "pattern", "pattern_invalid"),
    ({"ranking": "pattern", "pattern": "QQQ"}, "pattern", "pattern_matches_nothing"),
    ({"ranking": "pattern", "pattern": r"[\s\S]"}, "pattern", "pattern_matches_everything"),
]


@pytest.mark.parametrize(("fields", "field", "code"), REFUSALS)
def test_a_request_that_does_not_fit_is_refused_in_both_languages_and_changes_nothing(
    code_session: Session, fields: dict[str, Any], field: str, code: str
) -> None:
    before = (code_session.revision, code_session.x.copy(), code_session.results)
    reply = find(code_session, id=7, **fields)
    assert reply["type"] == "error" and reply["field"] == field and reply["code"] == code
    assert reply["ack"] == 7 and "Traceback" not in reply["message"]
    korean = problem_text(code, reply["params"], "ko")
    assert korean != reply["message"] and field in korean
    assert code_session.revision == before[0] and code_session.results is before[2]
    assert np.array_equal(code_session.x, before[1])


def test_a_pattern_on_a_model_that_reads_numbers_is_refused() -> None:
    reply = find(Session("hold-and-release"), ranking="pattern", pattern="a")
    assert reply["code"] == "no_text_model" and reply["field"] == "pattern"


def test_a_catastrophic_pattern_is_stopped_in_time(
    code_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pattern_match, "MATCH_SECONDS", 0.5)
    began = time.monotonic()
    reply = find(code_session, ranking="pattern", pattern=r"(\s*\w*)*\(")
    assert reply["code"] == "pattern_too_slow" and reply["params"]["seconds"] == 0.5
    assert time.monotonic() - began < 3.0


def test_a_malformed_request_is_refused_by_its_shape(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        ws.send_json({"type": "find_units", "ranking": "memory", "top": 65})
        too_many = ws.receive_json()
        ws.send_json({"type": "find_units", "ranking": "pattern", "pattern": "a" * 201})
        too_long = ws.receive_json()
        ws.send_json({"type": "find_units", "ranking": "best"})
        unknown = ws.receive_json()
        ws.send_json({"type": "find_units", "ranking": "memory", "top": 2, "id": 3})
        answered = ws.receive_json()
        ws.send_json({"type": "load", "scenario": "hold-and-release"})  # a small trace: applied inline
        ws.receive_json()
        ws.send_json({"type": "find_units", "ranking": "pattern", "pattern": "(a+)+$", "id": 4})
        no_text = ws.receive_json()  # matched off the event loop, still answered in order
    assert (too_many["field"], too_many["code"]) == ("top", "less_than_equal")
    assert (too_long["field"], too_long["code"]) == ("pattern", "string_too_long")
    assert (unknown["field"], unknown["code"]) == ("ranking", "literal_error")
    assert answered["type"] == "units" and answered["ack"] == 3 and len(answered["units"]) == 2
    assert (no_text["code"], no_text["ack"]) == ("no_text_model", 4)


def test_a_pattern_is_matched_on_the_text_as_the_steps_now_read_it() -> None:
    session = Session("python-code")
    session.apply([msg(type="set_text", text="x = 1\ny = 22\n")])
    reply = find(session, ranking="pattern", pattern=r"\d+")
    assert reply["matched"] == 3 and reply["steps"] == 13
    session.apply([msg(type="set_input", t=4, j=0, value=0.123)])  # step 4 is no character now
    assert find(session, ranking="pattern", pattern=r"\d+")["matched"] == 2
