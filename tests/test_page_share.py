"""Shared links, files in and out, and reconnecting, in headless Chromium.

The page's URL fragment is its state (static/js/link.js): "#s=" + base64url(deflate-raw(JSON))
or "#j=" + base64url(JSON). These tests decode it in Python, open it in fresh browser contexts,
and hold what the page then shows to an independent run of the engine. On the workbench the
numbers are read from the numbers dive and the files are imported and exported in the files dive
(a closed dive is hidden and not drawn, so each test opens the one it reads); links made before
the deep dives ({"table": true}) still open, with the numbers dive open.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import struct
import xml.etree.ElementTree as ElementTree
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine.knobs import Knobs, lstm_weights
from app.engine.lstm import LSTMWeights, Trace, run
from app.scenarios import get_scenario
from tests.helpers import open_dive, open_lab, record_sent_messages, require_torch
from tests.test_page import (
    TOLERANCE,
    assert_readout_matches,
    body_data,
    go_to_step,
    open_page,
    wait_for_new_revision,
    wait_for_step,
)
from tests.test_page_gradients import change, load

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KNOB_NAMES = ("bias_i", "bias_f", "bias_g", "bias_o", "weight_scale", "rnn_scale", "target")
# The browser's own log line for a refused upload (a 4xx answer to fetch); nothing the page can silence.
REFUSED_UPLOAD = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d\b")
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""
READOUT_JS = """() => Object.fromEntries([...document.querySelectorAll('#readout td')]
    .map((td) => [`${td.dataset.q}:${td.dataset.unit ?? td.dataset.j}`, td.textContent]))"""
# Records every text the status line shows from now on (window.__said).
RECORD_STATUS_JS = """() => {
    const status = document.getElementById('status');
    window.__said = [];
    new MutationObserver(() => window.__said.push(status.textContent))
        .observe(status, { childList: true, characterData: true, subtree: true });
}"""
NO_CLIPBOARD = "Object.defineProperty(navigator, 'clipboard', {value: undefined})"


# --- links in Python -----------------------------------------------------------------------------


def decode_link(url: str) -> dict[str, Any]:
    """The state a page URL holds ({} for a URL without one)."""
    fragment = url.partition("#")[2]
    if not fragment:
        return {}
    kind, _, data = fragment.partition("=")
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    state: dict[str, Any] = json.loads(zlib.decompress(raw, -15) if kind == "s" else raw)
    return state


def deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def encode_link(state: dict[str, Any]) -> str:
    return "#s=" + b64url(deflate_raw(json.dumps(state).encode()))


def unpack_weights(packed: dict[str, Any]) -> dict[str, np.ndarray]:
    """A link's custom weights: little-endian floats, weight_ih, weight_hh, bias_ih, bias_hh."""
    hidden, inputs = packed["H"], packed["D"]
    dtype, data = ("<f4", packed["f32"]) if "f32" in packed else ("<f8", packed["f64"])
    values = np.frombuffer(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)), dtype=dtype)
    sizes = {"weight_ih": (4 * hidden, inputs), "weight_hh": (4 * hidden, hidden), "bias_ih": (4 * hidden,)}
    sizes["bias_hh"] = (4 * hidden,)
    out, at = {}, 0
    for name, shape in sizes.items():
        count = int(np.prod(shape))
        out[name] = values[at : at + count].astype(np.float64).reshape(shape)
        at += count
    assert at == values.size
    return out


def knobs_of(state: dict[str, Any], hidden: int) -> Knobs:
    """The knobs and clamps a link stands for (defaults where it leaves one out)."""
    knobs = Knobs(**{name: state[name] for name in KNOB_NAMES if name in state})
    for gate, values in state.get("clamps", {}).items():
        for unit, value in enumerate(values):
            knobs = knobs.with_clamp(gate, unit, value, hidden)
    return knobs


def engine_trace(state: dict[str, Any]) -> Trace:
    """An independent run of what a preset link describes."""
    scenario = get_scenario(state.get("scenario", "hold-and-release"))
    hidden = scenario.h0.shape[0]
    knobs = knobs_of(state, hidden)
    x = np.asarray(state["x"], dtype=np.float64) if "x" in state else scenario.x
    h0 = np.asarray(state["h0"], dtype=np.float64) if "h0" in state else scenario.h0
    c0 = np.asarray(state["c0"], dtype=np.float64) if "c0" in state else scenario.c0
    return run(lstm_weights(scenario.weights, knobs), x, h0, c0, knobs.clamp_array())


# --- files in Python -----------------------------------------------------------------------------


