"""The session's current trace and weights as files (what the page's export buttons download).

Exactly what the page shows: the trace as computed with the current knobs and clamps, and the
weights with the knobs applied (clamps are not weights and are not in the file).
"""

from __future__ import annotations

import base64
from typing import Any, Literal

import orjson

from .computation import Results, payload
from .engine.knobs import Knobs, lstm_weights
from .engine.lstm import LSTMWeights
from .trace_csv import trace_csv
from .weights_io import export_weights

FileFormat = Literal["trace.csv", "trace.json", "weights.npz", "weights.safetensors"]

_MEDIA_TYPES = {
    "trace.csv": "text/csv",
    "trace.json": "application/json",
    "weights.npz": "application/zip",
    "weights.safetensors": "application/octet-stream",
}


def export_file(fmt: FileFormat, base: LSTMWeights, knobs: Knobs, results: Results) -> dict[str, Any]:
    """{filename, media_type, encoding ("text" or "base64"), content} for one export format."""
    if fmt == "trace.csv":
        gradients = results.gradients
        columns = results.trace.as_dict() | {
            "dL_dc": gradients.dL_dc,
            "dL_dh": gradients.dL_dh,
            "dL_dx": gradients.dL_dx,
            "belt": gradients.belt,
        }
        content, encoding = "".join(trace_csv(columns)), "text"
    elif fmt == "trace.json":
        data = payload(results)
        body = data["trace"] | {name: values for name, values in data["gradients"].items()}
        content, encoding = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY).decode(), "text"
    else:
        raw = export_weights(lstm_weights(base, knobs), "npz" if fmt == "weights.npz" else "safetensors")
        content, encoding = base64.b64encode(raw).decode(), "base64"
    return {
        "filename": f"lstm-conveyor-{fmt}",
        "media_type": _MEDIA_TYPES[fmt],
        "encoding": encoding,
        "content": content,
    }
