"""The shipped text model (app/data/python-code.npz, scripts/train_text.py): small enough to ship, and
as good on the committed held-out code as the script printed; the unit its scenario names follows
the named feature (r ≥ 0.7), recomputed here from the shipped weights."""

import json
from pathlib import Path

import numpy as np

from app.engine.lm import LMParams, params_of
from app.engine.lstm import GATES, run
from app.i18n import LANGUAGES
from app.scenarios import PYTHON_CODE, PYTHON_CODE_HELD_OUT, get_scenario, load_text_model
from app.text_features import bits_per_char, feature_values, unit_correlations

MANIFEST = json.loads(Path(PYTHON_CODE).with_suffix(".json").read_text(encoding="utf-8"))


def held_out() -> tuple[LMParams, np.ndarray, str]:
    weights, text = load_text_model(PYTHON_CODE)
    assert text.decoder_weight is not None and text.decoder_bias is not None
    params = params_of(text.embedding, weights, text.decoder_weight, text.decoder_bias)
    code = PYTHON_CODE_HELD_OUT.read_text(encoding="utf-8")
    return params, text.tokenize(code), code


def test_the_shipped_files_are_small_enough_to_ship() -> None:
    assert PYTHON_CODE.stat().st_size <= 1_000_000
    assert PYTHON_CODE_HELD_OUT.stat().st_size <= 100_000


def test_the_shipped_model_meets_its_bits_per_character_on_the_held_out_code() -> None:
    params, ids, _ = held_out()
    bpc = bits_per_char(params, ids, MANIFEST["settings"]["seq"])
    assert abs(bpc - MANIFEST["bits_per_char"]) < 1e-3, bpc
    assert bpc < 3.0  # a unigram model of this code is ≈ 4.4 bits per character


def test_the_named_unit_follows_the_named_feature() -> None:
    params, ids, code = held_out()
    unit, feature, seq = MANIFEST["unit"], MANIFEST["feature"], MANIFEST["settings"]["seq"]
    newline = int(ids[code.index("\n")])
    # over the steps after each window's first line break, as the script measures it
    r = unit_correlations(params, ids, feature_values(code, feature), seq, newline)
    assert abs(r[unit]) >= 0.7, r[unit]
    assert abs(r[unit] - MANIFEST["correlation"]) < 1e-3


def test_the_scenario_names_the_unit_in_every_language_and_opens_on_held_out_code() -> None:
    scenario = get_scenario("python-code")
    for lang in LANGUAGES:
        assert f"{MANIFEST['unit']}" in scenario.texts()[lang]["description"]
    assert scenario.text is not None and scenario.ids is not None
    opening = "".join(scenario.text.vocab[k] for k in scenario.ids)
    assert opening in PYTHON_CODE_HELD_OUT.read_text(encoding="utf-8")
    assert scenario.weights.input_size == scenario.text.embed_size == MANIFEST["settings"]["embed"]
    low, high = scenario.input_range  # every token's embedding row fits the input sliders
    assert low <= scenario.text.embedding.min() and scenario.text.embedding.max() <= high


def test_the_feature_values_are_read_off_the_code() -> None:
    code = "x = f('a(', [1,\n  2])\n"
    assert feature_values(code, "column").tolist()[:4] == [1, 2, 3, 4]
    assert feature_values(code, "column")[code.index("\n")] == 0
    inside = feature_values(code, "in_string")
    closing = code.index("',")
    assert inside[code.index("'")] == 1 and inside[code.index("a")] == 1 and inside[closing] == 0
    brackets = feature_values(code, "in_brackets")
    # the ( inside the string opens nothing: the last ) closes every bracket
    assert brackets[code.index("f")] == 0 and brackets[code.index("1")] == 1 and brackets[-2] == 0


def test_the_prompt_holds_unit_76_counts_until_the_line_break_and_a_clamped_forget_gate_keeps_it() -> None:
    """ "Clamp unit 76's forget gate to 1 and watch its belt keep counting through the line break at
    step 88": the description's ≈ 0.5 a character, the wipe, and what the clamp changes."""
    scenario = get_scenario("python-code")
    assert scenario.text is not None and scenario.ids is not None and MANIFEST["unit"] == 76
    assert scenario.open_step == 88 and scenario.text.vocab[scenario.ids[88]] == "\n"
    trace = run(scenario.weights, scenario.x)
    line = slice(27, 85)  # the docstring's line, after its indent, before the closing quotes
    assert 0.4 < np.diff(trace.c[line, 76]).mean() < 0.6  # ≈ 0.5 a character
    assert trace.c[87, 76] > 20 and trace.f[88, 76] < 0.1 and abs(trace.c[88, 76]) < 1
    clamp = np.full((4, scenario.weights.hidden_size), np.nan)
    clamp[GATES.index("f"), 76] = 1.0
    held = run(scenario.weights, scenario.x, clamp=clamp)
    assert held.c[88, 76] > 20 and held.c[100, 76] > held.c[88, 76]  # still counting on the next line
