"""Server-side text in English and Korean: the catalogues agree, and every problem has a text."""

import json
import re
import string
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.i18n import LANGUAGES, catalogue, problem_text
from app.scenarios import CUSTOM, SCENARIOS
from app.session import Session
from app.updates import Rejected

APP = Path(__file__).resolve().parents[1] / "app"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_catalogue_has_the_same_keys_and_placeholders() -> None:
    english = catalogue("en")
    for lang in LANGUAGES:
        other = catalogue(lang)
        assert other.keys() == english.keys(), lang
        for section in english:
            assert other[section].keys() == english[section].keys(), (lang, section)
        for code, template in english["problems"].items():
            assert placeholders(other["problems"][code]) == placeholders(template), (lang, code)
        for name, text in english["scenarios"].items():
            assert other["scenarios"][name].keys() == text.keys() == {"title", "description", "prompt"}
            for key in ("description", "prompt"):
                assert placeholders(other["scenarios"][name][key]) == placeholders(text[key]), (lang, name)


def test_every_scenario_has_its_text_in_every_language() -> None:
    assert set(catalogue("en")["scenarios"]) == set(SCENARIOS) | {CUSTOM}
    for lang in LANGUAGES:
        for text in catalogue(lang)["scenarios"].values():
            assert len(text["title"]) > 2 and len(text["description"]) > 40 and len(text["prompt"]) > 30
            assert "\n" not in text["prompt"]  # one line


def test_the_korean_texts_use_the_words_a_korean_teacher_would() -> None:
    # 원소별 (element-wise), not 점별; a forgotten value is 잊힌/지운, never 삭제된.
    for text in catalogue("ko")["scenarios"].values():
        for value in text.values():
            assert "점별" not in value and "삭제" not in value, value


def test_a_problem_reads_naturally_in_korean() -> None:
    problem = Rejected("t", "step_out_of_range", value=99, steps=40)
    assert str(problem) == "t=99 is out of range: the sequence has 40 steps"
    korean = problem_text(problem.code, problem.params, "ko")
    assert "t=99" in korean and "40스텝" in korean


