"""The GRU's counterparts of the LSTM's scenarios: the same inputs, a GRU that does the same job.

A GRU's belt is h itself, h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n_t: one gate, z, both keeps (z ≈ 1) and
writes (z ≈ 0, which takes the candidate n in place of what was there). So where the LSTM opens its
input gate, the GRU shuts z; where the LSTM shuts its forget gate to erase, the GRU shuts z while the
candidate is 0, writing 0 over the value. As in the LSTM's scenarios, W_hh = 0: every gate is a
readable function of the current input alone, and the reset gate r (which only scales what h_{t−1}
brings through W_hh) is held open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache

import numpy as np

from .engine.gru import GRU_GATES, GRUWeights
from .engine.knobs import GRUKnobs
from .engine.lstm import LSTMWeights
from .engine.tasks import Task
from .i18n import scenario_text
from .scenarios import (
    CUSTOM,
    LAB_RNN_W,
    SCENARIOS,
    GRUScenario,
    Scenario,
    gradient_lab,
    hold_and_release,
    long_memory,
)

SECTION = "gru_scenarios"  # app/locales/*.json
OPEN = 8.0  # a bias that holds a gate at σ(8) ≈ 0.9997


def gru_input_driven(w: dict[str, list[list[float]]], b: dict[str, list[float]]) -> GRUWeights:
    """A GRU whose gates see only x: per gate a (H, D) input weight and an (H,) bias."""
    hidden = len(b["z"])
    return GRUWeights(
        weight_ih=np.concatenate([np.array(w[gate], dtype=float) for gate in GRU_GATES]),  # (3H, D)
        weight_hh=np.zeros((3 * hidden, hidden)),
        bias_ih=np.concatenate([np.array(b[gate], dtype=float) for gate in GRU_GATES]),  # (3H,)
        bias_hh=np.zeros(3 * hidden),
    )


def _counterpart(lstm: Scenario, weights: GRUWeights, knobs: GRUKnobs | None = None) -> GRUScenario:
    """The LSTM scenario's inputs, steps and opening step, run by `weights`."""
    hidden = weights.hidden_size
    return GRUScenario(
        name=lstm.name,
        **scenario_text(lstm.name, section=SECTION),
        weights=weights,
        x=lstm.x,
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=lstm.input_names,
        input_range=lstm.input_range,
        open_step=lstm.open_step,
        knobs=knobs or GRUKnobs(),
    )


def gru_hold_and_release() -> GRUScenario:
    """Three units, inputs (signal, release): the signal writes, the release erases unit 0 only."""
    # z = σ(8 − 32·signal − 32·release) for unit 0: shut by either input, else holding. The candidate
    # is tanh(3·signal), so the release (signal 0) writes 0. Unit 1 holds with z = σ(0.3) ≈ 0.57 and
    # forgets; unit 2 writes −tanh(3·signal) and ignores the release.
    weights = gru_input_driven(
        w={
            "r": [[0, 0], [0, 0], [0, 0]],
            "z": [[-32, -32], [-32, 0], [-32, 0]],
            "n": [[3, 0], [3, 0], [-3, 0]],
        },
        b={"r": [OPEN] * 3, "z": [OPEN, 0.3, OPEN], "n": [0, 0, 0]},
    )
    return _counterpart(hold_and_release(), weights)


def gru_long_memory() -> GRUScenario:
    """Two units write ±tanh(2x) when the pulse shuts z, then keep it with z = σ(10) ≈ 0.99995."""
    weights = gru_input_driven(
        w={"r": [[0], [0]], "z": [[-40], [-40]], "n": [[2], [-2]]},
        b={"r": [OPEN, OPEN], "z": [10, 10], "n": [0, 0]},
    )
    return _counterpart(long_memory(), weights)


def gru_gradient_lab() -> GRUScenario:
    """The LSTM's lab with a GRU: one write at step 0, read by the loss at step 119."""
    # The pulse shuts z (σ(8 − 16) ≈ 0.0003 for unit 0, σ(5 − 16) for unit 1), so h takes the same
    # write as the LSTM's belt, n = tanh(2x); then z holds it as the LSTM's f does: σ(8) ≈ 0.9997
    # and σ(5) ≈ 0.993. Its candidate rows are the LSTM's g rows, so the RNN raced is the same one.
    weights = gru_input_driven(
        w={"r": [[0], [0]], "z": [[-16], [-16]], "n": [[2], [2]]},
        b={"r": [OPEN, OPEN], "z": [8, 5], "n": [0, 0]},
    )
    return _counterpart(gradient_lab(), weights, GRUKnobs(rnn_scale=LAB_RNN_W))


GRU_SCENARIOS: dict[str, Callable[[], GRUScenario]] = {
    "hold-and-release": gru_hold_and_release,
    "long-memory": gru_long_memory,
    "gradient-lab": gru_gradient_lab,
}


def get_gru_scenario(name: str) -> GRUScenario:
    """The named scenario's GRU version, built fresh; KeyError if it has none."""
    if name not in GRU_SCENARIOS:
        raise KeyError(f"scenario {name!r} has no GRU version; these have: {', '.join(GRU_SCENARIOS)}")
    return GRU_SCENARIOS[name]()


@cache
def counterpart_weights(name: str, kind: str) -> LSTMWeights | GRUWeights | None:
    """The other gated model of a preset that runs as both (a GRU session's LSTM, an LSTM session's
    GRU), raced on the same inputs in the gradient lab and the memory race; None for the others.
    Cached: built once per preset, never changed (frozen weights)."""
    if name not in GRU_SCENARIOS or name not in SCENARIOS:
        return None
    return SCENARIOS[name]().weights if kind == "gru" else GRU_SCENARIOS[name]().weights


def custom_gru_scenario(weights: GRUWeights, title: str | None = None, steps: int = 40) -> GRUScenario:
    """Someone's own GRU, starting from zero input (an upload or a shared link)."""
    hidden, inputs = weights.hidden_size, weights.input_size
    text = scenario_text(CUSTOM, section=SECTION, hidden=hidden, inputs=inputs)
    return GRUScenario(
        name=CUSTOM,
        title=title or text["title"],
        description=text["description"],
        prompt=text["prompt"],
        weights=weights,
        x=np.zeros((steps, inputs)),
        h0=np.zeros(hidden),
        c0=np.zeros(hidden),
        input_names=tuple(f"x{j}" for j in range(inputs)),
        knobs=GRUKnobs(),
    )


def gru_training_scenario(weights: GRUWeights, task: Task, x: np.ndarray) -> GRUScenario:
    """A training's GRU, shown like someone's own, on the task's probe sequence x (T, D) (the
    LSTM's is scenarios.training_scenario)."""
    scenario = custom_gru_scenario(weights, steps=len(x))
    return replace(scenario, x=x.copy(), input_names=task.input_names, input_range=(-3.0, 3.0))
