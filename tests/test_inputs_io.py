"""app/inputs_io.py: an input sequence x (T, D) from .csv or .npy."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest

from app.config import get_settings
from app.file_errors import Malformed, TooLarge, Unusable
from app.inputs_io import read_inputs
from tests.helpers import set_limits


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    get_settings.cache_clear()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype.hasobject)
    return buffer.getvalue()


def refused(data: bytes, kind: type[Exception], fragment: str, filename: str = "x.csv") -> None:
    with pytest.raises(kind) as caught:
        read_inputs(data, filename)
    assert fragment in str(caught.value), str(caught.value)


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_rows_are_steps_and_columns_are_inputs() -> None:
    x = read_inputs(b"0.5,-1\n2,3e-2\n-4.25,1e3\n", "x.csv")
    np.testing.assert_array_equal(x, [[0.5, -1.0], [2.0, 0.03], [-4.25, 1000.0]])


def test_csv_header_row_blank_lines_and_byte_order_mark_are_skipped() -> None:
    data = "\ufefftemperature, pressure\n1, 2\n\n3, 4\n\n".encode()
    np.testing.assert_array_equal(read_inputs(data, "x.csv"), [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("ends", ["\r\n", "\r"])
def test_csv_with_windows_or_old_mac_line_ends_reads_the_same(ends: str) -> None:
    data = ends.join(["a,b", "1,2", "3,4", ""]).encode()
    np.testing.assert_array_equal(read_inputs(data, "x.csv"), [[1.0, 2.0], [3.0, 4.0]])


def test_csv_single_column_is_one_input() -> None:
    assert read_inputs(b"1\n2\n3\n", "x.csv").shape == (3, 1)


def test_csv_numbers_read_back_exactly() -> None:
    values = np.random.default_rng(0).normal(size=(5, 3))
    text = "\n".join(",".join(repr(v) for v in row) for row in values.tolist())
    np.testing.assert_array_equal(read_inputs(text.encode(), "x.csv"), values)


@pytest.mark.parametrize(
    ("data", "kind", "fragment"),
    [
        (b"1,2\n3,4\n5\n", Unusable, "line 3 has 1 values, but line 1 has 2"),
        (b"a,b\n1,2\n3,x\n", Unusable, "line 3, column 2: 'x' is not a number"),
        (b"1,2\n3,\n", Unusable, "line 2, column 2 is empty"),
        (b"1;2\n3;4\n", Unusable, "(cells are separated by commas)"),
        (b"a,b\nc,d\n", Unusable, "line 2, column 1: 'c' is not a number"),  # one header row only
        (b"1,nan\n", Unusable, "line 1, column 2: nan is not a finite number"),
        (b"1,-inf\n", Unusable, "line 1, column 2: -inf is not a finite number"),
        (b"1,2000\n", Unusable, "line 1, column 2: 2000 lies beyond ±1000"),
        (b"a,b\n", Unusable, "the CSV has no rows of numbers"),
        (b"", Malformed, "the file is empty"),
        (b"\xff\xfe\x00\x01", Malformed, "neither an .npy array nor UTF-8 CSV text"),
    ],
)
def test_bad_csv_is_refused_naming_the_line(data: bytes, kind: type[Exception], fragment: str) -> None:
    refused(data, kind, fragment)


def test_csv_with_too_many_rows_or_columns_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    set_limits(monkeypatch, max_steps=3, max_inputs=2)
    assert read_inputs(b"1,2\n3,4\n5,6\n", "x.csv").shape == (3, 2)
    refused(b"1,2\n3,4\n5,6\n7,8\n", TooLarge, "more than 3 time steps (LSTM_CONVEYOR_MAX_STEPS)")
    refused(b"1,2,3\n", TooLarge, "3 inputs per step; at most 2 (LSTM_CONVEYOR_MAX_INPUTS)")


# --- NPY ------------------------------------------------------------------------------------------


def test_npy_2d_array_is_x_and_float32_widens_exactly() -> None:
    values = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32)
    x = read_inputs(npy(values), "x.npy")
    assert x.dtype == np.float64
    np.testing.assert_array_equal(x, values.astype(np.float64))


def test_npy_1d_array_is_one_input_per_step() -> None:
    np.testing.assert_array_equal(read_inputs(npy(np.arange(4.0)), "seq.npy"), [[0.0], [1.0], [2.0], [3.0]])


def test_npy_integers_and_fortran_order_read_as_their_values() -> None:
    values = np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3))
    np.testing.assert_array_equal(read_inputs(npy(values), "x.npy"), [[0, 1, 2], [3, 4, 5]])


def test_npy_is_recognised_by_content_whatever_its_name() -> None:
    assert read_inputs(npy(np.ones((2, 2))), "upload").shape == (2, 2)


@pytest.mark.parametrize(
    ("array", "kind", "fragment"),
    [
        (np.zeros((2, 3, 4)), Unusable, "has shape (2, 3, 4); inputs are (T, D)"),
        (np.zeros((0, 3)), Unusable, "the input sequence is empty: T=0"),
        (np.zeros((2, 2), np.complex128), Unusable, "dtype complex128; inputs must be floats or integers"),
        (np.array([[True]]), Unusable, "dtype bool"),
        (np.array([[1.0, np.nan]]), Unusable, "holds nan at [0, 1]"),
        (np.array([[1.0], [5e4]]), Unusable, "holds 50000 at [1, 0], beyond ±1000"),
    ],
)
def test_bad_npy_is_refused(array: np.ndarray, kind: type[Exception], fragment: str) -> None:
    refused(npy(array), kind, fragment, "x.npy")


def test_npy_of_python_objects_is_refused_without_unpickling() -> None:
    refused(npy(np.array([print, 1], dtype=object)), Unusable, "pickled Python objects", "x.npy")


def test_truncated_npy_is_refused() -> None:
    refused(
        npy(np.ones((10, 2)))[:-8], Malformed, "truncated: shape (10, 2) of float64 needs 160 bytes", "x.npy"
    )
    refused(npy(np.ones((10, 2)))[:40], Malformed, "damaged or truncated .npy header", "x.npy")


def test_npy_with_too_many_steps_is_refused_before_its_values_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_limits(monkeypatch, max_steps=10)
    header_only = npy(np.zeros((11, 1)))[:128]  # the data is not even there: only the shape is read
    refused(header_only, TooLarge, "more than 10 time steps", "x.npy")
