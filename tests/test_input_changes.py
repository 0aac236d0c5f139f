"""app/input_changes.py: which input rows changed, and whether inputs are the model's own, bit for bit."""

from __future__ import annotations

import numpy as np

from app.input_changes import inputs_changed_until, same_bits


def test_the_rows_a_frame_carries_end_after_the_last_that_differs() -> None:
    before = np.zeros((10, 3))
    after = before.copy()
    assert inputs_changed_until(before, after, 2) == 2  # nothing moved: no row
    after[4, 1], after[7, 2] = 0.5, -0.0  # −0.0 where 0.0 was is a change
    assert inputs_changed_until(before, after, 2) == 8
    assert inputs_changed_until(before, after, 8) == 8  # rows before start are not looked at


def test_the_same_bits_tell_the_models_own_inputs() -> None:
    own = np.arange(12.0).reshape(4, 3)
    assert same_bits(own, own.copy()) and same_bits(own.T, own.T.copy())  # strided views too
    moved = own.copy()
    moved[0, 0] = -0.0
    assert not same_bits(own, moved)  # 0.0 and −0.0 are equal numbers, not the same bits
    assert not same_bits(own, own[:3]) and not same_bits(own, own.astype(np.float32))
