"""The page in two languages and for every way of using it, in headless Chromium.

axe-core (bundled with axe-playwright-python, so it runs offline) finds no serious or critical
violation in English or in Korean, in every deep dive and every tab of the lab (a closed tab's
panel is hidden, and axe checks only what is shown, so each one is opened in turn); every control
is reached by the keyboard alone with a visible focus, the tab lists by their arrow keys; the live
region, the numbers dive and the charts' descriptions say the engine's numbers; and the Korean page
says the server's Korean text, its errors included, from catalogues with one set of keys.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

# axe-playwright-python ships no type information (no py.typed marker).
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

from app.engine.lstm import Trace, run
from app.scenarios import SCENARIOS, get_scenario
from tests.helpers import DIVES, LAB_TABS, after_a_drawing_pass, open_dive, open_lab, record_sent_messages
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
OPEN_STEP = get_scenario("hold-and-release").open_step

# Every quantity the numbers dive lists for every unit: what arrives from step t−1, each gate's
# pre-activation and its three parts (from x_t, from h_t−1, the bias), the gates, the belt, the output.
TABLE_QUANTITIES = frozenset(
    ["h_prev", "c_prev", "f", "i", "g", "o", "kept", "forgotten", "added", "c", "tanh_c", "h"]
    + [f"pre_{q}{part}" for q in "figo" for part in ("_x", "_h", "_b", "")]
)
# JavaScript's toFixed(4): an optional minus, digits, a point and exactly four decimals.
FIXED4 = re.compile(r"^-?\d+\.\d{4}$")

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
# Every element the Tab key should stop at as the page is now, in document order (there is no
# positive tabindex, so that is the tab order): shown, enabled, not taken out of the order. They are
# numbered in window.__stops, which FOCUS_JS reads.
STOPS_JS = """() => {
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
    // A group of radio buttons is one stop, at its checked button (the arrows move within it).
    const stops = [...document.querySelectorAll(selector)].filter((el) =>
        el.tabIndex >= 0 && !el.disabled && !el.closest('[inert]') && !(el.type === 'radio' && !el.checked) &&
        el.checkVisibility({ visibilityProperty: true }));
    window.__stops = new Map(stops.map((el, n) => [el, n]));
    const name = (el) => el.id || [el.tagName.toLowerCase(), el.className,
        ...Object.entries(el.dataset).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(' ');
    return stops.map(name);
}"""
FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        name: el.id || el.dataset.lang || (typeof el.className === 'string' && el.className) || el.tagName,
        n: window.__stops && window.__stops.has(el) ? window.__stops.get(el) : -1,
        outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth) || 0,
        focusVisible: el.matches(':focus-visible'),
        shown: box.width > 0 && box.height > 0,
    };
}"""
# Whether the numbers dive's caption names step t (it says "… t = 12, …").
CAPTION_AT_JS = """t => {
    const caption = document.querySelector('#readout table.readout-units caption');
    const named = caption && /t = (\\d+)/.exec(caption.textContent);
    return Boolean(named) && Number(named[1]) === t;
}"""
CELLS_JS = """() => [...document.querySelectorAll('#readout td[data-q][data-unit]')]
    .map((td) => [td.dataset.q, Number(td.dataset.unit), td.textContent])"""
ROWS_JS = """async () => ({
    shown: [...document.querySelectorAll('#readout th[scope=row][data-q]')].map((th) => th.dataset.q),
    module: (await import('/static/js/views/readout.js')).TABLE_QUANTITIES,
})"""
LAYOUT_JS = """id => { const l = document.getElementById(id).layout;
    return {x: l.xaxis.title?.text, y: l.yaxis.title?.text,
            names: document.getElementById(id).data.map((t) => t.name)}; }"""
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


def plain(markup: str) -> str:
    """A catalogue string as the page's text shows it: <sub>t</sub> becomes t, other tags go."""
    return re.sub(r"<[^>]*>", "", markup)


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


def tab_through_the_page(page: Any) -> None:
    """From the top of the page, Tab to its last control: every control shown (STOPS_JS) is a
    stop, in reading order, and every stop shows its focus."""
    names: list[str] = page.evaluate(STOPS_JS)
    page.click("header h1")  # not a control: the next Tab starts from the top of the page
    visited: list[int] = []
    for _ in range(len(names) + 25):
        page.keyboard.press("Tab")
        visited.append(assert_focus_visible(page)["n"])
        if visited[-1] == len(names) - 1:
            break
    else:
        raise AssertionError(f"the last control, {names[-1]}, was not reached; stops: {visited}")
    missed = [names[n] for n in range(len(names)) if n not in visited]
    assert not missed, f"Tab never stopped at {missed}"
    listed = [n for n in visited if n >= 0]
    assert listed == sorted(listed), [names[n] for n in listed]


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


def assert_numbers_match(page: Any, trace: Trace, t: int) -> None:
    """The numbers dive shows every quantity of every unit at step t, as toFixed(4) of the engine's."""
    page.wait_for_function(CAPTION_AT_JS, arg=t)
    cells: list[list[Any]] = page.evaluate(CELLS_JS)
    hidden = trace.h.shape[1]
    assert len(cells) == len(TABLE_QUANTITIES) * hidden, "a quantity or a unit is listed twice"
    assert {(q, unit) for q, unit, _ in cells} == {(q, k) for q in TABLE_QUANTITIES for k in range(hidden)}
    for q, unit, text in cells:
        expected = float(getattr(trace, q)[t, unit])
        assert FIXED4.match(text), (q, unit, text)
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
def test_axe_finds_no_serious_or_critical_violation_in_any_tab(page: Any, server_url: str, how: str) -> None:
    # The walk-through is on and the forget gate of unit 0 clamped, so their parts are checked too;
    # each deep dive and each lab tab is opened in turn (axe skips what is hidden), then the help.
    view = {"t": 6, "walk": 2, "clamps": {"f": [1, None, None]}}
    state = {**view, "lang": "ko"} if how == "korean-by-link" else view
    page.goto(server_url + "/" + link(**state))
    page.wait_for_selector("body[data-ready='true']")
    if how == "korean-by-button":
        switch_language(page, "ko")
    lang = "en" if how == "english" else "ko"
    page.wait_for_selector(f"body[data-lang='{lang}'][data-step='6']")
    assert page.evaluate("document.documentElement.lang") == lang
    problems = [f"(as opened) {line}" for line in blocking_violations(page)]
    for dive in DIVES:
        open_dive(page, dive)
        problems += [f"(dive {dive}) {line}" for line in blocking_violations(page)]
    page.wait_for_selector("#readout td.is-clamped", state="attached")  # the numbers were drawn
    for tab in LAB_TABS:
        open_lab(page, tab)
        problems += [f"(lab {tab}) {line}" for line in blocking_violations(page)]
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
        page.wait_for_selector(f"body[data-ready='true'][data-lang='ko'][data-step='{OPEN_STEP}']")
        assert page.evaluate("document.documentElement.lang") == "ko"
        assert page.get_attribute("#lang button[data-lang='ko']", "aria-pressed") == "true"
        assert page.inner_text("#status") == "연결됨"
        assert page.inner_text("#scenario-title") == locale("ko")["scenarios"]["hold-and-release"]["title"]
        # The browser's language is the default, so the link leaves it out.
        page.click("#step-forward")
        page.wait_for_selector(f"body[data-step='{OPEN_STEP + 1}'][data-link='saved']")
        assert decode_link(page.url) == {"v": 1, "t": OPEN_STEP + 1}
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


def test_every_control_is_reached_by_tab_and_every_tab_by_the_arrow_keys(page: Any, server_url: str) -> None:
    """In each deep dive and each lab tab, Tab stops at every control shown, in reading order, with
    a visible focus; a tab list is one stop (roving tabindex), and ←/→, Home and End move between
    its tabs, opening each, without stepping time."""
    open_page(page, server_url)
    step = body_data(page, "step")
    tab_through_the_page(page)
    for tablist, tabs in (("dive", DIVES), ("lab", LAB_TABS)):
        tab_to(page, f"#{tablist}-tab-{tabs[0]}", backwards=True)
        for name in tabs[1:]:
            after_a_drawing_pass(page, lambda: page.keyboard.press("ArrowRight"))
            assert_focus_visible(page)
            assert page.evaluate("document.activeElement.id") == f"{tablist}-tab-{name}"
            selected = page.eval_on_selector_all(
                f"[id^='{tablist}-tab-']",
                "tabs => tabs.filter((t) => t.ariaSelected === 'true').map((t) => t.id)",
            )
            assert selected == [f"{tablist}-tab-{name}"]
            for other in tabs:
                assert page.is_visible(f"#{tablist}-{other}") == (other == name), (name, other)
            tab_through_the_page(page)
            tab_to(page, f"#{tablist}-tab-{name}", backwards=True)
        # The arrows wrap around; Home and End go to the first and the last tab.
        page.keyboard.press("ArrowRight")
        page.wait_for_selector(f"#{tablist}-{tabs[0]}", state="visible")
        page.keyboard.press("End")
        page.wait_for_selector(f"#{tablist}-{tabs[-1]}", state="visible")
        page.keyboard.press("Home")
        page.wait_for_selector(f"#{tablist}-{tabs[0]}", state="visible")
        page.keyboard.press("ArrowLeft")
        page.wait_for_selector(f"#{tablist}-{tabs[-1]}", state="visible")
        assert page.evaluate("document.activeElement.id") == f"{tablist}-tab-{tabs[-1]}"
    settle(page)
    assert body_data(page, "step") == step  # no arrow key on a tab stepped time


def test_everything_works_from_the_keyboard_with_a_visible_focus(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    last = scenario.x.shape[0] - 1
    open_page(page, server_url)
    wait_for_step(page, OPEN_STEP)

    # The top bar first, in reading order, then the transport.
    stops = tab_to(page, "#step-forward")
    order = ["scenario", "reset", "share", "en", "ko", "help-open", "play", "step-forward"]
    assert [stops.index(name) for name in order] == sorted(stops.index(name) for name in order), stops
    page.keyboard.press("Enter")
    wait_for_step(page, OPEN_STEP + 1)

    # On the belt the arrows step, Home and End jump, space plays and pauses.
    tab_to(page, "#belt")
    page.keyboard.press("ArrowRight")
    wait_for_step(page, OPEN_STEP + 2)
    page.keyboard.press("ArrowLeft")
    wait_for_step(page, OPEN_STEP + 1)
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

    # The numbers dive, opened by keys: on a tab the arrows move between tabs, not through time.
    tab_to(page, "#dive-tab-equations")
    for dive in ("gradients", "gates", "numbers"):
        page.keyboard.press("ArrowRight")
        page.wait_for_selector(f"#dive-{dive}", state="visible")
    page.wait_for_selector("#readout td[data-q='x'][data-j='0']")
    assert body_data(page, "step") == "5"

    # An input slider moves by its arrow keys, and the numbers become the engine's for the new value.
    tab_to(page, "input.input-slider[data-j='0']", backwards=True)
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

    # Keys 1–5 play one move of the step (not while a slider has the focus), Esc leaves the walk.
    page.keyboard.press("2")
    page.wait_for_timeout(300)
    assert body_data(page, "walk") == ""
    tab_to(page, "#belt")
    page.keyboard.press("2")
    page.wait_for_selector("body[data-walk='input']")
    page.keyboard.press("Escape")
    page.wait_for_selector("body[data-walk='']")
    assert body_data(page, "step") == "5"

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


def test_the_live_region_says_the_steps_c_and_h_as_the_numbers_dive_shows_them(
    page: Any, server_url: str
) -> None:
    trace = engine_trace()
    open_page(page, server_url)
    assert page.get_attribute("#announce", "aria-live") == "polite"
    open_dive(page, "numbers")
    go_to_step(page, 6)
    text = announced(page, 6, 39)
    for unit in range(3):
        found = re.search(rf"Unit {unit}: c (\S+), h (\S+)\.", text)
        assert found, text
        assert float(found[1]) == pytest.approx(float(trace.c[6, unit]), abs=TOLERANCE), text
        assert float(found[2]) == pytest.approx(float(trace.h[6, unit]), abs=TOLERANCE), text
        # Formatted as the numbers dive shows the same numbers.
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
    # The workbench's views at once; each deep dive's charts once their dive is open.
    charts = {None: ("belt", "timeline"), "equations": ("activations",), "gradients": ("gradients", "race")}
    charts["gates"] = ("gates",)
    for dive, ids in charts.items():
        if dive is not None:
            open_dive(page, dive)
        for chart in ids:
            assert page.get_attribute(f"#{chart}", "role") == "figure", chart
            assert page.get_attribute(f"#{chart}", "aria-label"), chart
            described = page.get_attribute(f"#{chart}", "aria-describedby")
            says = "id => /\\b8\\b/.test(document.getElementById(id).textContent)"
            page.wait_for_function(says, arg=described)
    belt = page.inner_text("#belt-summary")
    assert belt.startswith("Step 8 of 39")
    assert f"Unit 0: c_t−1 {float(trace.c_prev[8, 0]):.3f}" in belt
    timeline = page.inner_text("#timeline-summary")
    assert f"unit 1 {float(trace.c[8, 1]):.4f}" in timeline


def test_the_numbers_dive_lists_every_quantity_of_every_unit(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    assert page.is_hidden("#dive-numbers") and page.is_hidden("#readout")
    open_dive(page, "numbers")
    go_to_step(page, 12)
    assert_numbers_match(page, engine_trace(), 12)
    rows = page.evaluate(ROWS_JS)
    assert rows["shown"] == rows["module"], "the rows are TABLE_QUANTITIES of views/readout.js, in order"
    assert sorted(rows["shown"]) == sorted(TABLE_QUANTITIES)

    # After an edit the dive shows the edited run; and it is part of the link.
    revision = body_data(page, "revision")
    page.locator("input.input-slider[data-j='0']").fill("0.6")
    wait_for_new_revision(page, revision)
    assert_numbers_match(page, engine_trace(edit=(12, 0, 0.6)), 12)
    page.wait_for_selector("body[data-link='saved']")
    assert decode_link(page.url)["dive"] == "numbers"

    # Drawn only while open, it is up to date again once reopened.
    open_dive(page, "gates")
    go_to_step(page, 20)
    open_dive(page, "numbers")
    assert_numbers_match(page, engine_trace(edit=(12, 0, 0.6)), 20)

    # Another scenario: another number of units.
    revision = body_data(page, "revision")
    page.select_option("#scenario", "random-init")
    wait_for_new_revision(page, revision)
    go_to_step(page, 3)
    assert_numbers_match(page, engine_trace("random-init"), 3)


# --- Korean --------------------------------------------------------------------------------------------


def test_korean_says_the_scenario_the_charts_and_the_servers_errors(page: Any, server_url: str) -> None:
    ko = locale("ko")
    sent = record_sent_messages(page)
    open_page(page, server_url)
    switch_language(page, "ko")

    text = ko["scenarios"]["hold-and-release"]
    titled = "title => document.getElementById('scenario-title').textContent === title"
    page.wait_for_function(titled, arg=text["title"])
    assert page.text_content("#scenario-description") == text["description"]  # in a closed <details>
    assert page.inner_text("#scenario-prompt") == text["prompt"]
    listed = "n => document.querySelectorAll('#scenario option').length === n"
    page.wait_for_function(listed, arg=len(SCENARIOS))
    menu = page.eval_on_selector_all("#scenario option", "os => os.map((o) => o.text)")
    assert sorted(menu) == sorted(ko["scenarios"][name]["title"] for name in SCENARIOS)
    page.wait_for_selector("body[data-link='saved']")
    assert decode_link(page.url)["lang"] == "ko"

    # The belt's headers, the belt over time's key and axis, the charts' titles, legends and
    # toolbars speak Korean (from ko.js).
    catalogue = page.evaluate("async () => (await import('/static/js/i18n/ko.js')).default")
    belt = page.eval_on_selector_all("#belt .view-label", "ls => ls.map((l) => l.textContent)")
    for header in ("headForget", "headInput", "headOutput"):
        assert plain(catalogue["belt"][header]) in belt, header
    assert plain(catalogue["timeline"]["kept"]) in page.text_content("#timeline-key")
    with page.expect_download() as download:
        page.click("#timeline-tools button[data-export='svg']")
    words = " ".join(ElementTree.fromstring(download.value.path().read_text()).itertext())
    assert catalogue["charts"]["step"] == "스텝 t" and "스텝 t" in words, words
    assert "유닛 0" in words, words
    # The picture is the page's own: nothing goes to the server, so no error can follow it.
    assert [message for message in sent if message["type"] == "export"] == []
    open_dive(page, "gates")
    gates = page.evaluate("() => document.getElementById('gates').layout.yaxis.title.text")
    assert gates == catalogue["gates"]["f"] == "f · 망각"
    open_dive(page, "gradients")
    gradients = page.evaluate(LAYOUT_JS, "gradients")
    assert gradients["y"] == catalogue["gradients"]["yAll"]
    assert gradients["x"] == catalogue["charts"]["step"]
    page.hover("#gradients")
    titles = page.eval_on_selector_all("#gradients .modebar-btn", "bs => bs.map((b) => b.dataset.title)")
    assert "그래프를 PNG로 내려받기" in titles and "그래프를 SVG로 내려받기" in titles
    for heading in ("belt", "deck", "lab", "dives", "inputs", "readout", "timeline", "files", "gen"):
        assert HANGUL.search(page.text_content(f"#{heading}-heading") or ""), heading
    for tab in [f"dive-tab-{dive}" for dive in DIVES] + [f"lab-tab-{name}" for name in LAB_TABS]:
        assert HANGUL.search(page.inner_text(f"#{tab}")), tab

    # A generator the server refuses: its error in Korean, from the code and params it sent.
    open_dive(page, "files")
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
    # (64 KiB: the opening scenario's three units still fit a frame, so the page keeps asking for all.)
    smaller = "async () => { (await import('/static/js/state.js')).state.limits.max_message_bytes = 65536; }"
    page.evaluate(smaller)
    rows = "\n".join(f"{t * 0.001:.3f},{-t * 0.002:.3f}" for t in range(6000)).encode()
    page.set_input_files("#upload-inputs", {"name": "many.csv", "mimeType": "text/csv", "buffer": rows})
    page.wait_for_function("document.getElementById('status').textContent.includes('many.csv')")
    assert "are more than one message may carry" in page.inner_text("#status")
