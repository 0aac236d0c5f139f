"""The guided lessons in headless Chromium, driven by the keyboard alone: every lesson is chosen
from the menu, each task is done with the keys (sliders, checkboxes, buttons, the step keys), and
the page must notice each one from the session's state and move on; in English and in Korean.

A prediction is revealed after the marker is moved by the keys; the value the page then shows,
and the numbers of its equation, are compared with an independent run of the engine on the
lesson's scenario (tests/test_engine_* check the engine against PyTorch). A task that has not been
done must not count: each lesson is also checked to stay at a task when the wrong move is made.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pytest

from app.engine.knobs import Knobs, lstm_weights
from app.engine.lstm import run
from app.scenarios import get_scenario
from tests.test_page import body_data

pytestmark = pytest.mark.browser

MINUS = "\u2212"
LESSONS = ("belt-holds", "forget-erases", "input-writes", "output-shows", "gradients-survive", "own-model")


def number(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def numbers_in(text: str) -> list[float]:
    return [number(n) for n in re.findall(rf"[{MINUS}-]?\d+\.\d+", text)]


def lesson_task(page: Any) -> tuple[str, int]:
    data = page.evaluate("({...document.getElementById('lesson').dataset})")
    return data.get("lesson", ""), int(data.get("task", "-1"))


def wait_for_task(page: Any, lesson: str, task: int) -> None:
    page.wait_for_function(
        "([lesson, task]) => { const bar = document.getElementById('lesson');"
        " return !bar.hidden && bar.dataset.lesson === lesson && bar.dataset.task === String(task); }",
        arg=[lesson, task],
    )


def press(page: Any, selector: str, *keys: str) -> None:
    """Focus one control and press keys on it, as someone tabbing to it would."""
    page.locator(selector).focus()
    for key in keys:
        page.keyboard.press(key)


def answered(page: Any, action: Any) -> None:
    """Do `action` (a change sent to the server) and wait until the page shows the answer: the next
    control then starts from the state the server holds, not from one still on its way."""
    revision = body_data(page, "shownRevision")
    action()
    page.wait_for_function("old => document.body.dataset.shownRevision !== old", arg=revision)


def choose_lesson(page: Any, lesson: str) -> None:
    """Pick a lesson in the menu with the arrow keys (a closed <select> changes on ↓)."""
    index = LESSONS.index(lesson) + 1  # option 0 is "just explore"
    page.locator("#lesson-menu").focus()
    while page.evaluate("document.getElementById('lesson-menu').selectedIndex") != index:
        current = page.evaluate("document.getElementById('lesson-menu').selectedIndex")
        page.keyboard.press("ArrowDown" if current < index else "ArrowUp")
    wait_for_task(page, lesson, 0)


def predict(page: Any, lesson: str, task: int, expected: float, gradients: bool = False) -> float:
    """Move the marker by the keys toward `expected` (not onto it: the score must count the gap),
    reveal with Enter, check the real value and the equation shown, and go on to the next task.
    No peeking: a step's value waits for the reveal, and so do the gradients (`gradients`)."""
    assert page.locator("#lesson-reveal").is_disabled(), "nothing to reveal before the marker moves"
    if gradients:
        assert page.locator("#gradients-veil").is_visible()
        style = "getComputedStyle(document.querySelector('.gradients-grid')).visibility"
        assert page.evaluate(style) == "hidden"
    else:
        before = body_data(page, "shownStep")
        page.locator("#belt").focus()  # the belt's figure: the step keys are the page's there
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(150)
        assert body_data(page, "shownStep") == before
    press(page, "#lesson-guess", "End")  # the far end: a poor guess, unless the value is there
    page.keyboard.press("Enter")
    page.wait_for_selector("#lesson-result:not([hidden])")
    page.wait_for_function("document.activeElement.id === 'lesson-next-task'")
    result = page.locator("#lesson-result").inner_text()
    guess, actual, gap = numbers_in(result)[:3]
    assert actual == pytest.approx(expected, abs=0.006), result
    assert gap == pytest.approx(abs(guess - actual), abs=0.011), result
    page.keyboard.press("Enter")  # on "Next task", where the reveal left the focus
    wait_for_task(page, lesson, task + 1)
    return actual


