"""The session's current trace and weights as files (what the page's export buttons download).

Exactly what the page shows: the trace as computed with the current knobs and clamps, and the
weights with the knobs applied (clamps are not weights and are not in the file).
"""

from __future__ import annotations

import base64
from typing import Any, Literal

import orjson

from .computation import Results, Weights, gradient_arrays, payload
from .engine.gru import GRUWeights
from .engine.knobs import AnyKnobs, GRUKnobs, Knobs, gru_weights, lstm_weights
from .trace_csv import trace_csv
from .weights_io import export_weights

FileFormat = Literal["trace.csv", "trace.json", "weights.npz", "weights.safetensors"]

_MEDIA_TYPES = {
    "trace.csv": "text/csv",
    "trace.json": "application/json",
    "weights.npz": "application/zip",
    "weights.safetensors": "application/octet-stream",
}


def export_file(fmt: FileFormat, base: Weights, knobs: AnyKnobs, results: Results) -> dict[str, Any]:
    """{filename, media_type, encoding ("text" or "base64"), content} for one export format."""
    if fmt == "trace.csv":
        columns = results.trace.as_dict() | gradient_arrays(results.gradients)
        content, encoding = "".join(trace_csv(columns)), "text"
    elif fmt == "trace.json":
        data = payload(results)
        body = data["trace"] | {name: values for name, values in data["gradients"].items()}
        content, encoding = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY).decode(), "text"
    else:
        raw = export_weights(with_knobs(base, knobs), "npz" if fmt == "weights.npz" else "safetensors")
        content, encoding = base64.b64encode(raw).decode(), "base64"
    return {
        "filename": f"lstm-conveyor-{fmt}",
        "media_type": _MEDIA_TYPES[fmt],
        "encoding": encoding,
        "content": content,
    }


def with_knobs(base: Weights, knobs: AnyKnobs) -> Weights:
    """The weights the trace ran on: the knobs' bias shifts and weight scale applied."""
    if isinstance(base, GRUWeights) and isinstance(knobs, GRUKnobs):
        return gru_weights(base, knobs)
    if not isinstance(base, GRUWeights) and isinstance(knobs, Knobs):
        return lstm_weights(base, knobs)
    raise TypeError("knobs of another model")
