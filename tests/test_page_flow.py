"""Slider moves in headless Chromium: one on its way at a time, and the page ends on the last.

A slider fires an input event per pixel; the page sends one move, and moves made before its
answer wait (a newer move of the same control replaces an older one). These tests drag faster
than the server answers and check what went over the socket and what the page ends up showing.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from app.engine.lstm import run
from app.scenarios import get_scenario
from tests.test_page import assert_readout_matches, go_to_step, open_page, readout_inputs

pytestmark = pytest.mark.browser

# Installed before the page's scripts: every message the page sends, with the highest ack the
# server had answered at that moment (acks read from binary and JSON replies alike).
RECORD_TRAFFIC = """(() => {
  window.__sent = [];
  window.__ack = -1;
  const ackOf = (data) => {
    if (typeof data === "string") return JSON.parse(data).ack;
    const length = new DataView(data).getUint32(0, true);
    return JSON.parse(new TextDecoder().decode(new Uint8Array(data, 4, length))).ack;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const ack = ackOf(event.data);
        if (Number.isInteger(ack) && ack > window.__ack) window.__ack = ack;
      });
    }
    send(data) {
      const message = JSON.parse(data);
      window.__sent.push({ ...message, answered: window.__ack });
      return super.send(data);
    }
  };
})();"""

# Thirty moves of one slider within a few milliseconds, as a fast drag makes them.
FAST_DRAG = """([selector, values]) => {
  const slider = document.querySelector(selector);
  for (const value of values) {
    slider.value = String(value);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
  }
}"""

# Every message sent has been answered and every chart shows the latest revision.
SETTLED = """() => window.__sent.length > 0 && window.__sent.at(-1).id <= window.__ack
  && document.body.dataset.revision === document.body.dataset.shownRevision"""


def sent_messages(page: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = page.evaluate("window.__sent")
    return sent


def sent_moves(page: Any) -> list[dict[str, Any]]:
    return [message for message in sent_messages(page) if message["type"].startswith("set_")]


def test_a_fast_drag_sends_one_move_at_a_time_and_the_page_ends_on_the_last(
    page: Any, server_url: str
) -> None:
    page.add_init_script(RECORD_TRAFFIC)
    open_page(page, server_url)
    go_to_step(page, 5)  # the scenario opens here too; the step is the one the moves must name
    values = np.round(np.linspace(-1.0, 0.73, 30), 2).tolist()
    page.evaluate(FAST_DRAG, ['input.input-slider[data-j="0"]', values])
    page.wait_for_function(SETTLED)
    page.wait_for_function("document.body.dataset.step === '5'")

    moves = sent_moves(page)
    # Never a move sent while another was unanswered, so far fewer than the thirty made...
    assert all(move["answered"] >= previous["id"] for previous, move in itertools.pairwise(moves))
    assert 2 <= len(moves) < len(values)
    # ...and the last one made is the last one sent.
    assert moves[-1]["type"] == "set_input" and moves[-1]["value"] == values[-1]
    assert [move["t"] for move in moves] == [5] * len(moves)

    scenario = get_scenario("hold-and-release")
    x = scenario.x.copy()
    x[5, 0] = values[-1]
    assert_readout_matches(page, run(scenario.weights, x, scenario.h0, scenario.c0), 5)
    assert page.locator('input.input-slider[data-j="0"]').input_value() == str(values[-1])
    assert readout_inputs(page, 2)[0] == pytest.approx(values[-1])


def test_moves_of_two_controls_both_arrive_and_a_button_goes_after_them(page: Any, server_url: str) -> None:
    """A move waiting for its turn is sent before a later button's message, and moves of two
    different sliders both reach the server (one does not replace the other)."""
    page.add_init_script(RECORD_TRAFFIC)
    open_page(page, server_url)
    go_to_step(page, 8)  # away from the opening step, where reset goes back to
    page.evaluate(
        """() => {
      const move = (selector, value) => {
        const slider = document.querySelector(selector);
        slider.value = String(value);
        slider.dispatchEvent(new Event("input", { bubbles: true }));
      };
      move('input.input-slider[data-j="0"]', 0.25);
      move('input.input-slider[data-j="0"]', 0.5);
      move('input.input-slider[data-j="1"]', -0.75);
      document.getElementById("reset").click();
    }"""
    )
    page.wait_for_function(SETTLED)
    sent = [(message["type"], message.get("j"), message.get("value")) for message in sent_messages(page)]
    moves = [item for item in sent if item[0] == "set_input"]
    # 0.25 goes at once; 0.5 and input 1's move wait for its answer, and the click sends them
    # before its own message, in the order they were made.
    made = [("set_input", 0, 0.25), ("set_input", 0, 0.5), ("set_input", 1, -0.75)]
    assert sent[-4:] == [*made, ("reset", None, None)]
    assert moves == made
    # Reset came after both moves, so the page shows the scenario's own inputs, at its opening step.
    scenario = get_scenario("hold-and-release")
    original = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    page.wait_for_function("t => document.body.dataset.step === String(t)", arg=scenario.open_step)
    assert_readout_matches(page, original, scenario.open_step)
    go_to_step(page, 8)  # where the moves were made
    assert_readout_matches(page, original, 8)