def own_layer() -> bytes:
    """An nn.LSTM layer with H=3, D=2 in PyTorch's names, as an .npz."""
    rng = np.random.default_rng(5)
    layer = {
        "weight_ih_l0": rng.uniform(-0.5, 0.5, (12, 2)),
        "weight_hh_l0": rng.uniform(-0.5, 0.5, (12, 3)),
        "bias_ih_l0": np.zeros(12),
        "bias_hh_l0": np.zeros(12),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **layer)  # type: ignore[arg-type]
    return buffer.getvalue()


def engine_trace(scenario: str) -> Any:
    s = get_scenario(scenario)
    return run(lstm_weights(s.weights, Knobs()), s.x, s.h0, s.c0)


def do_belt_holds(page: Any) -> None:
    trace = engine_trace("long-memory")
    predict(page, "belt-holds", 0, trace.c[3, 0])
    equation = numbers_in(page.locator("#lesson-equation").inner_text())
    # c_3 = f·c_2 + i·g with the server's numbers, to the 4 decimals shown
    expected = [trace.f[3, 0], trace.c_prev[3, 0], trace.i[3, 0], trace.g[3, 0], trace.c[3, 0]]
    assert equation == pytest.approx(expected, abs=6e-5)
    press(page, "#step-forward", "ArrowRight")  # on a button the arrows still step (not yet 60)
    assert lesson_task(page) == ("belt-holds", 1)
    page.locator("#belt").focus()
    page.keyboard.press("End")
    wait_for_task(page, "belt-holds", 2)
    press(page, "#knob-bias_f", "PageUp")  # the wrong way: the belt holds even better
    page.wait_for_timeout(300)
    assert lesson_task(page) == ("belt-holds", 2)
    press(page, "#knob-bias_f", "Home")
    wait_for_task(page, "belt-holds", 3)


def do_forget_erases(page: Any) -> None:
    trace = engine_trace("hold-and-release")
    predict(page, "forget-erases", 0, trace.c[6, 1])
    predict(page, "forget-erases", 1, trace.c[28, 0])
    assert page.evaluate("document.getElementById('lab-tab-clamps').getAttribute('aria-selected')") == "true"
    answered(page, lambda: press(page, "#clamp-f-on", "Space"))  # f of every unit at 1: unit 1 too, not asked
    page.wait_for_timeout(300)
    assert lesson_task(page) == ("forget-erases", 2)
    answered(page, lambda: press(page, "#clamp-f-on", "Space"))  # released again
    press(page, "#clamp-f-unit", "ArrowDown")  # "all units" → unit 0
    press(page, "#clamp-f-on", "Space")
    wait_for_task(page, "forget-erases", 3)
    press(page, "#knob-bias_f", "End")
    wait_for_task(page, "forget-erases", 4)


def do_input_writes(page: Any) -> None:
    trace = engine_trace("latch")
    predict(page, "input-writes", 0, trace.c[6, 0])
    assert body_data(page, "shownStep") == "6"  # the reveal shows the step it was about
    press(page, "#input-0", "Home")
    wait_for_task(page, "input-writes", 2)
    press(page, "#knob-bias_i", "Home")
    wait_for_task(page, "input-writes", 3)


def do_output_shows(page: Any) -> None:
    trace = engine_trace("hold-and-release")
    predict(page, "output-shows", 0, trace.h[28, 2])
    equation = numbers_in(page.locator("#lesson-equation").inner_text())
    expected = [trace.o[28, 2], trace.c[28, 2], trace.o[28, 2], trace.tanh_c[28, 2], trace.h[28, 2]]
    assert equation == pytest.approx(expected, abs=6e-5)
    press(page, "#knob-bias_o", "End")
    wait_for_task(page, "output-shows", 2)
    press(page, "#clamp-o-on", "Space")  # held at 1 first: every h shows
    page.wait_for_timeout(300)
    assert lesson_task(page) == ("output-shows", 2)
    press(page, "#clamp-o-value", "Home")  # o = 0: nothing shows
    wait_for_task(page, "output-shows", 3)