def random_layer(rng: np.random.Generator, hidden: int, inputs: int, dtype: Any = np.float32) -> LSTMWeights:
    def draw(*shape: int) -> np.ndarray:
        values: np.ndarray = rng.uniform(-1.0, 1.0, size=shape).astype(dtype).astype(np.float64)
        return values

    return LSTMWeights(
        weight_ih=draw(4 * hidden, inputs),
        weight_hh=draw(4 * hidden, hidden),
        bias_ih=draw(4 * hidden),
        bias_hh=draw(4 * hidden),
    )


def npz_file(layers: list[LSTMWeights], dtype: Any = np.float32) -> bytes:
    """Stacked layers in PyTorch naming (lstm.weight_ih_l0, …), as np.savez writes them."""
    arrays = {
        f"lstm.{name}_l{k}": getattr(layer, name).astype(dtype)
        for k, layer in enumerate(layers)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def csv_file(x: np.ndarray, header: list[str] | None = None) -> bytes:
    lines = [",".join(header)] if header else []
    lines += [",".join(repr(float(v)) for v in row) for row in x]
    return ("\n".join(lines) + "\n").encode()


def upload(page: Any, selector: str, name: str, data: bytes) -> None:
    page.set_input_files(
        selector, files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}]
    )


# --- pages ---------------------------------------------------------------------------------------


