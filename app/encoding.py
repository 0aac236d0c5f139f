"""Outgoing JSON: orjson with NumPy arrays, refusing NaN/±Inf (which are not valid JSON)."""

from typing import Any

import numpy as np
import orjson


class NotFinite(ValueError):
    """An array holds NaN or ±Inf; `quantity` is its path of keys (e.g. trace.c), a name in no
    language, so an error reply can carry it to a catalogue text."""

    def __init__(self, quantity: str) -> None:
        self.quantity = quantity
        super().__init__(f"{quantity} contains a non-finite number")


def check_finite(value: Any, path: str = "") -> None:
    """Raise NotFinite naming the first array (by its path of keys) that holds NaN or ±Inf."""
    if isinstance(value, np.ndarray):
        if not np.isfinite(value).all():
            raise NotFinite(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_finite(item, f"{path}.{key}" if path else str(key))


def dumps(message: dict[str, Any]) -> bytes:
    """Encode a message whose arrays must all be finite; NotFinite names the quantity."""
    check_finite(message, "")
    return orjson.dumps(message, option=orjson.OPT_SERIALIZE_NUMPY)
