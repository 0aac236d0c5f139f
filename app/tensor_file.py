"""A file of named tensors, read in two steps: its table (name → dtype, shape), then data on demand.

The readers (app/safetensors_file.py, app/numpy_files.py) check everything a table declares
before handing it out, so a caller can refuse a tensor by its dtype or shape before spending
memory on its data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .config import get_settings
from .file_errors import Unusable, setting

# What the engine can take without losing anything: every one widens exactly to float64.
FLOAT_DTYPES = ("float16", "float32", "float64", "bfloat16")
# What a dtype of another kind holds: a note of app/locales ("integers", …) for the refusal.
_KIND_NOTES = {
    "object": "pickled",
    "complex": "complex",
    "int": "integers",
    "uint": "integers",
    "bool": "booleans",
    "str": "text",
}


@dataclass(frozen=True)
class Spec:
    """What the file declares about one tensor."""

    dtype: str  # NumPy-style name: "float32", "bfloat16", "int64", "object", …
    shape: tuple[int, ...]


@dataclass(frozen=True)
class TensorFile:
    specs: dict[str, Spec]  # in the file's order
    load: Callable[[str], np.ndarray]  # one tensor's values as float64, after a float dtype was checked
    # A .safetensors file's __metadata__ (string to string); an .npz has none.
    metadata: dict[str, str] = field(default_factory=dict)
    # An .npz's array of strings (dtype "str", e.g. a vocabulary) as a list, read without pickle.
    load_strings: Callable[[str], list[str]] | None = None


def require_float(name: str, spec: Spec) -> None:
    """Refuse a tensor whose dtype is not a float the engine takes, saying what it holds instead."""
    if spec.dtype in FLOAT_DTYPES:
        return
    kind = spec.dtype.rstrip("0123456789_")
    raise Unusable(
        "tensor_dtype", name=name, dtype=spec.dtype, accepted=list(FLOAT_DTYPES), note=_KIND_NOTES.get(kind)
    )


def check_values(name: str, values: np.ndarray) -> np.ndarray:
    """Refuse NaN, ±Inf and anything beyond ±max_abs_value, naming the first offending entry."""
    limit = get_settings().max_abs_value
    # The common case in two reductions and no temporaries: NaN makes min and max NaN, which no
    # comparison passes, and ±Inf is beyond any limit. Only a refusal looks for where it is.
    if values.size == 0 or (-limit <= values.min() and values.max() <= limit):
        return values
    bad = ~np.isfinite(values)
    if bad.any():
        where = _first(bad)
        raise Unusable("not_finite_value", name=name, value=str(values[where]), index=str(list(where)))
    big = np.abs(values) > limit
    if big.any():
        where = _first(big)
        raise Unusable(
            "value_out_of_bounds",
            name=name,
            value=f"{values[where]:g}",
            index=str(list(where)),
            limit=f"{limit:g}",
            setting=setting("max_abs_value"),
        )
    return values


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])