class Pages:
    """Fresh pages, each in a browser context of its own (a new visitor: nothing shared), that
    record console errors, page errors and failed requests; asserted empty at teardown."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.problems: list[str] = []

    def new(self, *, strict: bool = False, refusals: bool = False, init_script: str | None = None) -> Any:
        """strict: under the app's real CSP (no wait_for_function then), recording violations;
        refusals: the browser's log line for a refused upload is expected, not a problem."""
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=not strict)
        if strict:
            context.add_init_script(RECORD_VIOLATIONS)
        if init_script:
            context.add_init_script(init_script)
        self.contexts.append(context)
        page = context.new_page()

        def console(message: Any) -> None:
            if message.type == "error" and not (refusals and REFUSED_UPLOAD.match(message.text)):
                self.problems.append(f"console.error: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"requestfailed: {r.url}"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Any) -> Iterator[Pages]:
    made = Pages(browser)
    yield made
    made.close()
    assert not made.problems, "a page reported problems:\n" + "\n".join(made.problems)


def settled_link(page: Any) -> dict[str, Any]:
    """The state in the page's URL once it has caught up with the latest change."""
    page.wait_for_selector("body[data-link='saved']")
    return decode_link(page.url)


def open_link(page: Any, url: str) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']")
    return settled_link(page)


def shown_numbers(page: Any) -> dict[str, str]:
    """Every number of the readout, as text, by quantity and unit (or input)."""
    numbers: dict[str, str] = page.evaluate(READOUT_JS)
    return numbers


def edit_everything(page: Any) -> None:
    """Change one of each: an input, the initial state, knobs, a clamp, the step and the views,
    each in its tab; the numbers dive is left open (the tests read its numbers)."""
    go_to_step(page, 3)
    change(page, lambda: page.locator("input.input-slider[data-j='0']").fill("1.25"))
    open_lab(page, "state")
    change(page, lambda: page.locator("#state-h0-0").fill("0.5"))
    open_lab(page, "knobs")
    change(page, lambda: page.locator("#knob-bias_f").fill("-1.5"))
    change(page, lambda: page.locator("#knob-weight_scale").fill("0.8"))
    open_lab(page, "clamps")
    page.select_option("#clamp-o-unit", "1")
    change(page, lambda: page.locator("#clamp-o-value").fill("0.25"))  # moving it forces unit 1's o
    assert page.is_checked("#clamp-o-on")
    go_to_step(page, 12)
    page.click("#walk-next")
    page.click("#walk-next")
    page.wait_for_selector("body[data-walk='input']")
    page.select_option("#eq-unit", "2")  # in the equations dive, open by default
    open_dive(page, "gradients")
    page.select_option("#unit-select", "1")
    page.locator("#speed").fill("2")
    open_dive(page, "numbers")


EDITED = {
    "h0": [0.5, 0, 0],
    "bias_f": -1.5,
    "weight_scale": 0.8,
    "clamps": {"o": [None, 0.25, None]},
    "t": 12,
    "walk": 2,
    "eq_unit": 2,
    "unit": 1,
    "speed": 2,
    "dive": "numbers",
}


# --- sharing by URL ------------------------------------------------------------------------------


def test_a_link_opened_in_a_fresh_page_comes_back_unchanged(pages: Pages, server_url: str) -> None:
    first = pages.new()
    open_page(first, server_url)
    edit_everything(first)
    state = settled_link(first)
    assert state["v"] == 1
    assert {key: state[key] for key in EDITED} == EDITED
    assert state["x"][3] == [1.25, 0] and "scenario" not in state  # the default scenario is left out

    second = pages.new()
    again = open_link(second, first.url)
    assert again == state
    assert body_data(second, "step") == "12" and body_data(second, "walk") == "input"
    assert second.input_value("#eq-unit") == "2" and second.input_value("#unit-select") == "1"
    assert second.get_attribute("#dive-tab-numbers", "aria-selected") == "true"
    assert second.is_visible("#readout") and second.is_hidden("#dive-equations")
    assert (
        second.input_value("#speed") == "2" and second.is_checked("#clamp-o-on") is False
    )  # "all units" shown
    open_lab(second, "clamps")
    second.select_option("#clamp-o-unit", "1")
    assert second.is_checked("#clamp-o-on")


def test_a_shared_link_shows_the_same_step_and_the_engines_numbers(pages: Pages, server_url: str) -> None:
    teacher = pages.new()
    open_page(teacher, server_url)
    edit_everything(teacher)
    state = settled_link(teacher)
    numbers = shown_numbers(teacher)

    student = pages.new()
    open_link(student, teacher.url)
    wait_for_step(student, 12)
    assert shown_numbers(student) == numbers
    assert_readout_matches(student, engine_trace(state), 12)
    assert student.inner_text("#step-label") == "t = 12 / 39"


def test_a_link_to_another_scenario_opens_it_at_its_step(page: Any, server_url: str) -> None:
    state = {"v": 1, "scenario": "long-memory", "bias_i": 0.5, "target": 1, "t": 30, "c0": [0.25, -0.75]}
    shown = open_link(page, server_url + "/" + encode_link(state))
    wait_for_step(page, 30)
    assert shown == state
    assert (
        page.inner_text("#scenario-title") == "Long memory" and page.input_value("#scenario") == "long-memory"
    )
    assert page.input_value("#knob-target") == "1"
    open_dive(page, "numbers")
    assert_readout_matches(page, engine_trace(state), 30)


def test_a_link_pasted_into_an_open_page_opens_there(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    state = {"v": 1, "scenario": "forgetful", "t": 5, "dive": "numbers"}
    revision = body_data(page, "revision")
    page.evaluate("hash => { window.location.hash = hash; }", encode_link(state))
    wait_for_new_revision(page, revision)  # the restore's answer is drawn (with the link's view)
    wait_for_step(page, 5)
    page.wait_for_function("document.getElementById('scenario-title').textContent === 'Forgetful'")
    page.wait_for_selector("#dive-numbers", state="visible")
    assert_readout_matches(page, engine_trace(state), 5)
    assert settled_link(page) == state


def test_a_link_made_before_the_redesign_opens_its_step_its_knobs_and_the_numbers(
    page: Any, server_url: str
) -> None:
    """Links written while the page had a numbers table ({"table": true}) and no deep dives still
    open: at their step, with their knobs and clamps, and the numbers dive in place of the table."""
    old = {
        "v": 1,
        "scenario": "long-memory",
        "t": 17,
        "table": True,
        "bias_f": -1.0,
        "weight_scale": 0.9,
        "target": 1,
        "clamps": {"i": [None, 0.5]},
    }
    # Built as the page built links then: deflate-raw JSON, base64url, after "#s=".
    url = server_url + "/#s=" + b64url(deflate_raw(json.dumps(old).encode()))
    page.goto(url)
    page.wait_for_selector("body[data-ready='true'][data-step='17']")
    assert page.inner_text("#scenario-title") == "Long memory"
    assert page.input_value("#knob-bias_f") == "-1" and page.input_value("#knob-weight_scale") == "0.9"
    assert page.input_value("#knob-target") == "1"
    assert page.inner_text(".clamp-state[data-gate='i']") == "unit 1 0.50"
    assert page.get_attribute("#dive-tab-numbers", "aria-selected") == "true"
    page.wait_for_selector("#readout td[data-q='c'][data-unit='1']")
    assert page.is_visible("#readout") and page.is_hidden("#dive-equations")
    assert_readout_matches(page, engine_trace(old), 17)
    # The page writes the link anew in today's words: the numbers dive by name.
    assert settled_link(page) == {key: value for key, value in old.items() if key != "table"} | {
        "dive": "numbers"
    }


def test_a_scenario_opens_at_its_own_step_and_a_link_without_a_step_at_step_0(
    pages: Pages, server_url: str
) -> None:
    page = pages.new()
    first = get_scenario("hold-and-release")
    open_page(page, server_url)
    wait_for_step(page, first.open_step)
    assert first.open_step > 0 and page.inner_text("#scenario-prompt") == first.prompt
    for name in ("latch", "forgetful"):
        load(page, name)
        wait_for_step(page, get_scenario(name).open_step)
        assert page.inner_text("#scenario-prompt") == get_scenario(name).prompt
    go_to_step(page, 20)
    change(page, lambda: page.click("#reset"))
    wait_for_step(page, get_scenario("forgetful").open_step)
    assert settled_link(page) == {"v": 1, "scenario": "forgetful", "t": get_scenario("forgetful").open_step}

    # A link that names no step opens at t = 0, as links did before scenarios had a step of their own.
    state = {"v": 1, "scenario": "latch", "bias_o": 0.5}
    assert get_scenario("latch").open_step > 0
    again = pages.new()
    assert open_link(again, server_url + "/" + encode_link(state)) == state
    last = get_scenario("latch").x.shape[0] - 1
    assert body_data(again, "step") == "0" and again.inner_text("#step-label") == f"t = 0 / {last}"
    # …and a link with a step opens there.
    there = pages.new()
    assert open_link(there, server_url + "/" + encode_link(state | {"t": 9})) == state | {"t": 9}
    assert body_data(there, "step") == "9"


def bad_link(text: str) -> str:
    return "#j=" + b64url(text.encode())


DAMAGED = "#s=" + b64url(deflate_raw(json.dumps({"v": 1, "t": 4, "bias_f": 2.0}).encode())[:-3])
MALFORMED = {
    "bad-base64": ("#s=not*base64!", "not valid base64url"),
    "damaged-deflate": (DAMAGED, "compressed data is damaged"),
    "not-json": (bad_link('{"v": 1, "t": '), "not valid JSON"),
    "not-an-object": (bad_link("[1, 2, 3]"), "does not hold a JSON object"),
    "another-version": (bad_link('{"v": 7}'), "another version of the page (v = 7)"),
    "wrong-type": (bad_link('{"v": 1, "t": "five"}'), "t must be a whole number"),
    "wrong-type-knob": (bad_link('{"v": 1, "bias_f": "wide open"}'), "bias_f must be a finite number"),
    "unknown-key": (bad_link('{"v": 1, "colour": "red"}'), "unknown key colour"),
    "short-weights": (bad_link('{"v": 1, "weights": {"H": 2, "D": 1, "f32": "AAAA"}}'), "weights must be"),
    "unknown-scenario": (bad_link('{"v": 1, "scenario": "nope"}'), "scenario: unknown scenario"),
    "inputs-too-wide": (bad_link('{"v": 1, "x": [[1, 2, 3]]}'), "x: x must be a non-empty list of rows of 2"),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_link_is_named_and_the_default_scenario_shown(
    page: Any, server_url: str, kind: str
) -> None:
    fragment, reason = MALFORMED[kind]
    scenario = get_scenario("hold-and-release")
    page.goto(server_url + "/" + fragment)
    page.wait_for_selector("body[data-ready='true']")
    status = page.inner_text("#status")
    assert "This link could not be opened" in status and reason in status, status
    assert "showing the default scenario" in status
    # The default scenario as a page opened without a link shows it: at the scenario's own step.
    assert page.inner_text("#scenario-title") == "Hold and release"
    assert body_data(page, "step") == str(scenario.open_step)
    # The bad link is gone; the address holds the state shown.
    assert settled_link(page) == {"v": 1, "t": scenario.open_step}
    open_dive(page, "numbers")
    default = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    assert_readout_matches(page, default, scenario.open_step)
    assert "This link could not be opened" in page.inner_text("#status")  # and still explained


def test_the_problem_with_a_link_stays_until_the_user_changes_something(page: Any, server_url: str) -> None:
    page.goto(server_url + "/" + bad_link('{"v": 1, "t": -1}'))
    page.wait_for_selector("body[data-ready='true']")
    assert "t must be a whole number ≥ 0" in page.inner_text("#status")
    change(page, lambda: page.locator("#knob-bias_f").fill("1"))
    assert page.inner_text("#status") == "Connected"


# --- the share control -----------------------------------------------------------------------------


def test_copy_link_puts_the_url_on_the_clipboard(pages: Pages, server_url: str) -> None:
    page = pages.new()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_page(page, server_url)
    go_to_step(page, 7)
    settled_link(page)
    page.click("#share")
    page.wait_for_function("document.getElementById('share-done').textContent === 'Link copied'")
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    assert decode_link(page.url) == {"v": 1, "t": 7}


def test_without_a_clipboard_the_link_is_shown_selected(pages: Pages, server_url: str) -> None:
    page = pages.new(init_script=NO_CLIPBOARD)
    open_page(page, server_url)
    go_to_step(page, 4)
    settled_link(page)
    page.click("#share")
    assert page.is_visible("#share-url") and page.input_value("#share-url") == page.url
    selected = page.evaluate(
        "(() => { const f = document.activeElement; return [f.id, f.selectionStart, f.selectionEnd]; })()"
    )
    assert selected == ["share-url", 0, len(page.url)]


def test_a_model_too_large_for_a_link_says_so_and_offers_its_file(
    pages: Pages, server_url: str, client: TestClient
) -> None:
    page = pages.new()
    open_page(page, server_url)
    layer = random_layer(np.random.default_rng(5), hidden=40, inputs=10, dtype=np.float64)
    upload(page, "#upload-weights", "big.npz", npz_file([layer], dtype=np.float64))
    page.wait_for_selector("body[data-link='too-large']")
    assert page.url == server_url + "/"  # no link standing for another state
    assert page.is_disabled("#share")
    note = page.inner_text("#share-note")
    assert "Too large for a link" in note and "8,320 parameters" in note and "input sequence" not in note
    with page.expect_download() as download:
        page.click("#share-export-weights")
    data = download.value.path().read_bytes()
    answer = client.post("/api/weights", files={"file": (download.value.suggested_filename, data)}).json()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        assert np.array_equal(np.asarray(answer["weights"][name]), getattr(layer, name)), name


# --- importing ---------------------------------------------------------------------------------------


def test_an_uploaded_layer_goes_on_the_belt_and_into_the_link(pages: Pages, server_url: str) -> None:
    page = pages.new()
    open_page(page, server_url)
    open_dive(page, "files")
    layer = random_layer(np.random.default_rng(1), hidden=3, inputs=2)
    upload(page, "#upload-weights", "mine.npz", npz_file([layer]))
    page.wait_for_function("document.getElementById('scenario-title').textContent === 'mine.npz · lstm.l0'")
    assert page.is_visible("#files-note") and page.is_hidden("#layer-pick")  # one layer: nothing to choose
    x = np.random.default_rng(2).uniform(-1.5, 1.5, size=(15, 2))
    revision = body_data(page, "revision")
    upload(page, "#upload-inputs", "x.csv", csv_file(x, header=["a", "b"]))
    wait_for_new_revision(page, revision)
    go_to_step(page, 9)
    open_dive(page, "numbers")
    assert_readout_matches(page, run(layer, x), 9)

    state = settled_link(page)
    assert state["title"] == "mine.npz · lstm.l0" and "f32" in state["weights"]
    for name, values in unpack_weights(state["weights"]).items():
        assert np.array_equal(values, getattr(layer, name)), name
    again = pages.new()
    open_link(again, page.url)
    wait_for_step(again, 9)
    assert again.inner_text("#scenario-title") == "mine.npz · lstm.l0"
    assert again.is_visible("#readout")  # the link names the open dive
    assert_readout_matches(again, run(layer, np.asarray(state["x"])), 9)


def test_a_two_layer_file_runs_as_a_stack_and_each_layer_has_its_numbers(page: Any, server_url: str) -> None:
    rng = np.random.default_rng(3)
    first, second = random_layer(rng, hidden=3, inputs=2), random_layer(rng, hidden=3, inputs=3)
    open_page(page, server_url)
    open_dive(page, "files")
    upload(page, "#upload-weights", "stack.npz", npz_file([first, second]))
    page.wait_for_function("document.getElementById('scenario-title').textContent === 'stack.npz'")
    options = page.eval_on_selector_all("#stack-layer option", "options => options.map((o) => o.value)")
    assert page.is_visible("#stack-layer") and options == ["0:f", "1:f"]
    assert page.is_hidden("#layer-pick")  # no one-layer-at-a-time choice for a stack
    go_to_step(page, 4)
    open_dive(page, "numbers")
    below = run(first, np.zeros((40, 2)))
    assert_readout_matches(page, below, 4)
    before = shown_numbers(page)

    revision = page.evaluate("document.body.dataset.revision")
    page.select_option("#stack-layer", "1:f")
    page.wait_for_function("old => document.body.dataset.revision !== old", arg=revision)
    go_to_step(page, 4)
    assert_readout_matches(page, run(second, below.h), 4)  # layer 1 reads layer 0's h
    assert shown_numbers(page) != before
    assert page.input_value("#stack-layer") == "1:f"


def test_a_torch_lstm_saved_with_safetensors_goes_on_the_belt(page: Any, server_url: str) -> None:
    require_torch()
    import torch
    from safetensors.torch import save

    torch.manual_seed(0)
    model = torch.nn.LSTM(input_size=2, hidden_size=4)
    data = save({name: tensor.detach().contiguous() for name, tensor in model.state_dict().items()})
    layer = LSTMWeights(
        **{
            name: model.state_dict()[f"{name}_l0"].double().numpy()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        }
    )
    open_page(page, server_url)
    upload(page, "#upload-weights", "torch.safetensors", data)
    page.wait_for_function(
        "document.getElementById('scenario-title').textContent === 'torch.safetensors · l0'"
    )
    x = np.random.default_rng(4).uniform(-1, 1, size=(20, 2))
    revision = body_data(page, "revision")
    upload(page, "#upload-inputs", "x.csv", csv_file(x))
    wait_for_new_revision(page, revision)
    go_to_step(page, 13)
    open_dive(page, "numbers")
    trace = run(layer, x)
    assert_readout_matches(page, trace, 13)
    with torch.no_grad():
        h, _ = model(torch.from_numpy(x).float())
    assert np.allclose(trace.h, h.double().numpy(), atol=1e-5)


def test_a_refused_weights_file_shows_its_detail_and_changes_nothing(
    pages: Pages, server_url: str, client: TestClient
) -> None:
    page = pages.new(refusals=True)
    open_page(page, server_url)
    go_to_step(page, 6)
    open_dive(page, "numbers")
    numbers, revision = shown_numbers(page), body_data(page, "revision")
    broken = b"PK\x03\x04 this is not really a zip archive"
    detail = client.post("/api/weights", files={"file": ("broken.npz", broken)}).json()["detail"]
    upload(page, "#upload-weights", "broken.npz", broken)
    page.wait_for_function("document.getElementById('status').textContent.includes('broken.npz')")
    assert f"Error in broken.npz: {detail}" in page.inner_text("#status")
    assert shown_numbers(page) == numbers and body_data(page, "revision") == revision
    assert page.inner_text("#scenario-title") == "Hold and release"


def test_an_inputs_csv_sets_x(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    x = np.random.default_rng(6).uniform(-2, 2, size=(12, 2)).round(3)
    open_page(page, server_url)
    go_to_step(page, 0)
    open_dive(page, "files")
    change(
        page, lambda: upload(page, "#upload-inputs", "walk.csv", csv_file(x, header=["signal", "release"]))
    )
    assert page.inner_text("#step-label") == "t = 0 / 11"
    assert page.is_visible("#files-note")
    assert "walk.csv: 12 steps × 2 inputs" in page.inner_text("#files-note")
    go_to_step(page, 7)
    open_dive(page, "numbers")
    assert_readout_matches(page, run(scenario.weights, x, scenario.h0, scenario.c0), 7)
    assert settled_link(page)["x"] == x.tolist()


def test_inputs_of_another_width_are_refused_naming_both(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    open_dive(page, "numbers")
    numbers, revision = shown_numbers(page), body_data(page, "revision")
    upload(page, "#upload-inputs", "wide.csv", csv_file(np.ones((5, 3))))
    page.wait_for_function("document.getElementById('status').textContent.includes('wide.csv')")
    assert "wide.csv has D=3 values per step, but this model takes D=2" in page.inner_text("#status")
    assert shown_numbers(page) == numbers and body_data(page, "revision") == revision


# --- exporting ---------------------------------------------------------------------------------------


def test_the_exported_trace_csv_holds_the_numbers_on_screen(page: Any, server_url: str) -> None:
    open_page(page, server_url)
    change(page, lambda: page.locator("#knob-bias_f").fill("1"))
    go_to_step(page, 8)
    open_dive(page, "files")
    with page.expect_download() as download:
        page.click("#export-trace-csv")
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    at_step = [row for row in rows if row["step"] == "8"]
    assert len(rows) == 40 * 3 and [row["unit"] for row in at_step] == ["0", "1", "2"]
    open_dive(page, "numbers")
    shown = shown_numbers(page)
    for row in at_step:
        for quantity in ("c_prev", "f", "kept", "forgotten", "i", "g", "added", "c", "tanh_c", "o", "h"):
            assert float(row[quantity]) == pytest.approx(
                float(shown[f"{quantity}:{row['unit']}"]), abs=TOLERANCE
            )
        for j in range(2):
            assert float(row[f"x{j}"]) == pytest.approx(float(shown[f"x:{j}"]), abs=TOLERANCE)


def test_the_exported_trace_json_is_the_trace(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    open_page(page, server_url)
    open_dive(page, "files")
    with page.expect_download() as download:
        page.click("#export-trace-json")
    exported = json.loads(download.value.path().read_text())
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    for quantity in ("x", "c", "h", "f"):
        assert np.allclose(exported[quantity], getattr(trace, quantity), atol=1e-12), quantity


@pytest.mark.parametrize("kind", ["npz", "safetensors"])
def test_exported_weights_reimport_to_the_knob_adjusted_weights(
    page: Any, server_url: str, client: TestClient, kind: str
) -> None:
    open_page(page, server_url)
    change(page, lambda: page.locator("#knob-bias_f").fill("1.5"))
    change(page, lambda: page.locator("#knob-weight_scale").fill("0.5"))
    open_dive(page, "files")
    with page.expect_download() as download:
        page.click(f"#export-weights-{kind}")
    assert download.value.suggested_filename.endswith(f".{kind}")
    data = download.value.path().read_bytes()
    answer = client.post("/api/weights", files={"file": (download.value.suggested_filename, data)})
    assert answer.status_code == 200, answer.text
    expected = lstm_weights(get_scenario("hold-and-release").weights, Knobs(bias_f=1.5, weight_scale=0.5))
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        assert np.allclose(answer.json()["weights"][name], getattr(expected, name), rtol=0, atol=1e-12), name


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG file, from its IHDR chunk (which must come first)."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", data[:16]
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_words(text: str) -> list[str]:
    """The text of an SVG document's <text> elements, split at white space."""
    root = ElementTree.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
    return " ".join(root.itertext()).split()


def download(page: Any, selector: str) -> tuple[str, bytes]:
    """Click what saves a file; its suggested name and its bytes."""
    with page.expect_download() as saved:
        page.click(selector)
    return saved.value.suggested_filename, saved.value.path().read_bytes()


# The Plotly charts, each in its deep dive.
PLOTLY_CHARTS = {"activations": "equations", "gradients": "gradients", "race": "gradients", "gates": "gates"}
CHART_SIZE_JS = (
    "id => [document.getElementById(id)._fullLayout.width, document.getElementById(id)._fullLayout.height]"
)


@pytest.mark.parametrize("chart", PLOTLY_CHARTS)
def test_each_chart_saves_a_png_or_an_svg_and_offers_no_cloud(page: Any, server_url: str, chart: str) -> None:
    open_page(page, server_url)
    open_dive(page, PLOTLY_CHARTS[chart])
    page.hover(f"#{chart}")
    titles = page.eval_on_selector_all(f"#{chart} .modebar-btn", "bs => bs.map((b) => b.dataset.title)")
    assert "Download plot as a PNG" in titles and "Download plot as an SVG" in titles, (chart, titles)
    assert not any("Share" in title for title in titles)
    name, data = download(page, f"#{chart} .modebar-btn[data-title='Download plot as an SVG']")
    assert name == f"{chart}.svg"
    assert data.decode().startswith("<svg")
    name, data = download(page, f"#{chart} .modebar-btn[data-title='Download plot as a PNG']")
    width, height = page.evaluate(CHART_SIZE_JS, chart)  # CSS px, maybe fractional
    saved = png_size(data)
    assert name.endswith(".png") and abs(saved[0] - 2 * width) <= 1 and abs(saved[1] - 2 * height) <= 1, saved


# The belt's labels with a number: quantity, unit and text.
BELT_LABELS_JS = """() => [...document.querySelectorAll('#belt .view-label[data-q]')]
    .filter((label) => !label.hidden)
    .map((label) => [label.dataset.q, Number(label.dataset.unit), label.textContent])"""
CANVAS_SIZE_JS = """id => { const canvas = document.querySelector(`#${id} .canvas-stage canvas`);
    return [parseFloat(canvas.style.width), parseFloat(canvas.style.height)]; }"""


def number(text: str) -> float:
    """The number a label ends in (the page writes a minus as U+2212)."""
    return float(text.split()[-1].replace("\u2212", "-"))


def assert_nothing_was_sent_to_export(sent: list[dict[str, Any]]) -> None:
    """A canvas view saves what it drew by itself: no export message goes to the server (which
    exports only the trace and the weights, and would refuse a "png" or an "svg")."""
    exports = [message for message in sent if message["type"] == "export"]
    assert not exports, exports


def test_the_belt_saves_a_png_of_its_size_and_an_svg_with_its_numbers(page: Any, server_url: str) -> None:
    scenario = get_scenario("hold-and-release")
    trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    sent = record_sent_messages(page)
    open_page(page, server_url)
    go_to_step(page, 8)
    width, height = page.evaluate(CANVAS_SIZE_JS, "belt")
    name, data = download(page, "#belt-tools button[data-export='png']")
    assert name == "belt.png" and png_size(data) == (round(2 * width), round(2 * height))

    name, data = download(page, "#belt-tools button[data-export='svg']")
    assert name == "belt.svg"
    root = ElementTree.fromstring(data)
    assert (float(root.get("width", 0)), float(root.get("height", 0))) == (width, height)
    words = svg_words(data.decode())
    labels = page.evaluate(BELT_LABELS_JS)
    assert {q for q, _, _ in labels} >= {"c_prev", "f", "kept", "i", "g", "added", "c", "o", "tanh_c", "h"}
    assert {unit for _, unit, _ in labels} == {0, 1, 2}
    for q, unit, text in labels:
        token = text.split()[-1]
        assert token in words, (q, unit, text)  # the SVG says what the belt shows…
        if hasattr(trace, q):  # …and that is the engine's number, to the 3 decimals shown
            assert number(text) == pytest.approx(float(getattr(trace, q)[8, unit]), abs=6e-4), (q, unit, text)
    assert_nothing_was_sent_to_export(sent)


def test_the_belt_over_time_saves_a_png_of_its_size_and_an_svg_of_its_lanes(
    page: Any, server_url: str
) -> None:
    sent = record_sent_messages(page)
    open_page(page, server_url)
    go_to_step(page, 8)
    width, height = page.evaluate(CANVAS_SIZE_JS, "timeline")
    name, data = download(page, "#timeline-tools button[data-export='png']")
    assert name == "belt-over-time.png" and png_size(data) == (round(2 * width), round(2 * height))

    name, data = download(page, "#timeline-tools button[data-export='svg']")
    assert name == "belt-over-time.svg"
    text = " ".join(svg_words(data.decode()))
    assert "t = 8" in text and "step t" in text, text
    for unit in range(3):
        assert f"unit {unit}" in text, text
    assert_nothing_was_sent_to_export(sent)


# --- reconnecting ------------------------------------------------------------------------------------


def test_the_page_reconnects_by_itself_and_keeps_what_was_set(page: Any, server_url: str) -> None:
    sockets: list[Any] = []

    def through(route: Any) -> None:  # every connection passes through, so the test can cut it
        route.connect_to_server()
        sockets.append(route)

    page.route_web_socket("**/ws?encoding=binary", through)  # the page asks for binary columns
    open_page(page, server_url)
    edit_everything(page)
    state = settled_link(page)
    numbers = shown_numbers(page)

    page.evaluate(RECORD_STATUS_JS)
    sockets[-1].close()  # as a server restart or a sleeping laptop would
    page.wait_for_selector("body[data-connection='closed']", state="attached")
    page.wait_for_selector("body[data-session='2']")  # drawn only once the new session is restored
    # What the status line said meanwhile (the first retry comes within a second, so reading it
    # after the fact could miss it).
    said: list[str] = page.evaluate("window.__said")
    assert any("Connection lost — retrying in" in text for text in said), said
    assert len(sockets) == 2 and page.inner_text("#status") == "Connected"
    assert body_data(page, "step") == "12" and body_data(page, "walk") == "input"
    assert page.get_attribute("#dive-tab-numbers", "aria-selected") == "true"
    assert shown_numbers(page) == numbers
    assert_readout_matches(page, engine_trace(state), 12)
    assert settled_link(page) == state
    # The new session is the one that holds the state: a change builds on it.
    open_lab(page, "knobs")
    change(page, lambda: page.locator("#knob-bias_i").fill("0.5"))
    assert_readout_matches(page, engine_trace(state | {"bias_i": 0.5}), 12)


# --- under the real Content-Security-Policy -------------------------------------------------------------


def test_links_files_and_exports_work_under_the_csp(pages: Pages, server_url: str) -> None:
    page = pages.new(strict=True)
    page.goto(server_url + "/" + encode_link({"v": 1, "scenario": "latch", "t": 3, "dive": "files"}))
    page.wait_for_selector("body[data-step='3']")
    page.wait_for_selector("#dive-files", state="visible")
    upload(page, "#upload-inputs", "x.csv", csv_file(np.zeros((6, 3))))
    page.wait_for_selector("#files-note:has-text('6 steps')")
    name, _ = download(page, "#export-weights-npz")
    assert name.endswith(".npz")
    name, data = download(page, "#belt-tools button[data-export='png']")
    assert name == "belt.png" and data.startswith(PNG_SIGNATURE)
    name, data = download(page, "#timeline-tools button[data-export='svg']")
    assert name == "belt-over-time.svg" and data.startswith(b"<svg")
    page.wait_for_selector("body[data-link='saved']")
    expected = {"v": 1, "scenario": "latch", "x": [[0, 0, 0]] * 6, "t": 3, "dive": "files"}
    assert decode_link(page.url) == expected
    assert page.evaluate("window.__violations") == []
