"""The page in two languages and for every way of using it, in headless Chromium.

axe-core (bundled with axe-playwright-python, so it runs offline) finds no serious or critical
violation in English or in Korean; everything works from the keyboard alone with a visible focus;
the live region, the step table and the charts' descriptions say the engine's numbers; and the
Korean page says the server's Korean text, its errors included, from catalogues with one set of keys.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

# axe-playwright-python ships no type information (no py.typed marker).
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

from app.engine.lstm import Trace, run
from app.scenarios import SCENARIOS, get_scenario
from tests.test_page import (
    TOLERANCE,
    assert_readout_matches,
    body_data,
    go_to_step,
    open_page,
    settle,
    wait_for_new_revision,
    wait_for_step,
)
from tests.test_page_share import decode_link, encode_link

pytestmark = pytest.mark.browser

LOCALES = Path(__file__).resolve().parents[1] / "app" / "locales"
HANGUL = re.compile(r"[가-힣]")
BLOCKING = ("serious", "critical")

# Every quantity the step table lists for every unit.
TABLE_QUANTITIES = (
    "pre_i", "pre_f", "pre_g", "pre_o", "i", "f", "g", "o",
    "h_prev", "c_prev", "kept", "forgotten", "added", "c", "tanh_c", "h",
)  # fmt: skip

# The two catalogues as the browser loads them, and the keys the template names.
CATALOGUES_JS = """async () => {
    const en = (await import('/static/js/i18n/en.js')).default;
    const ko = (await import('/static/js/i18n/ko.js')).default;
    const named = new Set();
    for (const el of document.querySelectorAll('[data-i18n], [data-i18n-title], [data-i18n-label]')) {
        const { i18n, i18nTitle, i18nLabel } = el.dataset;
        for (const key of [i18n, i18nTitle, i18nLabel]) if (key) named.add(key);
    }
    return { en, ko, template: [...named] };
}"""
FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        name: el.id || el.dataset.lang || (typeof el.className === 'string' && el.className) || el.tagName,
        outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth) || 0,
        focusVisible: el.matches(':focus-visible'),
        shown: box.width > 0 && box.height > 0,
    };
}"""
CELLS_JS = """() => [...document.querySelectorAll('#step-table td[data-q]')]
    .map((td) => [td.dataset.q, Number(td.dataset.unit), td.textContent])"""
LAYOUT_JS = """id => { const l = document.getElementById(id).layout;
    return {x: l.xaxis.title?.text, y: l.yaxis.title?.text,
            names: document.getElementById(id).data.map((t) => t.name),
            annotations: (l.annotations || []).map((a) => a.text)}; }"""
PROBLEM_JS = """async ([lang, code, params, message]) => {
    const i18n = await import('/static/js/i18n/index.js');
    const before = document.documentElement.lang;
    i18n.setLanguage(lang);
    const text = i18n.problemText(code, params, message);
    i18n.setLanguage(before);
    return text;
}"""


# --- helpers -------------------------------------------------------------------------------------


