"""An input sequence x (T, D) from a .csv or .npy file.

CSV: numbers only, comma-separated, one row per time step and one column per input; the first
row may be a header (when none of its cells is a number, it is skipped); blank lines are
skipped. NPY: a 2-D (T, D) array, or 1-D (T,) read as T×1, of floats or integers; a 1-D array of
non-negative integers may be token ids, for a model with an embedding (`token_ids`). TXT: text, for
a model that reads text, not numbers.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from .config import get_settings
from .file_errors import Malformed, TooLarge, Unusable, setting
from .numpy_files import NPY_MAGIC, npy_values, read_npy_header
from .tensor_file import check_values


def read_inputs(data: bytes, filename: str = "") -> np.ndarray:
    """x as float64 (T, D), within the limits on T, D and every value."""
    limit = get_settings().max_upload_bytes
    if len(data) > limit:
        raise TooLarge("file_too_large", size=len(data), limit=limit, setting=setting("max_upload_bytes"))
    if not data:
        raise Malformed("empty_file")
    if data.startswith(NPY_MAGIC) or filename.lower().endswith(".npy"):
        name = filename or ".npy"  # how problems name the array: its file's name, in any language
        return check_values(name, _from_npy(data, name))
    return _from_csv(data)


def is_text_file(filename: str) -> bool:
    return filename.lower().endswith(".txt")


def read_text(data: bytes) -> str:
    """A .txt upload: UTF-8 text, at most max_text_chars characters."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Malformed("text_not_utf8") from None
    limit = get_settings().max_text_chars
    if len(text) > limit:
        raise TooLarge("file_text_too_long", size=len(text), limit=limit, setting=setting("max_text_chars"))
    if not text:
        raise Malformed("empty_file")
    return text


def token_ids(data: bytes, x: np.ndarray) -> list[int] | None:
    """The ids in x (T, 1) when the .npy held a 1-D array of non-negative integers, else None."""
    if not data.startswith(NPY_MAGIC):
        return None
    header = read_npy_header(data, ".npy")
    if header.dtype.kind not in "iu" or len(header.shape) != 1 or np.any(x < 0):
        return None
    return [int(k) for k in x[:, 0]]


def _from_npy(data: bytes, name: str) -> np.ndarray:
    header = read_npy_header(data, name)
    if header.dtype.kind not in "fiu" or header.dtype.itemsize > 8:
        raise Unusable("npy_input_dtype", name=name, dtype=header.dtype.name)
    if len(header.shape) not in (1, 2):
        raise Unusable("npy_input_shape", name=name, shape=str(header.shape))
    steps, inputs = (*header.shape, 1)[:2]  # (T,) is T steps of one input
    _check_sizes(steps, inputs)
    return npy_values(data, header, name).reshape(steps, inputs).astype(np.float64)


def _from_csv(data: bytes) -> np.ndarray:
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is not part of cell 1
    except UnicodeDecodeError:
        raise Malformed("not_inputs_file") from None
    # newline="": the csv module splits lines itself, so a lone \r (old Mac line ends) is a line end,
    # not a "new-line character seen in unquoted field" error (which was a 500).
    reader = csv.reader(io.StringIO(text, newline=""))
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
                "csv_ragged",
                line=reader.line_num,
                count=len(row),
                first_line=first_line,
                first_count=len(rows[0]),
            )
        _check_sizes(len(rows) + 1, len(row))  # before the row is kept: memory stays bounded
        rows.append([_cell(cell, reader.line_num, column) for column, cell in enumerate(row, start=1)])
    if not rows:
        raise Unusable("csv_no_numbers")
    return np.array(rows)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cell(cell: str, line: int, column: int) -> float:
    if not cell.strip():
        raise Unusable("csv_empty_cell", line=line, column=column)
    try:
        value = float(cell)
    except ValueError:
        note = "commas" if ";" in cell or "\t" in cell else None
        raise Unusable(
            "csv_not_number", line=line, column=column, cell=cell.strip()[:20], note=note
        ) from None
    limit = get_settings().max_abs_value
    if not np.isfinite(value):
        raise Unusable("csv_not_finite", line=line, column=column, value=str(value))
    if abs(value) > limit:
        raise Unusable(
            "csv_out_of_bounds",
            line=line,
            column=column,
            value=f"{value:g}",
            limit=f"{limit:g}",
            setting=setting("max_abs_value"),
        )
    return value


def _check_sizes(steps: int, inputs: int) -> None:
    """T in 1..max_steps, D in 1..max_inputs; checked before the values are read."""
    settings = get_settings()
    if steps == 0 or inputs == 0:
        raise Unusable("empty_sequence", steps=steps, inputs=inputs)
    if steps > settings.max_steps:
        raise TooLarge("file_too_many_steps", limit=settings.max_steps, setting=setting("max_steps"))
    if inputs > settings.max_inputs:
        raise TooLarge(
            "file_too_many_inputs", inputs=inputs, limit=settings.max_inputs, setting=setting("max_inputs")
        )