def do_gradients_survive(page: Any) -> None:
    s = get_scenario("gradient-lab")
    trace = run(lstm_weights(s.weights, s.knobs), s.x, s.h0, s.c0)
    share = float(np.prod(trace.f[1:, 0]))  # the belt-only term from the last step back to step 0
    predict(page, "gradients-survive", 0, share, gradients=True)
    assert page.locator("#gradients-veil").is_hidden()
    press(page, "#knob-bias_f", "Home")
    wait_for_task(page, "gradients-survive", 2)
    press(page, "#clamp-f-on", "Space")
    wait_for_task(page, "gradients-survive", 3)


def do_own_model(page: Any) -> None:
    with page.expect_file_chooser() as chooser:
        press(page, "#choose-weights", "Enter")
    layer = {"name": "mine.npz", "mimeType": "application/octet-stream", "buffer": own_layer()}
    chooser.value.set_files([layer])
    wait_for_task(page, "own-model", 1)
    press(page, "#knob-bias_f", "ArrowRight")
    wait_for_task(page, "own-model", 2)
    press(page, "#dive-tab-gates", "Enter")  # with the bias still moved: not yet
    page.wait_for_timeout(300)
    assert lesson_task(page) == ("own-model", 2)
    press(page, "#knob-bias_f", "ArrowLeft")  # back to 0
    wait_for_task(page, "own-model", 3)


STEPS = {
    "belt-holds": do_belt_holds,
    "forget-erases": do_forget_erases,
    "input-writes": do_input_writes,
    "output-shows": do_output_shows,
    "gradients-survive": do_gradients_survive,
    "own-model": do_own_model,
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_lesson_can_be_completed_by_keyboard(page: Any, server_url: str, lang: str) -> None:
    page.goto(f"{server_url}/?lesson=belt-holds")
    page.wait_for_selector("body[data-ready='true']")
    if lang == "ko":
        press(page, "#lang button[data-lang='ko']", "Enter")
        page.wait_for_selector("body[data-lang='ko']")
    for lesson in LESSONS:
        if lesson != "belt-holds":
            choose_lesson(page, lesson)
        STEPS[lesson](page)
        finished = page.locator("#lesson-finished-text").inner_text()
        assert finished, lesson
        if lang == "ko":
            assert re.search("[가-힣]", finished), finished
    # The score counted each prediction of the last lesson that had some, and the way out works.
    press(page, "#lesson-leave", "Enter")
    page.wait_for_selector("#lesson[hidden]", state="attached")
    assert page.evaluate("document.getElementById('lesson-menu').value") == ""


def test_a_lesson_travels_in_its_link_and_says_when_its_scenario_is_left(page: Any, server_url: str) -> None:
    page.goto(f"{server_url}/?lesson=output-shows")
    wait_for_task(page, "output-shows", 0)
    # The prediction is about step 28: the page shows step 27, and the belt over time hides 28 on.
    page.wait_for_selector("body[data-shown-step='27']")
    page.wait_for_function("document.body.dataset.link === 'saved' && location.hash.startsWith('#s=')")
    link = page.evaluate("location.pathname + location.hash")
    page.wait_for_function("typeof window.Plotly === 'object'")  # leaving while it loads fails it
    page.goto(f"{server_url}{link}")  # the state's own link, as Copy link gives it
    wait_for_task(page, "output-shows", 0)
    assert page.evaluate("document.getElementById('lesson-menu').value") == "output-shows"
    # Another scenario: the tasks cannot be read off it, and the lesson says so instead of a task.
    page.select_option("#scenario", "counter")
    page.wait_for_selector("#lesson-finished:not([hidden])")
    assert page.locator("#lesson-task").is_hidden()
    press(page, "#lesson-restart", "Enter")
    wait_for_task(page, "output-shows", 0)
    page.wait_for_function("document.getElementById('scenario').value === 'hold-and-release'")
    assert page.locator("#lesson-finished").is_hidden()
