""".npy and .npz from bytes, without pickle, every declared size checked before data is read.

An .npz is a zip of .npy entries. The zip's directory declares each entry's packed and unpacked
size; those are checked against the limits (and against each other: a zip bomb inflates
thousands of times) before anything is decompressed, and no entry is ever read past what it
declared. Only the few hundred bytes of each entry's .npy header are read up front; an entry's
data is read when the caller asks for that tensor.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .config import get_settings
from .file_errors import Malformed, TooLarge, Unusable, setting
from .tensor_file import Spec, TensorFile, require_float

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with entries, an empty archive
_HEADER_PEEK = 16 * 1024  # enough for any .npy header NumPy will parse (it stops at 10,000 bytes)
# Below this many unpacked bytes the compression ratio is not checked: a small all-zero bias
# legitimately deflates a few hundred times, and cannot cost much memory.
_RATIO_FLOOR = 1024 * 1024
_READ_ERRORS = (ValueError, SyntaxError, TypeError, EOFError, OSError, zlib.error, zipfile.BadZipFile)


@dataclass(frozen=True)
class NpyHeader:
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran: bool
    offset: int  # bytes before the data

    @property
    def data_bytes(self) -> int:
        return int(np.prod(self.shape, dtype=object)) * self.dtype.itemsize


def read_npy_header(head: bytes, what: str) -> NpyHeader:
    """Parse the .npy header at the start of `head` (format 1.0 or 2.0); no data is touched."""
    if not head.startswith(NPY_MAGIC):
        raise Malformed("npy_magic", name=what)
    stream = io.BytesIO(head)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise Malformed("npy_version", name=what, version=f"{version[0]}.{version[1]}")
    except _READ_ERRORS:
        raise Malformed("npy_header", name=what) from None
    if dtype.hasobject:
        raise Unusable("npy_objects", name=what)
    return NpyHeader(dtype, tuple(int(n) for n in shape), bool(fortran), stream.tell())


def npy_values(data: bytes, header: NpyHeader, what: str) -> np.ndarray:
    """The array after `header` in `data`, which must hold exactly the bytes the header declares."""
    available = len(data) - header.offset
    sizes = {"shape": str(header.shape), "dtype": header.dtype.name, "needed": header.data_bytes}
    if available < header.data_bytes:
        raise Malformed("npy_truncated", name=what, **sizes, available=available)
    if available > header.data_bytes:
        raise Malformed("npy_too_long", name=what, **sizes, available=available)
    flat = np.frombuffer(data, dtype=header.dtype, offset=header.offset)
    return flat.reshape(header.shape, order="F" if header.fortran else "C")


def open_npz(data: bytes) -> TensorFile:
    """The table of an .npz archive, its entries checked; data is read per tensor on demand."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _READ_ERRORS:
        raise Malformed("npz_unreadable") from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    _check_entries(entries)
    headers = {info.filename.removesuffix(".npy"): (info, _entry_header(archive, info)) for info in entries}
    specs = {name: Spec(_dtype_name(header.dtype), header.shape) for name, (_, header) in headers.items()}

    def load(name: str) -> np.ndarray:
        info, header = headers[name]
        require_float(name, specs[name])
        return npy_values(_read_entry(archive, info), header, info.filename).astype(np.float64)

    def load_strings(name: str) -> list[str]:
        info, header = headers[name]
        if header.dtype.kind != "U":
            raise Unusable("vocab_dtype", name=name, dtype=specs[name].dtype)
        values = npy_values(_read_entry(archive, info), header, info.filename)
        return [str(value) for value in values.reshape(-1)]

    return TensorFile(specs, load, load_strings=load_strings)


def npz_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    """An uncompressed .npz, as np.savez writes it."""
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **cast(dict[str, Any], tensors))
    return buffer.getvalue()


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    settings = get_settings()
    if len(entries) > settings.max_tensors:
        raise TooLarge(
            "too_many_entries", count=len(entries), limit=settings.max_tensors, setting=setting("max_tensors")
        )
    seen: set[str] = set()
    for info in entries:
        _check_entry(info, settings.max_compression_ratio)
        if info.filename in seen:
            raise Malformed("npz_duplicate", name=info.filename)
        seen.add(info.filename)
    total = sum(info.file_size for info in entries)
    if total > settings.max_unpacked_bytes:
        raise TooLarge(
            "npz_too_large",
            size=total,
            limit=settings.max_unpacked_bytes,
            setting=setting("max_unpacked_bytes"),
        )


def _check_entry(info: zipfile.ZipInfo, max_ratio: float) -> None:
    name = info.filename
    if name.endswith(".pkl"):
        raise Unusable("npz_pickle", name=name)
    if not name.endswith(".npy"):
        raise Malformed("npz_not_npy", name=name)
    if info.flag_bits & 0x1:
        raise Malformed("npz_encrypted", name=name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Malformed("npz_compression", name=name, method=info.compress_type)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FLOOR and ratio > max_ratio:
        raise TooLarge(
            "zip_bomb",
            name=name,
            packed=info.compress_size,
            unpacked=info.file_size,
            ratio=f"{ratio:.0f}",
            limit=f"{max_ratio:g}",
            setting=setting("max_compression_ratio"),
        )


def _entry_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> NpyHeader:
    """The .npy header of one entry, from its first few KiB; its sizes must match the directory's."""
    try:
        with archive.open(info) as entry:
            head = entry.read(min(info.file_size, _HEADER_PEEK))
    except _READ_ERRORS as err:
        raise Malformed("npz_unpack", name=info.filename, reason=str(err)) from None
    header = read_npy_header(head, info.filename)
    if header.offset + header.data_bytes != info.file_size:
        raise Malformed(
            "npz_size_mismatch",
            name=info.filename,
            declared=info.file_size,
            shape=str(header.shape),
            dtype=header.dtype.name,
            size=header.offset + header.data_bytes,
        )
    return header


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One entry, whole; never more than the size its directory record declared (already checked)."""
    try:
        with archive.open(info) as entry:
            data = entry.read(info.file_size + 1)
    except _READ_ERRORS as err:
        raise Malformed("npz_unpack", name=info.filename, reason=str(err)) from None
    if len(data) != info.file_size:
        raise Malformed("npz_entry_size", name=info.filename, declared=info.file_size)
    return data


def _dtype_name(dtype: np.dtype) -> str:
    """ "float32", "int64", "complex128", "bool"; "str" or "bytes" for text; "structured" for records."""
    if dtype.fields is not None:
        return "structured"
    return {"U": "str", "S": "bytes", "V": "void"}.get(dtype.kind, dtype.name)