def test_errors_on_the_socket_carry_their_code_and_parameters(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        ws.send_json({"type": "set_input", "t": 99, "j": 0, "value": 1.0})
        error = ws.receive_json()
        ws.send_json({"type": "set_input", "t": 1, "j": 0, "value": 5000})
        pydantic_error = ws.receive_json()
    assert error["code"] == "step_out_of_range" and error["params"] == {
        "field": "t",
        "value": 99,
        "steps": 40,
    }
    assert pydantic_error["code"] == "out_of_bounds" and pydantic_error["params"] == {"limit": "1000"}
    assert pydantic_error["message"] == "must lie within ±1000" and pydantic_error["field"] == "value"


def test_snapshots_carry_the_scenario_in_both_languages() -> None:
    text = Session().snapshot()["scenario"]["text"]
    assert text["en"]["title"] == "Hold and release" and text["ko"]["title"] == "붙잡기와 놓기"
    assert text["en"]["prompt"].startswith("Drag signal at step 5")
    assert text["ko"]["prompt"].startswith("스텝 5의 신호를")


@pytest.mark.parametrize(("lang", "title"), [("en", "Long memory"), ("ko", "긴 기억")])
def test_the_api_lists_scenarios_in_the_asked_language(client: TestClient, lang: str, title: str) -> None:
    listed = client.get("/api/scenarios", params={"lang": lang}).json()
    assert listed[1]["title"] == title
    assert listed[1]["prompt"] == catalogue(lang)["scenarios"]["long-memory"]["prompt"]
    detail = client.get("/api/scenarios/long-memory", params={"lang": lang}).json()
    assert detail["title"] == title and detail["prompt"] == listed[1]["prompt"]
    assert client.get("/api/scenarios", params={"lang": "fr"}).status_code == 422


def test_a_scenario_the_catalogues_do_not_know_keeps_its_own_text() -> None:
    from dataclasses import replace

    from app.scenarios import random_init

    stranger = replace(
        random_init(), name="bench-h64", title="Benchmark", description="Big and random.", prompt="Drag x0."
    )
    assert stranger.texts()["ko"] == {
        "title": "Benchmark",
        "description": "Big and random.",
        "prompt": "Drag x0.",
    }


# --- every code the server can emit, in every catalogue ---------------------------------------------

STATIC_I18N = APP.parent / "static" / "js" / "i18n"
# Where our own code names a problem: the exceptions and helpers that take a code, with the code
# as a string literal (a code picked at run time would slip past this scan, so each such call is
# also counted below and must name its code literally).
NAMED = re.compile(
    r"\b(?:Malformed|TooLarge|Unusable|FileProblem|ProblemError|validation_problem)\(\s*\"(\w+)\""
    r"|\bRejected\(\s*[^,()]+,\s*\"(\w+)\""
    r"|\berror_reply\(\s*None,\s*\"(\w+)\""
)
CONSTRUCTED = re.compile(r"(?<!class )\b(?:Malformed|TooLarge|Unusable|FileProblem|ProblemError)\(")


def app_source() -> dict[Path, str]:
    return {path: path.read_text() for path in APP.rglob("*.py")}


def named_codes() -> set[str]:
    codes = set()
    for path, text in app_source().items():
        found = NAMED.findall(text)
        codes |= {code for groups in found for code in groups if code}
        if path.name != "i18n.py" and path.name != "file_errors.py":  # where the classes are defined
            built = len(CONSTRUCTED.findall(text))
            literal = len(
                re.findall(r"\b(?:Malformed|TooLarge|Unusable|FileProblem|ProblemError)\(\s*\"", text)
            )
            assert built == literal, f"{path.name}: a problem is raised with a code that is not a literal"
    return codes


def page_catalogue(lang: str) -> dict[str, dict[str, str]]:
    """The problems, notes and join sections of static/js/i18n/{lang}.js, read as the object
    literals they are (keys, then strings joined with +)."""
    source = (STATIC_I18N / f"{lang}.js").read_text(encoding="utf-8")
    sections = {}
    for section in ("problems", "notes", "join", "story"):
        body = re.search(rf"^  {section}: \{{\n(.*?)^  \}},$", source, re.S | re.M)
        assert body, f"no {section} section in {lang}.js"
        lines = [line for line in body[1].splitlines() if not line.strip().startswith("//")]
        text = re.sub(r'"\s*\+\s*"', "", "\n".join(lines))
        text = re.sub(r"^\s*(\w+):", r'"\1":', text, flags=re.M)
        sections[section] = json.loads("{" + text.rstrip().rstrip(",") + "}")
    return sections


def test_every_code_our_code_names_is_in_every_catalogue_with_a_text() -> None:
    codes = named_codes()
    # The file refusals, the socket's own problems and the REST body problems are all found.
    assert {"tensor_missing", "csv_not_number", "upload_too_large", "step_out_of_range", "not_json"} <= codes
    assert {"out_of_bounds", "state_length", "no_rows"} <= codes
    for lang in LANGUAGES:
        missing = codes - set(catalogue(lang)["problems"])
        assert not missing, (lang, sorted(missing))


def test_every_note_is_named_somewhere_and_known() -> None:
    from app.tensor_file import _KIND_NOTES
    from app.weights_io import _kind

    source = "\n".join(app_source().values())
    notes = set(catalogue("en")["notes"])
    named = (
        set(_KIND_NOTES.values())
        | {_kind((9, 3)), _kind((3, 3))}
        | set(re.findall(r'note = "(\w+)"', source))
    )
    assert named == notes
    for note in notes:
        assert f'"{note}"' in source, f"note {note} is never named in app/"


def test_the_page_catalogues_hold_the_servers_texts_exactly() -> None:
    for lang in LANGUAGES:
        page, server = page_catalogue(lang), catalogue(lang)
        for section in ("problems", "notes", "join", "story"):
            assert page[section] == server[section], (lang, section)


def test_every_problem_text_has_the_same_placeholders_and_specs_in_every_language() -> None:
    def holes(template: str) -> set[tuple[str, str | None]]:
        return {(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name}

    english = catalogue("en")
    for lang in LANGUAGES:
        for section in ("problems", "notes", "join", "story"):
            for key, template in english[section].items():
                assert holes(catalogue(lang)[section][key]) == holes(template), (lang, section, key)


def test_codes_the_socket_answers_bad_messages_with_are_in_every_catalogue(client: TestClient) -> None:
    from tests.test_bad_input_battery import BATTERY

    seen = set()
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        for text, _ in BATTERY:
            ws.send_text(text)
            reply = ws.receive_json()
            assert reply["type"] == "error", (text, reply)
            seen.add(reply["code"])
    assert len(seen) > 10
    for lang in LANGUAGES:
        assert not seen - set(catalogue(lang)["problems"]), (
            lang,
            sorted(seen - set(catalogue(lang)["problems"])),
        )


# --- alternatives, notes and REST bodies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "must be 'lstm', 'rnn' or 'gru'"), ("ko", "다음 값이어야 합니다: 'lstm', 'rnn' 또는 'gru'")],
)
def test_alternatives_are_joined_in_each_language(lang: str, expected: str) -> None:
    assert problem_text("literal_error", {"expected": ["lstm", "rnn", "gru"]}, lang) == expected
    assert problem_text("literal_error", {"expected": ["sum"]}, lang).endswith("'sum'")


def test_a_note_is_said_in_each_language_where_the_text_puts_it() -> None:
    params = {"name": "w", "dtype": "int64", "accepted": ["float16", "float32"], "note": "integers"}
    assert (
        problem_text("tensor_dtype", params) == "w has dtype int64 (integers); accepted are float16, float32"
    )
    assert (
        problem_text("tensor_dtype", params, "ko")
        == "w의 dtype이 int64(정수)입니다. 받을 수 있는 dtype은 float16, float32입니다"
    )
    assert problem_text("tensor_dtype", {**params, "note": None}).startswith("w has dtype int64; accepted")


def test_a_literal_error_on_the_socket_lists_the_expected_values(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        ws.send_json({"type": "export", "format": "trace.xlsx"})
        literal = ws.receive_json()
        ws.send_json({"type": "generate", "sequence": {"kind": "square"}})
        tag = ws.receive_json()
    assert literal["code"] == "literal_error" and literal["field"] == "format"
    assert literal["params"] == {
        "expected": ["trace.csv", "trace.json", "weights.npz", "weights.safetensors"]
    }
    assert "'weights.npz' 또는 'weights.safetensors'" in problem_text(
        literal["code"], literal["params"], "ko"
    )
    assert tag["code"] == "union_tag_invalid" and tag["params"]["expected_tags"] == [
        "pulse",
        "sine",
        "noise",
        "constant",
    ]
    assert literal["message"].startswith("Input should be 'trace.csv'")  # pydantic's English, as before


def test_rest_validation_errors_carry_a_code_and_params(client: TestClient) -> None:
    from tests.test_api import body as trace_body

    wrong_model = client.post("/api/trace", json={**trace_body(), "model": "transformer"})
    short_h0 = client.post("/api/trace", json={**trace_body(hidden=3), "h0": [0.0, 0.0]})

    assert wrong_model.status_code == short_h0.status_code == 422
    literal = wrong_model.json()["detail"][0]
    assert literal["loc"] == ["body", "model"] and literal["type"] == "literal_error"
    assert literal["code"] == "literal_error" and literal["params"] == {"expected": ["lstm", "gru", "rnn"]}
    state = short_h0.json()["detail"][0]
    assert state["type"] == "value_error" and state["msg"] == "h0 has 2 values, but H=3"
    assert state["code"] == "state_length" and state["params"] == {"field": "h0", "length": 2, "hidden": 3}
    assert problem_text(state["code"], state["params"], "ko") == "h0에 값이 2개 있지만, H=3입니다"