def link(**state: Any) -> str:
    return encode_link({"v": 1, **state})


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """A catalogue as {dotted key: leaf value}."""
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = [(str(k), v) for k, v in enumerate(node)]
    else:
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def locale(lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def switch_language(page: Any, lang: str) -> None:
    """Press a language button (with the mouse; the keyboard test presses it by keys)."""
    page.click(f"#lang button[data-lang='{lang}']")
    page.wait_for_selector(f"body[data-lang='{lang}']")
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


def blocking_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one readable line each."""
    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"{violation['impact']} {violation['id']} at {node['target']}: {summary}")
    return lines


def focused(page: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = page.evaluate(FOCUS_JS)
    return found


def assert_focus_visible(page: Any) -> dict[str, Any]:
    now = focused(page)
    assert now is not None, "nothing has focus"
    assert now["focusVisible"] and now["outline"] > 0 and now["shown"], f"focus is not visible on {now}"
    return now


def tab_to(page: Any, selector: str, *, backwards: bool = False, limit: int = 250) -> list[str]:
    """Press Tab (or Shift+Tab) until `selector` has focus, checking that every stop shows its focus.
    Returns the names of the stops on the way."""
    key = "Shift+Tab" if backwards else "Tab"
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stops.append(assert_focus_visible(page)["name"])
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{selector} not reached in {limit} presses of {key}; stops: {stops}")


def engine_trace(name: str = "hold-and-release", edit: tuple[int, int, float] | None = None) -> Trace:
    scenario = get_scenario(name)
    x = scenario.x.copy()
    if edit is not None:
        t, j, value = edit
        x[t, j] = value
    return run(scenario.weights, x, scenario.h0, scenario.c0)


def announced(page: Any, t: int, last: int) -> str:
    starts = "prefix => document.getElementById('announce').textContent.startsWith(prefix)"
    page.wait_for_function(starts, arg=f"Step {t} of {last}.")
    text: str = page.inner_text("#announce")
    return text


def assert_table_matches(page: Any, trace: Trace, t: int) -> None:
    caption = "t => document.getElementById('step-table-caption').textContent.includes(`t = ${t}`)"
    page.wait_for_function(caption, arg=t)
    cells: list[list[Any]] = page.evaluate(CELLS_JS)
    hidden = trace.h.shape[1]
    assert {(q, unit) for q, unit, _ in cells} == {(q, k) for q in TABLE_QUANTITIES for k in range(hidden)}
    for q, unit, text in cells:
        expected = float(getattr(trace, q)[t, unit])
        assert float(text) == pytest.approx(expected, abs=TOLERANCE), (q, unit, t, text, expected)


# --- one catalogue per language --------------------------------------------------------------------


def test_both_catalogues_have_the_same_keys_and_placeholders(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    loaded = page.evaluate(CATALOGUES_JS)
    en, ko = flatten(loaded["en"]), flatten(loaded["ko"])
    assert sorted(set(en) - set(ko)) == [], "keys only in en.js"
    assert sorted(set(ko) - set(en)) == [], "keys only in ko.js"
    for key, text in en.items():
        holes = sorted(re.findall(r"\{(\w+)\}", str(text)))
        assert holes == sorted(re.findall(r"\{(\w+)\}", str(ko[key]))), f"{key} fills other values in ko.js"
    # Every key the template names is a text in both languages.
    for key in loaded["template"]:
        assert isinstance(en.get(key), str) and isinstance(ko.get(key), str), key
    # The server's problems read the same on the page as in app/locales.
    for lang, flat in (("en", en), ("ko", ko)):
        for code, template in locale(lang)["problems"].items():
            assert flat[f"problems.{code}"] == template, (lang, code)


def test_a_problem_is_said_from_its_code_or_else_in_the_servers_words(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    params = {"field": "t", "value": 99, "steps": 40}
    said = page.evaluate(PROBLEM_JS, ["ko", "step_out_of_range", params, "x"])
    assert said == "t=99는 범위를 벗어났습니다: 시퀀스는 40스텝입니다"
    assert page.evaluate(PROBLEM_JS, ["ko", "less_than_equal", {"le": 10.0}, "x"]) == "10 이하여야 합니다"
    assert page.evaluate(PROBLEM_JS, ["en", "missing", {}, "Field required"]) == "is required"
    unknown = ["ko", "some_new_code", {"a": 1}, "the server's English words"]
    assert page.evaluate(PROBLEM_JS, unknown) == "the server's English words"


# --- axe-core ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["english", "korean-by-button", "korean-by-link"])
def test_axe_finds_no_serious_or_critical_violation(page: Any, server_url: str, how: str) -> None:
    # The walk-through and the step table are on, so their parts are checked too.
    view = {"t": 6, "walk": 2, "table": True}
    state = {**view, "lang": "ko"} if how == "korean-by-link" else view
    page.goto(server_url + "/" + link(**state))
    page.wait_for_selector("body[data-ready='true']")
    if how == "korean-by-button":
        switch_language(page, "ko")
    lang = "en" if how == "english" else "ko"
    page.wait_for_selector(f"body[data-lang='{lang}'][data-step='6']")
    assert page.evaluate("document.documentElement.lang") == lang
    problems = blocking_violations(page)
    page.keyboard.press("?")
    page.wait_for_selector("#help[open]")
    problems += [f"(help open) {line}" for line in blocking_violations(page)]
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def test_a_korean_browser_gets_the_korean_page(browser: Any, server_url: str) -> None:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(server_url)
        page.wait_for_selector("body[data-ready='true'][data-lang='ko']")
        assert page.evaluate("document.documentElement.lang") == "ko"
        assert page.get_attribute("#lang button[data-lang='ko']", "aria-pressed") == "true"
        assert page.inner_text("#status") == "연결됨"
        assert page.inner_text("#scenario-title") == locale("ko")["scenarios"]["hold-and-release"]["title"]
        # The browser's language is the default, so the link leaves it out.
        page.click("#step-forward")
        page.wait_for_selector("body[data-step='1'][data-link='saved']")
        assert "lang" not in decode_link(page.url)
    finally:
        context.close()
    assert not problems, problems


# --- colour ----------------------------------------------------------------------------------------------


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_text_colours_meet_wcag_aa_on_the_chart_background(page: Any, server_url: str) -> None:
    # axe-core checks the page's HTML text; the charts' SVG text is checked here, by its colours.
    open_page(page, server_url)
    colours = page.evaluate("async () => { const c = await import('/static/js/colors.js'); return c; }")
    for name in ("INK", "MUTED", "DIM_TEXT", "STEP_MARK"):
        for background in ("#ffffff", "#f6f7fa"):
            ratio = contrast(colours[name], background)
            assert ratio >= 4.5, f"{name} {colours[name]} on {background}: {ratio:.2f}:1"
    # One diverging and one sequential scale, five stops each, used by every view.
    assert len(colours["DIVERGING"]) == len(colours["SEQUENTIAL"]) == 5


# --- the keyboard alone --------------------------------------------------------------------------------


def test_everything_works_from_the_keyboard_with_a_visible_focus(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    last = scenario.x.shape[0] - 1
    open_page(page, server_url)

    # The top bar first, in reading order, then the transport.
    stops = tab_to(page, "#step-forward")
    order = ["scenario", "reset", "share", "en", "ko", "help-open", "play", "step-forward"]
    assert [stops.index(name) for name in order] == sorted(stops.index(name) for name in order), stops
    page.keyboard.press("Enter")
    wait_for_step(page, 1)

    # On the belt the arrows step, Home and End jump, space plays and pauses.
    tab_to(page, "#belt")
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 2)
    page.keyboard.press("ArrowLeft")
    wait_for_step(page, 1)
    page.keyboard.press("End")
    wait_for_step(page, last)
    page.keyboard.press("Home")
    wait_for_step(page, 0)
    page.keyboard.press(" ")
    page.wait_for_selector("#play[aria-pressed='true']")
    page.wait_for_function("Number(document.body.dataset.step) >= 2")
    page.keyboard.press(" ")
    page.wait_for_selector("#play[aria-pressed='false']")
    settle(page)
    page.keyboard.press("Home")
    wait_for_step(page, 0)
    for t in range(1, 6):
        page.keyboard.press("ArrowRight")
        wait_for_step(page, t)

    # An input slider moves by its arrow keys, and the numbers become the engine's for the new value.
    tab_to(page, "input.input-slider[data-j='0']")
    value = round(float(scenario.x[5, 0]) + 0.03, 2)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    shows = "v => document.querySelector(\"#readout td[data-q='x'][data-j='0']\").textContent === v"
    page.wait_for_function(shows, arg=f"{value:.4f}")
    assert body_data(page, "step") == "5"
    assert_readout_matches(page, engine_trace(edit=(5, 0, value)), 5)

    # ? opens the list of keys with the focus inside it; Esc closes it and the focus comes back.
    page.keyboard.press("?")
    page.wait_for_selector("#help[open]")
    assert assert_focus_visible(page)["name"] == "help-close"
    assert "Space" in page.inner_text("#help") and "Home / End" in page.inner_text("#help")
    page.keyboard.press("Escape")
    page.wait_for_selector("#help:not([open])", state="attached")
    assert page.evaluate("document.activeElement.matches(\"input.input-slider[data-j='0']\")")

    # Back to the language buttons, and Korean by Enter.
    tab_to(page, "#lang button[data-lang='ko']", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-lang='ko']")
    assert page.get_attribute("#lang button[data-lang='ko']", "aria-pressed") == "true"
    assert page.get_attribute("#lang button[data-lang='en']", "aria-pressed") == "false"
    assert_focus_visible(page)
    assert page.inner_text("#play") == "▶ 재생"
    assert page.inner_text("#scenario-title") == locale("ko")["scenarios"]["hold-and-release"]["title"]
    # …and the page still steps by keys in Korean.
    tab_to(page, "#belt")
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 6)


# --- screen readers ------------------------------------------------------------------------------------


def test_the_live_region_says_the_steps_c_and_h_as_the_tables_show_them(page: Any, server_url: str) -> None:
    trace = engine_trace()
    open_page(page, server_url)
    assert page.get_attribute("#announce", "aria-live") == "polite"
    go_to_step(page, 6)
    text = announced(page, 6, 39)
    for unit in range(3):
        found = re.search(rf"Unit {unit}: c (\S+), h (\S+)\.", text)
        assert found, text
        assert float(found[1]) == pytest.approx(float(trace.c[6, unit]), abs=TOLERANCE), text
        assert float(found[2]) == pytest.approx(float(trace.h[6, unit]), abs=TOLERANCE), text
        # Formatted as the readout shows the same numbers.
        assert found[1] == page.inner_text(f"#readout td[data-q='c'][data-unit='{unit}']")
        assert found[2] == page.inner_text(f"#readout td[data-q='h'][data-unit='{unit}']")

    switch_language(page, "ko")
    page.wait_for_function("document.getElementById('announce').textContent.startsWith('스텝 6 / 39.')")
    found = re.search(r"유닛 0: c (\S+), h (\S+)\.", page.inner_text("#announce"))
    assert found and float(found[1]) == pytest.approx(float(trace.c[6, 0]), abs=TOLERANCE)


def test_every_chart_is_a_figure_with_a_description_of_the_step(page: Any, server_url: str) -> None:
    trace = engine_trace()
    open_page(page, server_url)
    go_to_step(page, 8)
    for chart in ("belt", "activations", "gradients", "race", "inputs-chart", "timeline", "gates"):
        assert page.get_attribute(f"#{chart}", "role") == "figure", chart
        assert page.get_attribute(f"#{chart}", "aria-label"), chart
        described = page.get_attribute(f"#{chart}", "aria-describedby")
        page.wait_for_function("id => document.getElementById(id).textContent.includes('8')", arg=described)
    belt = page.inner_text("#belt-summary")
    assert belt.startswith("Step 8 of 39")
    assert f"Unit 0: c_t−1 {float(trace.c_prev[8, 0]):.3f}" in belt
    timeline = page.inner_text("#timeline-summary")
    assert f"unit 1 {float(trace.c[8, 1]):.4f}" in timeline


def test_the_step_table_lists_every_gate_and_state_of_every_unit(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    assert page.is_hidden("#step-table")
    page.click("#table-toggle")
    page.wait_for_selector("#step-table:not([hidden])")
    assert page.get_attribute("#table-toggle", "aria-expanded") == "true"
    go_to_step(page, 12)
    assert_table_matches(page, engine_trace(), 12)
    columns = "#step-table th[scope='col'][data-q]"
    headers = page.eval_on_selector_all(columns, "hs => hs.map((h) => h.dataset.q)")
    assert headers == list(TABLE_QUANTITIES)

    # After an edit the table shows the edited run; and it is part of the link.
    revision = body_data(page, "revision")
    page.locator("input.input-slider[data-j='0']").fill("0.6")
    wait_for_new_revision(page, revision)
    assert_table_matches(page, engine_trace(edit=(12, 0, 0.6)), 12)
    page.wait_for_selector("body[data-link='saved']")
    assert decode_link(page.url)["table"] is True

    # Another scenario: another number of units.
    revision = body_data(page, "revision")
    page.select_option("#scenario", "random-init")
    wait_for_new_revision(page, revision)
    go_to_step(page, 3)
    assert_table_matches(page, engine_trace("random-init"), 3)


# --- Korean --------------------------------------------------------------------------------------------


def test_korean_says_the_scenario_the_charts_and_the_servers_errors(page: Any, server_url: str) -> None:
    ko = locale("ko")
    open_page(page, server_url)
    switch_language(page, "ko")

    text = ko["scenarios"]["hold-and-release"]
    titled = "title => document.getElementById('scenario-title').textContent === title"
    page.wait_for_function(titled, arg=text["title"])
    assert page.inner_text("#scenario-description") == text["description"]
    listed = "n => document.querySelectorAll('#scenario option').length === n"
    page.wait_for_function(listed, arg=len(SCENARIOS))
    menu = page.eval_on_selector_all("#scenario option", "os => os.map((o) => o.text)")
    assert sorted(menu) == sorted(ko["scenarios"][name]["title"] for name in SCENARIOS)
    page.wait_for_selector("body[data-link='saved']")
    assert decode_link(page.url)["lang"] == "ko"

    # Chart titles, axis titles, legends and the toolbar speak Korean (from ko.js).
    catalogue = page.evaluate("async () => (await import('/static/js/i18n/ko.js')).default")
    timeline = page.evaluate(LAYOUT_JS, "timeline")
    assert timeline["x"] == catalogue["charts"]["step"] == "스텝 t"
    assert catalogue["timeline"]["kept"] in timeline["names"]
    gates = page.evaluate("() => document.getElementById('gates').layout.yaxis.title.text")
    assert gates == catalogue["gates"]["f"] == "f · 망각"
    gradients = page.evaluate(LAYOUT_JS, "gradients")
    assert gradients["y"] == catalogue["gradients"]["yAll"]
    belt = page.evaluate(LAYOUT_JS, "belt-backdrop")  # the stations' headers lie on the static backdrop
    assert catalogue["belt"]["forget"] in belt["annotations"]
    page.hover("#gradients")
    titles = page.eval_on_selector_all("#gradients .modebar-btn", "bs => bs.map((b) => b.dataset.title)")
    assert "그래프를 PNG로 내려받기" in titles and "그래프를 SVG로 내려받기" in titles
    for heading in ("belt", "lab", "readout", "timeline", "gates"):
        assert HANGUL.search(page.inner_text(f"#{heading}-heading")), heading

    # A generator the server refuses: its error in Korean, from the code and params it sent.
    page.select_option("#gen-kind", "sine")
    page.fill("#gen-sine-period", "0.5")
    page.click("#gen-apply")
    page.wait_for_selector("#status.status-error")
    assert "sequence.period 오류: 1 이상이어야 합니다" in page.inner_text("#status")
    # Switching back says the same error in English.
    switch_language(page, "en")
    assert "Error in sequence.period: must be ≥ 1" in page.inner_text("#status")


def test_a_korean_link_to_an_unknown_scenario_says_why_in_korean(page: Any, server_url: str) -> None:
    page.goto(server_url + "/" + link(lang="ko", scenario="no-such-scenario"))
    page.wait_for_selector("body[data-ready='true'][data-lang='ko']")
    page.wait_for_selector("#status.status-error")
    status = page.inner_text("#status")
    assert "이 링크를 열 수 없어서" in status, status
    assert "알 수 없는 시나리오입니다: no-such-scenario" in status, status
    assert page.inner_text("#scenario-title") == locale("ko")["scenarios"]["hold-and-release"]["title"]


def test_the_snapshots_message_limit_is_the_one_the_page_keeps(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    limit = page.evaluate("async () => (await import('/static/js/state.js')).state.limits.max_message_bytes")
    assert limit == 4 * 1024 * 1024
    # With a smaller limit (as a server so configured sends), the page refuses a larger message itself.
    smaller = "async () => { (await import('/static/js/state.js')).state.limits.max_message_bytes = 256; }"
    page.evaluate(smaller)
    rows = "\n".join(f"{t * 0.001:.3f},{-t * 0.002:.3f}" for t in range(40)).encode()
    page.set_input_files("#upload-inputs", {"name": "many.csv", "mimeType": "text/csv", "buffer": rows})
    page.wait_for_function("document.getElementById('status').textContent.includes('many.csv')")
    assert "are more than one message may carry" in page.inner_text("#status")
