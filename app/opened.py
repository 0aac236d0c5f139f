"""Models opened by POST /api/open: kept on disk under an unguessable key until a page opens them.

A notebook posts a model with its inputs; the page it is shown in opens `/?open=<key>` and its
WebSocket session reads the model from here (app/updates.py), so the weights never travel through
the socket. Files, not memory: with `--workers N` the page's socket may land on any worker.

- A key is `secrets.token_urlsafe(24)` (192 random bits) and is checked against KEY before any
  path is built from it, so a key names a file of this folder and nothing else.
- Each model is one .npz (no pickle: strings are NumPy unicode arrays), written to a temporary
  name and renamed, so a reader in another process sees the whole file or none.
- Bounded: a file older than open_max_age_seconds is gone; a new one pushes out the oldest while
  all of them would pass open_max_bytes (settings, app/config.py).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import tempfile
import time
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import get_settings
from .engine.embedding import TextModel
from .engine.gru import GRUWeights
from .engine.lstm import WEIGHT_NAMES, LSTMWeights
from .file_errors import TooLarge, setting
from .numpy_files import npz_bytes

KEY = re.compile(r"[A-Za-z0-9_-]{32}")  # what secrets.token_urlsafe(24) gives
SUFFIX = ".npz"
PARTIAL = ".part-"  # a file being written; never read
_TEXT_ARRAYS = ("embedding", "decoder_weight", "decoder_bias")


@dataclass(frozen=True)
class Opened:
    """A model and what it reads: x (T, D), or the text's token ids and their embedding rows."""

    weights: LSTMWeights | GRUWeights
    x: np.ndarray
    h0: np.ndarray | None = None
    c0: np.ndarray | None = None
    text: TextModel | None = None
    ids: np.ndarray | None = None
    title: str | None = None


class NotOpened(LookupError):
    """No model under this key: `code` open_unknown (never stored, or damaged) or open_expired."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def folder() -> Path:
    """Where opened models are kept (made on first use, readable by this user only)."""
    settings = get_settings()
    path = Path(settings.open_dir or Path(tempfile.gettempdir()) / "lstm-conveyor-opened")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def save(opened: Opened) -> str:
    """Store `opened` under a new key; TooLarge if it alone is over open_max_bytes."""
    data = to_bytes(opened)
    limit = get_settings().open_max_bytes
    if len(data) > limit:
        raise TooLarge("open_too_large", size=len(data), limit=limit, setting=setting("open_max_bytes"))
    where = folder()
    evict(where, incoming=len(data))
    key = secrets.token_urlsafe(24)
    handle, partial = tempfile.mkstemp(dir=where, prefix=PARTIAL, suffix=SUFFIX)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(partial, where / f"{key}{SUFFIX}")  # atomic: other workers see all or nothing
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return key


def load(key: str) -> Opened:
    """The model stored under `key`; NotOpened if there is none (or it expired)."""
    if not KEY.fullmatch(key):
        raise NotOpened("open_unknown")  # checked before the key comes near a path
    path = folder() / f"{key}{SUFFIX}"
    try:
        age = time.time() - path.stat().st_mtime
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotOpened("open_unknown") from None
    if age > get_settings().open_max_age_seconds:
        _remove(path)
        raise NotOpened("open_expired")
    try:
        return from_bytes(data)
    except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile):
        raise NotOpened("open_unknown") from None


def evict(where: Path, incoming: int = 0) -> None:
    """Remove what has expired, then the oldest files while they and `incoming` bytes would pass
    open_max_bytes. Another worker may remove the same file meanwhile: that is fine."""
    settings = get_settings()
    now, kept = time.time(), []
    for path in where.iterdir():
        if not path.name.endswith(SUFFIX):
            continue
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        if now - info.st_mtime > settings.open_max_age_seconds:
            _remove(path)
        elif not path.name.startswith(PARTIAL):
            kept.append((info.st_mtime, info.st_size, path))
    total = incoming + sum(size for _, size, _ in kept)
    for _, size, path in sorted(kept, key=lambda entry: entry[0]):
        if total <= settings.open_max_bytes:
            break
        _remove(path)
        total -= size


def _remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()


def to_bytes(opened: Opened) -> bytes:
    """One .npz: the arrays by name, and `meta` (UTF-8 JSON as uint8) for the rest."""
    weights, text = opened.weights, opened.text
    arrays: dict[str, np.ndarray] = {name: getattr(weights, name) for name in WEIGHT_NAMES}
    arrays["x"] = opened.x
    for name in ("h0", "c0", "ids"):
        value = getattr(opened, name)
        if value is not None:
            arrays[name] = value
    if text is not None:
        arrays["vocab"] = np.array(text.vocab, dtype=str)  # a unicode array: no pickle
        arrays |= {name: getattr(text, name) for name in _TEXT_ARRAYS if getattr(text, name) is not None}
    gru = weights.reset_after if isinstance(weights, GRUWeights) else None
    meta = {"kind": "lstm" if gru is None else "gru", "reset_after": gru, "title": opened.title}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return npz_bytes(arrays)


def from_bytes(data: bytes) -> Opened:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta: dict[str, Any] = json.loads(arrays.pop("meta").tobytes())
    tensors = {name: arrays[name] for name in WEIGHT_NAMES}
    weights: LSTMWeights | GRUWeights = (
        GRUWeights(**tensors, reset_after=bool(meta["reset_after"]))
        if meta["kind"] == "gru"
        else LSTMWeights(**tensors)
    )
    text = None
    if "vocab" in arrays:
        parts = {name: arrays.get(name) for name in _TEXT_ARRAYS}
        text = TextModel(tuple(str(token) for token in arrays["vocab"]), **parts)  # type: ignore[arg-type]
    title = meta.get("title")
    return Opened(
        weights, arrays["x"], arrays.get("h0"), arrays.get("c0"), text, arrays.get("ids"),
        title if isinstance(title, str) else None,
    )  # fmt: skip
