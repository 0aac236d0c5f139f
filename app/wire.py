"""The binary columnar encoding of snapshot and frame messages (docs/protocol.md, "Binary encoding").

A frame of T=1000, H=64 is ~24 MB of JSON text, which costs more to print and parse than the
trace costs to compute. Binary carries the very same float32/float64 numbers as raw bytes the
browser views in place (Float32Array/Float64Array), so neither side formats or parses a number.

One message, little-endian throughout:

    uint32        N: the length of the header
    N bytes       the header: UTF-8 JSON of the message, each array replaced by
                  {"$array": [offset, dtype, shape]} (dtype "f4" or "f8")
    zero padding  up to a multiple of 8 bytes: the data section starts there
    the arrays    each in C order at data section + offset, offsets multiples of 8

Every offset is a multiple of 8 and so is the data section's start (from the message's first
byte), so a Float64Array can view any array without copying; typed arrays refuse unaligned views.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import orjson

from .encoding import check_finite

ALIGN = 8
ARRAY_KEY = "$array"
# The dtypes payload() gives (app/computation.py); the browser knows exactly these two.
DTYPES: dict[str, np.dtype[Any]] = {"f4": np.dtype("<f4"), "f8": np.dtype("<f8")}
_LENGTH = struct.Struct("<I")


def _aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


class _Columns:
    """Collects the arrays of one message, handing out each one's aligned offset."""

    def __init__(self) -> None:
        self.placed: list[tuple[int, np.ndarray]] = []  # (offset in the data section, array)
        self.size = 0  # the data section's length so far

    def add(self, array: np.ndarray) -> dict[str, Any]:
        code = _dtype_code(array)
        # Little-endian and C order as documented; a no-op (no copy) for payload()'s arrays.
        column = np.ascontiguousarray(array, dtype=DTYPES[code])
        offset = _aligned(self.size)
        self.placed.append((offset, column))
        self.size = offset + column.nbytes
        return {ARRAY_KEY: [offset, code, list(column.shape)]}


def _dtype_code(array: np.ndarray) -> str:
    """Its code, "f4" or "f8"; anything else is a bug upstream, not something to convert silently."""
    if array.dtype.kind == "f" and array.dtype.itemsize in (4, 8):
        return f"f{array.dtype.itemsize}"
    raise TypeError(f"cannot send a {array.dtype} array in binary; only float32 and float64")


def _describe(value: Any, columns: _Columns) -> Any:
    """The message with every array swapped for its descriptor (dicts and lists walked)."""
    if isinstance(value, np.ndarray):
        return columns.add(value)
    if isinstance(value, dict):
        return {key: _describe(item, columns) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_describe(item, columns) for item in value]
    return value


def encode(message: dict[str, Any]) -> bytes:
    """One binary message; NotFinite (naming the quantity) before anything is built, as dumps()."""
    check_finite(message, "")
    columns = _Columns()
    header = orjson.dumps(_describe(message, columns))
    start = _aligned(_LENGTH.size + len(header))
    pieces: list[bytes | memoryview] = [_LENGTH.pack(len(header)), header]
    pieces.append(bytes(start - _LENGTH.size - len(header)))
    end = 0  # where the data section's bytes so far end
    for offset, column in columns.placed:
        # Zero bytes up to the column's aligned offset, then its bytes (joined without a copy).
        pieces += [bytes(offset - end), column.reshape(-1).view(np.uint8).data]
        end = offset + column.nbytes
    return b"".join(pieces)


def encoded_size(message: dict[str, Any]) -> int:
    """The length of encode(message), without building it (its arrays are not copied)."""
    columns = _Columns()
    header = orjson.dumps(_describe(message, columns))
    return _aligned(_LENGTH.size + len(header)) + columns.size


def decode(data: bytes | bytearray | memoryview) -> dict[str, Any]:
    """A binary message back as a dict whose arrays are read-only NumPy views of `data`."""
    (length,) = _LENGTH.unpack_from(data, 0)
    header = orjson.loads(bytes(memoryview(data)[_LENGTH.size : _LENGTH.size + length]))
    start = _aligned(_LENGTH.size + length)
    message: dict[str, Any] = _restore(header, data, start)
    return message


def _restore(value: Any, data: bytes | bytearray | memoryview, start: int) -> Any:
    if isinstance(value, dict):
        if value.keys() == {ARRAY_KEY}:
            offset, code, shape = value[ARRAY_KEY]
            count = math.prod(shape)
            return np.frombuffer(data, DTYPES[code], count, start + offset).reshape(shape)
        return {key: _restore(item, data, start) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, data, start) for item in value]
    return value
