"""glibc's allocator, tuned for traces: keep freed memory for reuse while sessions run, give it
back to the operating system when the last session leaves.

By default glibc returns large freed blocks to the OS at once, so every recompute pays again for
fresh pages (measured: a T=1000, H=64 run 16.0 → 9.4 ms with the tuning; benchmarks/README.md).
Elsewhere than glibc (musl, macOS) both functions do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_TRIM_THRESHOLD = 512 * 1024 * 1024  # keep up to this much freed memory in the heap
_MMAP_THRESHOLD = 64 * 1024 * 1024  # blocks below this come from the heap, not fresh mappings


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def tune_allocator() -> bool:
    """Call once at start-up; True when glibc took the settings."""
    libc = _libc()
    if libc is None:
        return False
    ok = libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) and libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    log.debug("allocator tuned: %s", bool(ok))
    return bool(ok)


def release_free_memory() -> None:
    """Give the heap's free memory back to the OS (when no session is left to reuse it)."""
    gc.collect()  # closed connections leave reference cycles; free them before trimming
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
