"""Models opened by POST /api/open: kept on disk under an unguessable key until a page opens them.

A notebook posts a model with its inputs; the page it is shown in opens `/?open=<key>` and its
WebSocket session reads the model from here (app/updates.py), so the weights never travel through
the socket. Files, not memory: with `--workers N` the page's socket may land on any worker.

- A key is `secrets.token_urlsafe(24)` (192 random bits) and is checked against KEY before any
  path is built from it, so a key names a file of this folder and nothing else.
- Each model is one .npz (no pickle: strings are NumPy unicode arrays), its weights as float32
  where that is exact (the engine widens them back to the same float64), written to a temporary
  name and renamed, so a reader in another process sees the whole file or none. A stack keeps
  every direction of every layer (`l{k}.{name}`, `l{k}_reverse.{name}`), so the session it opens
  can show any of them, as a `restore` with `stack` can.
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
from .engine.stack import Stack, StackLayer
from .file_errors import TooLarge, setting
from .numpy_files import npz_bytes

KEY = re.compile(r"[A-Za-z0-9_-]{32}")  # what secrets.token_urlsafe(24) gives
SUFFIX = ".npz"
PARTIAL = ".part-"  # a file being written; never read
_TEXT_ARRAYS = ("embedding", "decoder_weight", "decoder_bias")


@dataclass(frozen=True)
class Opened:
    """A model and what it reads: x (T, D), or the text's token ids and their embedding rows.

    A stack's `weights` are the direction it shows first, (layer, reverse) = `shown`; x is then
    layer 0's input, and h0, c0 the shown direction's."""

    weights: LSTMWeights | GRUWeights
    x: np.ndarray
    h0: np.ndarray | None = None
    c0: np.ndarray | None = None
    text: TextModel | None = None
    ids: np.ndarray | None = None
    title: str | None = None
    stack: Stack | None = None
    shown: tuple[int, bool] = (0, False)


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
    """Store `opened` under a new key; TooLarge if it alone is over open_max_bytes. Written straight
    to its file (a full-size stack is 55 MB: no copy of it in memory first), then sized."""
    where, limit = folder(), get_settings().open_max_bytes
    handle, partial = tempfile.mkstemp(dir=where, prefix=PARTIAL, suffix=SUFFIX)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, allow_pickle=False, **_arrays(opened))
            size = file.tell()
        if size > limit:
            raise TooLarge("open_too_large", size=size, limit=limit, setting=setting("open_max_bytes"))
        evict(where, incoming=size)  # a partial file is never counted nor pushed out but by age
        key = secrets.token_urlsafe(24)
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
    except (ValueError, KeyError, IndexError, TypeError, OSError, zipfile.BadZipFile):
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
    return npz_bytes(_arrays(opened))


def _arrays(opened: Opened) -> dict[str, np.ndarray]:
    """What the .npz holds by name: the weights, x, the state, the text, and `meta`."""
    weights, text = opened.weights, opened.text
    arrays = _stack_arrays(opened.stack) if opened.stack is not None else _weight_arrays(weights)
    arrays["x"] = opened.x
    for name in ("h0", "c0", "ids"):
        value = getattr(opened, name)
        if value is not None:
            arrays[name] = value
    if text is not None:
        arrays["vocab"] = np.array(text.vocab, dtype=str)  # a unicode array: no pickle
        arrays |= {name: getattr(text, name) for name in _TEXT_ARRAYS if getattr(text, name) is not None}
    gru = weights.reset_after if isinstance(weights, GRUWeights) else None
    meta: dict[str, Any] = {"kind": "gru" if gru is not None else "lstm", "reset_after": gru}
    meta["title"] = opened.title
    if opened.stack is not None:
        meta |= {"layers": len(opened.stack.layers), "shown": list(opened.shown)}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return arrays


def from_bytes(data: bytes) -> Opened:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta: dict[str, Any] = json.loads(arrays.pop("meta").tobytes())
    stack, shown = _stack_of(arrays, meta)
    weights: LSTMWeights | GRUWeights
    if stack is not None:
        weights = stack.layers[shown[0]].direction(shown[1])
    elif meta["kind"] == "gru":
        weights = GRUWeights(**_tensors(arrays), reset_after=bool(meta["reset_after"]))
    else:
        weights = LSTMWeights(**_tensors(arrays))
    text = None
    if "vocab" in arrays:
        parts = {name: arrays.get(name) for name in _TEXT_ARRAYS}
        text = TextModel(tuple(str(token) for token in arrays["vocab"]), **parts)  # type: ignore[arg-type]
    title = meta.get("title")
    return Opened(
        weights, arrays["x"], arrays.get("h0"), arrays.get("c0"), text, arrays.get("ids"),
        title if isinstance(title, str) else None, stack, shown,
    )  # fmt: skip


def _weight_arrays(weights: LSTMWeights | GRUWeights, prefix: str = "") -> dict[str, np.ndarray]:
    return {f"{prefix}{name}": _narrowed(getattr(weights, name)) for name in WEIGHT_NAMES}


def _narrowed(values: np.ndarray) -> np.ndarray:
    """float32 when that holds every value exactly (a model saved as float32 always does), else
    float64 as given: half the bytes to write and read back, and the same numbers, since reading
    widens them again (engine layers hold float64)."""
    narrow = values.astype(np.float32)
    return narrow if np.array_equal(narrow, values) else values


def _tensors(arrays: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    return {name: arrays[f"{prefix}{name}"] for name in WEIGHT_NAMES}


def _stack_arrays(stack: Stack) -> dict[str, np.ndarray]:
    """Every direction of every layer, `l{k}.weight_ih` and `l{k}_reverse.weight_ih` (PyTorch's
    names for them), and nothing stored twice: the shown direction is one of them."""
    arrays: dict[str, np.ndarray] = {}
    for k, layer in enumerate(stack.layers):
        arrays |= _weight_arrays(layer.forward, f"l{k}.")
        if layer.reverse is not None:
            arrays |= _weight_arrays(layer.reverse, f"l{k}_reverse.")
    return arrays


def _direction(arrays: dict[str, np.ndarray], name: str) -> LSTMWeights | None:
    return LSTMWeights(**_tensors(arrays, f"{name}.")) if f"{name}.weight_ih" in arrays else None


def _stack_of(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> tuple[Stack | None, tuple[int, bool]]:
    """The stored stack and the direction shown first, or (None, (0, False)) for one layer.
    A damaged file (a layer missing, sizes that do not chain) raises: open_unknown."""
    depth = meta.get("layers")
    if not isinstance(depth, int):
        return None, (0, False)
    layers = []
    for k in range(depth):
        forward = _direction(arrays, f"l{k}")
        if forward is None:
            raise KeyError(f"layer {k} of the stack is missing")
        layers.append(StackLayer(forward, _direction(arrays, f"l{k}_reverse")))
    stack = Stack(tuple(layers))
    layer, reverse = int(meta["shown"][0]), bool(meta["shown"][1])
    stack.layers[layer].direction(reverse)  # IndexError or ValueError if it is not there
    return stack, (layer, reverse)
