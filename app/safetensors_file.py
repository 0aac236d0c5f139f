""".safetensors from bytes, its JSON header checked against the data before any tensor is read.

The format: an 8-byte little-endian header length N, N bytes of JSON mapping each name to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data that follows), then the
data, which the tensors must cover exactly, in order, without gaps or overlaps. Writing goes
through the safetensors package.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import numpy as np
import safetensors.numpy

from .config import get_settings
from .file_errors import Malformed, TooLarge, setting
from .tensor_file import Spec, TensorFile, require_float

# safetensors dtype → (NumPy-style name, bytes per element)
DTYPES = {
    "F64": ("float64", 8), "F32": ("float32", 4), "F16": ("float16", 2), "BF16": ("bfloat16", 2),
    "I64": ("int64", 8), "I32": ("int32", 4), "I16": ("int16", 2), "I8": ("int8", 1),
    "U64": ("uint64", 8), "U32": ("uint32", 4), "U16": ("uint16", 2), "U8": ("uint8", 1),
    "BOOL": ("bool", 1), "C64": ("complex64", 8),
    "F8_E4M3": ("float8_e4m3", 1), "F8_E5M2": ("float8_e5m2", 1),
}  # fmt: skip
_LAYOUTS = {"float64": "<f8", "float32": "<f4", "float16": "<f2"}


def looks_like_safetensors(data: bytes) -> bool:
    """Eight bytes of length, then the JSON header's opening brace."""
    return len(data) > 8 and data[8:9] == b"{"


def open_safetensors(data: bytes) -> TensorFile:
    """The table of a .safetensors file, every entry and offset checked; data is read on demand."""
    header, start = _header(data)
    metadata = header.pop("__metadata__", None)
    if len(header) > get_settings().max_tensors:
        raise TooLarge(
            "too_many_tensors",
            count=len(header),
            limit=get_settings().max_tensors,
            setting=setting("max_tensors"),
        )
    spans = {name: _entry(name, entry) for name, entry in header.items()}
    _check_layout(spans, len(data) - start)
    specs = {name: spec for name, (spec, _, _) in spans.items()}

    def load(name: str) -> np.ndarray:
        spec, begin, end = spans[name]
        require_float(name, spec)
        return _values(data[start + begin : start + end], spec)

    return TensorFile(specs, load, metadata=_metadata(metadata))


def safetensors_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    # "format": "pt" is what safetensors.torch writes; some loaders look for it.
    return safetensors.numpy.save(tensors, metadata={"format": "pt"})


def _header(data: bytes) -> tuple[dict[str, Any], int]:
    """The parsed header (its __metadata__ too), and where the data starts."""
    if len(data) < 8:
        raise Malformed("safetensors_short", size=len(data))
    (size,) = struct.unpack("<Q", data[:8])
    if size > len(data) - 8:
        raise Malformed("safetensors_header_size", size=size, available=len(data) - 8)
    try:
        header = json.loads(data[8 : 8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("safetensors_header_json") from None
    if not isinstance(header, dict):
        raise Malformed("safetensors_header_object")
    return header, 8 + size


def _metadata(metadata: Any) -> dict[str, str]:
    """__metadata__ as the format defines it, string to string; anything else is refused."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in metadata.items()
    ):
        raise Malformed("safetensors_metadata")
    return metadata


def _entry(name: str, entry: Any) -> tuple[Spec, int, int]:
    """(spec, begin, end) of one header entry, its fields checked for type and agreement."""
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= set(entry):
        raise Malformed("safetensors_entry", name=name)
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in DTYPES:
        raise Malformed("safetensors_dtype", name=name, dtype=str(dtype)[:20])
    if not isinstance(shape, list) or not all(_is_count(n) for n in shape):
        raise Malformed("safetensors_shape", name=name, shape=str(shape)[:40])
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(n) for n in offsets)):
        raise Malformed("safetensors_offsets", name=name, offsets=str(offsets)[:40])
    numpy_name, itemsize = DTYPES[dtype]
    begin, end = offsets
    needed = math.prod(shape) * itemsize
    if end - begin != needed:
        raise Malformed(
            "safetensors_span",
            name=name,
            shape=str(tuple(shape)),
            dtype=numpy_name,
            needed=needed,
            begin=begin,
            end=end,
            span=end - begin,
        )
    return Spec(numpy_name, tuple(shape)), begin, end


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_layout(spans: dict[str, tuple[Spec, int, int]], available: int) -> None:
    """The tensors must tile the data exactly: in order, no gap, no overlap, nothing missing."""
    position = 0
    for name, (_, begin, end) in sorted(spans.items(), key=lambda item: (item[1][1], item[1][2])):
        if begin < position:
            raise Malformed("safetensors_overlap", name=name, begin=begin, end=end)
        if begin > position:
            raise Malformed("safetensors_gap", name=name, begin=begin, end=end)
        position = end
    if position > available:
        raise Malformed("safetensors_truncated", declared=position, available=available)
    if position < available:
        raise Malformed("safetensors_trailing", extra=available - position)


def _values(raw: bytes, spec: Spec) -> np.ndarray:
    if spec.dtype == "bfloat16":
        # bfloat16 is the top half of a float32: shift the 16 bits into place, exactly.
        wide = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return wide.view(np.float32).reshape(spec.shape).astype(np.float64)
    return np.frombuffer(raw, dtype=_LAYOUTS[spec.dtype]).reshape(spec.shape).astype(np.float64)
