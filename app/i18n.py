"""Server-side text in every language the app speaks: one JSON catalogue per language in
app/locales/ (scenario titles and explanations, and the problems a client can be told about).

A problem has a stable `code` and `params`; the English text rendered from them is what the API
and the socket say, and a page can render the same code from its own catalogue instead
(static/js/i18n/index.js renders them by the same rules):

- `{name}` is the parameter as it is; a list is joined with ", " ("l0, l1").
- `{name:or}` is a list of alternatives, strings quoted as pydantic quotes them, joined by the
  language's "or" (catalogue "join"): "'a', 'b' or 'c'", "'a', 'b' 또는 'c'".
- `{name:num}` is a number as a caption shows it (number_text): "0.61", "−3.4·10⁻⁴".
- `{note}` is the catalogue's "notes" entry named by the parameter `note` (a short remark such as
  "(3H × H is a GRU's shape, not an LSTM's)", with its own leading space or none), or nothing.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
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


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "or":
            return alternatives(value, self.lang)
        if format_spec == "num":
            return number_text(value)
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        text: str = super().format_field(value, format_spec)
        return text


def alternatives(values: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """'a', 'b' or 'c' in `lang`; text that is not a list stays as it is."""
    if not isinstance(values, list | tuple):
        return str(values)
    shown = [f"'{value}'" if isinstance(value, str) else str(value) for value in values]
    if len(shown) < 2:
        return "".join(shown)
    template: str = catalogue(lang)["join"]["or"]
    return template.format(rest=", ".join(shown[:-1]), last=shown[-1])


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
MINUS = "\u2212"


def number_text(value: float) -> str:
    """A caption's number, as static/js/format.js `captionNumber` writes it: "0.61", "12",
    "3.4·10⁻⁴" below 0.01 (and from 1000 up), a typographic minus. The value comes rounded to
    the digits it shows (app/gradient_story.py), so both sides write the same text."""
    if value == 0 or 0.01 <= abs(value) < 1000:
        text = f"{value:g}"
    else:
        mantissa, exponent = f"{value:.1e}".split("e")
        text = f"{mantissa.removesuffix('.0')}·10{str(int(exponent)).translate(SUPERSCRIPT)}"
    return text.replace("-", MINUS, 1) if text.startswith("-") else text


def story_text(claim: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> str:
    """One claim of app/gradient_story.py in `lang`: its catalogue text, its numbers filled in."""
    template: str = catalogue(lang)["story"][claim["code"]]
    return _Formatter(lang).format(template, **claim["params"])


def problem_text(code: str, params: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> str:
    """The problem's text in `lang`, its parameters filled in."""
    texts = catalogue(lang)
    template: str = texts["problems"][code]
    note = params.get("note")
    values = {**params, "note": texts["notes"][note] if note else ""}
    return _Formatter(lang).format(template, **values)


class ProblemError(ValueError):
    """A ValueError naming a catalogue problem: str() is its English text, and `code`/`params`
    travel with it (a pydantic validator raising it gives a `value_error` whose context holds it;
    app/web/errors.py answers with its code)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(problem_text(code, params))


class ScenarioText(TypedDict):
    title: str
    description: str
    prompt: str  # one "try this" line: one thing to do at the opening step, and what it shows


def scenario_text(
    name: str, lang: str = DEFAULT_LANGUAGE, section: str = "scenarios", **params: Any
) -> ScenarioText:
    """A scenario's title, description and prompt in `lang` (the custom one takes H and D); a
    GRU's scenarios are in the section "gru_scenarios"."""
    entry = catalogue(lang)[section][name]
    return {
        "title": entry["title"],
        "description": entry["description"].format(**params),
        "prompt": entry["prompt"].format(**params),
    }


def scenario_texts(name: str, section: str = "scenarios", **params: Any) -> dict[str, ScenarioText]:
    """The scenario's text in every language, for a page that switches language by itself."""
    return {lang: scenario_text(name, lang, section, **params) for lang in LANGUAGES}


def validation_problem(code: str, **params: Any) -> PydanticCustomError:
    """A pydantic validation error with one of our problem codes (raise it in a validator)."""
    return PydanticCustomError(code, catalogue(DEFAULT_LANGUAGE)["problems"][code], params)
