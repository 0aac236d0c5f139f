"""What the engine derives from weights is made once per weights object and knobs (app/engine/memo.py),
and is exactly what it would make again."""

from __future__ import annotations

import gc

import numpy as np

from app.engine.knobs import Knobs, lstm_weights
from app.engine.lstm import LSTMWeights, _LoopLayer, run
from app.engine.memo import PerObject


class Owner:
    pass


def test_a_value_is_made_once_per_object_and_extra_and_dropped_with_the_object() -> None:
    made: list[str] = []
    memo: PerObject[str] = PerObject()

    def make(text: str) -> str:
        made.append(text)
        return text

    first, second = Owner(), Owner()
    assert memo.get(first, 1, lambda: make("a")) == "a" and memo.get(first, 1, lambda: make("b")) == "a"
    assert memo.get(second, 1, lambda: make("c")) == "c"  # another object: its own value
    assert memo.get(first, 2, lambda: make("d")) == "d"  # another extra replaces the value
    assert memo.get(first, 1, lambda: make("e")) == "e" and made == ["a", "c", "d", "e"]
    del first
    gc.collect()
    assert len(memo._values) == 1  # the dead object's value went with it


def test_knobbed_weights_and_their_loop_layout_are_remade_only_for_new_knobs() -> None:
    rng = np.random.default_rng(3)
    base = LSTMWeights(*(rng.uniform(-0.5, 0.5, shape) for shape in ((16, 3), (16, 4), (16,), (16,))))
    knobs = Knobs(bias_f=1.0)
    once = lstm_weights(base, knobs)
    assert lstm_weights(base, Knobs(bias_f=1.0)) is once  # equal knobs: the same weights
    assert _LoopLayer.of(once) is _LoopLayer.of(once)
    other = lstm_weights(base, Knobs(bias_f=-1.0))
    assert other is not once and not np.array_equal(other.bias_ih, once.bias_ih)
    x = rng.standard_normal((6, 3))
    shifted = base.bias_ih + Knobs(bias_f=-1.0).bias_shift(4)
    fresh = LSTMWeights(base.weight_ih, base.weight_hh, shifted, base.bias_hh)
    np.testing.assert_array_equal(run(other, x).c, run(fresh, x).c)  # remembered = made again
