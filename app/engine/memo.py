"""What is derived from an object, remembered while the object lives.

Weights are frozen dataclasses of arrays (which do not hash), and a session derives the same things
from the same weights on every change: the knobs applied, the loop's layout of them. At full size
(H = 1,024) each of those copies 32 MiB per layer, ~10 ms, more than the first rows of a rerun in
parts take to compute. So they are kept by the object's identity: the latest value for each
object, dropped when the object is.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class PerObject(Generic[Value]):
    """For each live object, the value last made from it and an `extra` key (knobs, say): a new
    `extra` replaces it, so an object holds one value however often its knobs change."""

    def __init__(self) -> None:
        self._values: dict[int, tuple[Hashable, Value]] = {}

    def get(self, owner: object, extra: Hashable, make: Callable[[], Value]) -> Value:
        key = id(owner)  # unique while the owner lives; its entry goes when the owner does
        held = self._values.get(key)
        if held is not None and held[0] == extra:
            return held[1]
        value = make()
        if held is None:
            weakref.finalize(owner, self._values.pop, key, None)
        self._values[key] = (extra, value)
        return value
