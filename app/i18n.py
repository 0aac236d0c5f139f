"""Server-side text in every language the app speaks: one JSON catalogue per language in
app/locales/ (scenario titles and explanations, and the problems a client can be told about).

A problem has a stable `code` and `params`; the English text rendered from them is what the API
and the socket say, and a page can render the same code from its own catalogue instead.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

from pydantic_core import PydanticCustomError

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"


@lru_cache
def catalogue(lang: str) -> dict[str, Any]:
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    data: dict[str, Any] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def problem_text(code: str, params: dict[str, Any], lang: str = DEFAULT_LANGUAGE) -> str:
    """The problem's text in `lang`, its parameters filled in."""
    template: str = catalogue(lang)["problems"][code]
    return template.format(**params)


class ScenarioText(TypedDict):
    title: str
    description: str


def scenario_text(name: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> ScenarioText:
    """A scenario's title and description in `lang` (the custom one takes H and D)."""
    entry = catalogue(lang)["scenarios"][name]
    return {"title": entry["title"], "description": entry["description"].format(**params)}


def scenario_texts(name: str, **params: Any) -> dict[str, ScenarioText]:
    """The scenario's text in every language, for a page that switches language by itself."""
    return {lang: scenario_text(name, lang, **params) for lang in LANGUAGES}


def validation_problem(code: str, **params: Any) -> PydanticCustomError:
    """A pydantic validation error with one of our problem codes (raise it in a validator)."""
    return PydanticCustomError(code, catalogue(DEFAULT_LANGUAGE)["problems"][code], params)
