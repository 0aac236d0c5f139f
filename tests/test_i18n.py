"""Server-side text in English and Korean: the catalogues agree, and every problem has a text."""

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
            assert placeholders(other["scenarios"][name]["description"]) == placeholders(text["description"])


def test_every_scenario_has_its_text_in_every_language() -> None:
    assert set(catalogue("en")["scenarios"]) == set(SCENARIOS) | {CUSTOM}
    for lang in LANGUAGES:
        for text in catalogue(lang)["scenarios"].values():
            assert len(text["title"]) > 2 and len(text["description"]) > 40


def test_every_problem_the_server_names_has_a_text() -> None:
    source = "\n".join(path.read_text() for path in APP.rglob("*.py"))
    raised = set(re.findall(r'Rejected\(\s*[^,]+,\s*"([a-z_]+)"', source))
    replied = set(re.findall(r'error_reply\(\s*None,\s*"([a-z_]+)"', source))
    assert raised and replied
    assert raised | replied <= set(catalogue("en")["problems"])


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


@pytest.mark.parametrize(("lang", "title"), [("en", "Long memory"), ("ko", "긴 기억")])
def test_the_api_lists_scenarios_in_the_asked_language(client: TestClient, lang: str, title: str) -> None:
    listed = client.get("/api/scenarios", params={"lang": lang}).json()
    assert listed[1]["title"] == title
    assert client.get("/api/scenarios/long-memory", params={"lang": lang}).json()["title"] == title
    assert client.get("/api/scenarios", params={"lang": "fr"}).status_code == 422


def test_a_scenario_the_catalogues_do_not_know_keeps_its_own_text() -> None:
    from dataclasses import replace

    from app.scenarios import random_init

    stranger = replace(random_init(), name="bench-h64", title="Benchmark", description="Big and random.")
    assert stranger.texts()["ko"] == {"title": "Benchmark", "description": "Big and random."}
