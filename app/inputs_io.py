"""An input sequence x (T, D) from a .csv or .npy file.

CSV: numbers only, comma-separated, one row per time step and one column per input; the first
row may be a header (when none of its cells is a number, it is skipped); blank lines are
skipped. NPY: a 2-D (T, D) array, or 1-D (T,) read as T×1, of floats or integers.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from app.config import get_settings
from app.file_errors import Malformed, TooLarge, Unusable, setting
from app.numpy_files import NPY_MAGIC, npy_values, read_npy_header
from app.tensor_file import check_values


def read_inputs(data: bytes, filename: str = "") -> np.ndarray:
    """x as float64 (T, D), within the limits on T, D and every value."""
    limit = get_settings().max_upload_bytes
    if len(data) > limit:
        raise TooLarge(f"the file has {len(data)} bytes; at most {limit} ({setting('max_upload_bytes')})")
    if not data:
        raise Malformed("the file is empty")
    if data.startswith(NPY_MAGIC) or filename.lower().endswith(".npy"):
        return check_values("the .npy array", _from_npy(data))
    return _from_csv(data)


def _from_npy(data: bytes) -> np.ndarray:
    header = read_npy_header(data, "the .npy file")
    if header.dtype.kind not in "fiu" or header.dtype.itemsize > 8:
        raise Unusable(f"the .npy array has dtype {header.dtype.name}; inputs must be floats or integers")
    if len(header.shape) not in (1, 2):
        raise Unusable(f"the .npy array has shape {header.shape}; inputs are (T, D), or (T,) for D=1")
    steps, inputs = (*header.shape, 1)[:2]  # (T,) is T steps of one input
    _check_sizes(steps, inputs)
    return npy_values(data, header, "the .npy file").reshape(steps, inputs).astype(np.float64)


def _from_csv(data: bytes) -> np.ndarray:
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is not part of cell 1
    except UnicodeDecodeError:
        raise Malformed("neither an .npy array nor UTF-8 CSV text") from None
    reader = csv.reader(io.StringIO(text))
    rows: list[list[float]] = []
    header_allowed, first_line = True, 0
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header_allowed and not any(_is_number(cell) for cell in row):
            header_allowed = False  # one header row, before any numbers
            continue
        header_allowed = False
        if not rows:
            first_line = reader.line_num
        elif len(row) != len(rows[0]):
            raise Unusable(
                f"line {reader.line_num} has {len(row)} values, but line {first_line} has {len(rows[0])}"
            )
        _check_sizes(len(rows) + 1, len(row))  # before the row is kept: memory stays bounded
        rows.append([_cell(cell, reader.line_num, column) for column, cell in enumerate(row, start=1)])
    if not rows:
        raise Unusable("the CSV has no rows of numbers")
    return np.array(rows)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cell(cell: str, line: int, column: int) -> float:
    where = f"line {line}, column {column}"
    if not cell.strip():
        raise Unusable(f"{where} is empty")
    try:
        value = float(cell)
    except ValueError:
        separated = " (cells are separated by commas)" if ";" in cell or "\t" in cell else ""
        raise Unusable(f"{where}: {cell.strip()[:20]!r} is not a number{separated}") from None
    limit = get_settings().max_abs_value
    if not np.isfinite(value):
        raise Unusable(f"{where}: {value} is not a finite number")
    if abs(value) > limit:
        raise Unusable(f"{where}: {value:g} lies beyond ±{limit:g} ({setting('max_abs_value')})")
    return value


def _check_sizes(steps: int, inputs: int) -> None:
    """T in 1..max_steps, D in 1..max_inputs; checked before the values are read."""
    settings = get_settings()
    if steps == 0 or inputs == 0:
        raise Unusable(f"the input sequence is empty: T={steps}, D={inputs}")
    if steps > settings.max_steps:
        raise TooLarge(f"more than {settings.max_steps} time steps ({setting('max_steps')})")
    if inputs > settings.max_inputs:
        raise TooLarge(f"{inputs} inputs per step; at most {settings.max_inputs} ({setting('max_inputs')})")
