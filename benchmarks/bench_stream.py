"""Benchmark 3: a `set_input`'s answer over a real WebSocket: latency, steps per second, bytes.

The app runs under uvicorn in a subprocess on loopback (benchmarks/server.py), with a T=1000,
D=H=64 model (`bench-h64`) restored through the protocol. A Python `websockets` client
(permessage-deflate offered, as every browser does; the server declines it by default) times, for
each encoding — JSON text (`/ws`) and binary columns (`/ws?encoding=binary`, app/wire.py, what
the page uses) — and for two sets of views, interleaved with in-process references, medians:

- views: every view (a client that never sends `views`: the trace, the gradients and the RNN
  foil), and the page's first screen only (`{"type": "views", "shown": ["belt", "timeline"],
  "units": [0, …, 5]}`, sent once after the restore, as the page does with the six lanes a
  1400×900 window shows: no gradients, no RNN foil, those units' columns);
- frame: `set_input` at t=0 → the frame of all T steps, decoded (JSON: orjson; binary:
  app.wire.decode into NumPy arrays): recompute, encode, send, receive, decode. References, in
  this process on a session given the same messages: `Session.apply` alone (the floor no
  encoding and no network goes below), and `Session.apply` + encode + decode;
- snapshot: `sync` → the snapshot (no recompute). Reference: `Session.snapshot` encoded and
  decoded in this process.

Targets, on the first screen's views and binary columns: the frame answered (send → received and
decoded) in ≤ 10 ms, p50, and ≥ 50,000 steps/s. The rows for every view and for JSON are
reported. Bytes per step are a frame's message over T; the reference is the same numbers as raw
float64 (8 bytes each).

    .venv/bin/python -m benchmarks.bench_stream [--quick]
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson
from pydantic import TypeAdapter
from websockets.asyncio.client import ClientConnection, connect

from app.encoding import dumps
from app.memory import tune_allocator
from app.messages import ClientMessage
from app.session import Session
from app.wire import decode, encode
from benchmarks.common import Row, check, percentile, run_standalone
from benchmarks.server import BENCH_SCENARIOS, Server, restore_message, running_server, whole_payloads

SCENARIO = "bench-h64"
STEPS = BENCH_SCENARIOS[SCENARIO]["steps"]
HIDDEN = BENCH_SCENARIOS[SCENARIO]["hidden"]
TARGET_STEPS_PER_S = 50_000
TARGET_LATENCY_MS = 10.0
BENCHMARK = "3 stream (WebSocket)"
_messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)

# Per encoding: the query that asks for it, and encode/decode as the server and a client do them.
ENCODINGS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes], Callable[[bytes], dict[str, Any]]]] = {
    "JSON": ("", dumps, orjson.loads),
    "binary": ("?encoding=binary", encode, decode),
}
# The views a client shows: None sends no `views` message (every view, as before the protocol had
# one); the first screen is what the page shows with no deep dive in sight: the belt and the belt
# over time, for the units of the belt's lanes (six fit a 1400×900 window; the page asks for
# those units' columns, as docs/protocol.md's `views` says).
FIRST_SCREEN = ["belt", "timeline"]
FIRST_SCREEN_UNITS = list(range(6))
VIEWS: dict[str, list[str] | None] = {"every view": None, "first screen": FIRST_SCREEN}
JUDGED = ("first screen", "binary")  # (views, encoding) the targets are judged on
SAMPLES = ("frame", "apply", "frame_ref", "snapshot", "snapshot_ref")


def _decoded(raw: str | bytes, decoder: Callable[[bytes], dict[str, Any]]) -> dict[str, Any]:
    """A received message: binary through the encoding's decoder; text (errors, JSON) as JSON."""
    if isinstance(raw, bytes):
        return decoder(raw)
    message: dict[str, Any] = orjson.loads(raw)
    return message


async def _receive(
    ws: ClientConnection, kind: str, decoder: Callable[[bytes], dict[str, Any]]
) -> tuple[dict[str, Any], int]:
    """The next message of this type, decoded, and its size in bytes (characters for text)."""
    while True:
        raw = await ws.recv()
        message = _decoded(raw, decoder)
        if message["type"] == kind:
            return message, len(raw)
        if message["type"] == "error":
            raise RuntimeError(f"server error: {message}")


def _set_input(k: int) -> dict[str, Any]:
    return {"type": "set_input", "t": 0, "j": 0, "value": 0.5 if k % 2 else -0.5, "id": k}


def _views(shown: list[str]) -> dict[str, Any]:
    return {"type": "views", "shown": shown, "units": FIRST_SCREEN_UNITS}


def _reference_session(shown: list[str] | None) -> Session:
    session = Session()
    (snapshot,) = session.apply([_messages.validate_python(restore_message(SCENARIO))])
    assert snapshot["type"] == "snapshot", snapshot
    if shown is not None:
        # Other units than before: the server answers with a snapshot of their columns.
        (answer,) = session.apply([_messages.validate_python(_views(shown))])
        assert answer["type"] == "snapshot" and answer["units"] == FIRST_SCREEN_UNITS, answer["type"]
    return session


def _numbers(message: Any) -> int:
    """How many numbers the arrays of an outgoing message hold."""
    if isinstance(message, np.ndarray):
        return int(message.size)
    if isinstance(message, dict):
        return sum(_numbers(value) for value in message.values())
    return 0


async def _stream(server: Server, repeats: int, encoding: str, shown: list[str] | None) -> dict[str, Any]:
    """Seconds per frame and per snapshot over the socket, with the in-process references, one
    sample each per round; the sizes of a frame and a snapshot, and the numbers a frame holds."""
    query, encoder, decoder = ENCODINGS[encoding]
    session = _reference_session(shown)
    runs: dict[str, list[float]] = {name: [] for name in SAMPLES}
    sizes: dict[str, int] = {}
    async with connect(server.ws_url + query, max_size=None, compression="deflate") as ws:
        await _receive(ws, "snapshot", decoder)
        await ws.send(orjson.dumps(restore_message(SCENARIO)).decode())
        await _receive(ws, "snapshot", decoder)
        if shown is not None:
            await ws.send(orjson.dumps(_views(shown)).decode())
            await _receive(ws, "snapshot", decoder)  # the first screen's units' columns
        for k in range(1, repeats + 2):  # the first round warms up
            start = time.perf_counter()
            await ws.send(orjson.dumps(_set_input(k)).decode())
            frame, sizes["frame"] = await _receive(ws, "frame", decoder)
            sample = {"frame": time.perf_counter() - start}
            start = time.perf_counter()
            (reply,) = session.apply([_messages.validate_python(_set_input(k))])
            sample["apply"] = time.perf_counter() - start
            assert decoder(encoder(reply))["type"] == "frame"
            sample["frame_ref"] = time.perf_counter() - start
            start = time.perf_counter()
            await ws.send('{"type": "sync"}')
            _, sizes["snapshot"] = await _receive(ws, "snapshot", decoder)
            sample["snapshot"] = time.perf_counter() - start
            start = time.perf_counter()
            assert decoder(encoder(session.snapshot()))["type"] == "snapshot"
            sample["snapshot_ref"] = time.perf_counter() - start
            assert frame["start"] == 0 and len(frame["trace"]["h"]) == STEPS
            assert frame["units"] == (None if shown is None else FIRST_SCREEN_UNITS)
            assert ("gradients" in frame) == (shown is None), "the views did not change what was sent"
            if k > 1:
                for name in SAMPLES:
                    runs[name].append(sample[name])
            sizes["numbers"] = _numbers(reply)
    return {"samples": runs, **sizes}


def _median(measured: dict[str, Any], name: str) -> float:
    samples: list[float] = measured["samples"][name]
    return statistics.median(samples)


def _rate_row(
    case: str, seconds: float, reference: float, reference_name: str, judged: bool, data: dict[str, Any]
) -> Row:
    rate = STEPS / seconds
    met, score = check(rate, TARGET_STEPS_PER_S, lower_is_better=False)
    return Row(
        benchmark=BENCHMARK,
        case=case,
        figure=f"{rate:,.0f} steps/s ({seconds * 1e3:.1f} ms)",
        reference=f"{reference_name} {STEPS / reference:,.0f} steps/s ({reference * 1e3:.1f} ms)",
        ratio=seconds / reference,
        target=f"≥ {TARGET_STEPS_PER_S:,} steps/s" if judged else "— (report)",
        met=met if judged else None,
        score=score if judged else None,
        data={**data, "steps_per_s": rate, "seconds": seconds, "reference_seconds": reference},
    )


def _rows(views: str, encoding: str, measured: dict[str, Any], base: dict[str, Any]) -> list[Row]:
    """Frame and snapshot rates over the socket, and bytes per step, for one set of views and one
    encoding; for the judged pair also the frame's latency against `Session.apply` alone."""
    judged = (views, encoding) == JUDGED
    frame, frame_ref, apply = (_median(measured, name) for name in ("frame", "frame_ref", "apply"))
    label = f"{encoding}, {views}"
    data = {**base, "encoding": encoding, "views": VIEWS[views], "samples": measured["samples"]}
    rows = []
    if judged:
        latencies = [1e3 * s for s in measured["samples"]["frame"]]
        applies = [1e3 * s for s in measured["samples"]["apply"]]
        p50, p95, apply50 = percentile(latencies, 50), percentile(latencies, 95), percentile(applies, 50)
        met, score = check(p50, TARGET_LATENCY_MS)
        rows.append(
            Row(
                benchmark=BENCHMARK,
                case=f"{label} ({', '.join(FIRST_SCREEN)}): set_input t=0 → frame received and decoded, "
                f"p50 (p95 {p95:.1f} ms), T={STEPS}, H={HIDDEN}",
                figure=f"{p50:.1f} ms",
                reference=f"Session.apply in-process p50 {apply50:.1f} ms",
                ratio=p50 / apply50,
                target=f"≤ {TARGET_LATENCY_MS:g} ms",
                met=met,
                score=score,
                data={**data, "p50_ms": p50, "p95_ms": p95, "apply_p50_ms": apply50},
            )
        )
    per_step = measured["frame"] / STEPS
    numbers = measured["numbers"] / STEPS
    rows += [
        _rate_row(
            f"{label}: set_input t=0 → frame of {STEPS} steps, H={HIDDEN}",
            frame,
            frame_ref,
            f"in-process apply+encode+decode ({encoding})",
            judged,
            {**data, "bytes": measured["frame"]},
        ),
        _rate_row(
            f"{label}: sync → snapshot of {STEPS} steps, H={HIDDEN}",
            _median(measured, "snapshot"),
            _median(measured, "snapshot_ref"),
            f"in-process encode+decode ({encoding})",
            False,
            {**data, "bytes": measured["snapshot"]},
        ),
        Row(
            benchmark=BENCHMARK,
            case=f"{label}: bytes per step in a frame",
            figure=f"{per_step:,.0f} B/step",
            reference=f"same numbers as float64: {8 * numbers:,.0f} B/step",
            ratio=per_step / (8 * numbers),
            target="— (report)",
            met=None,
            data={**data, "bytes_per_step": per_step, "numbers_per_step": numbers},
        ),
    ]
    if encoding == "binary":  # the page's encoding
        rows.append(
            Row(
                benchmark=BENCHMARK,
                case=f"{views}: the recompute alone, Session.apply of that set_input (no encoding, "
                "no network)",
                figure=f"{STEPS / apply:,.0f} steps/s ({apply * 1e3:.1f} ms)",
                reference=f"{encoding} over the socket {STEPS / frame:,.0f} steps/s ({frame * 1e3:.1f} ms)",
                ratio=apply / frame,
                target="— (the floor no encoding goes below)",
                met=None,
                data={**data, "seconds": apply, "reference_seconds": frame},
            )
        )
    return rows


def measure(quick: bool = False) -> list[Row]:
    # The in-process references run with the allocator as the server runs it (app/__main__.py):
    # otherwise they pay for touching freshly mapped trace arrays that the server does not.
    tune_allocator()
    repeats = 5 if quick else 21
    base = {"T": STEPS, "H": HIDDEN, "D": HIDDEN}
    rows: list[Row] = []
    with whole_payloads(), running_server() as server:
        for views, shown in VIEWS.items():
            measured = {
                encoding: asyncio.run(_stream(server, repeats, encoding, shown)) for encoding in ENCODINGS
            }
            for encoding in ENCODINGS:
                rows += _rows(views, encoding, measured[encoding], base)
            binary, text = _median(measured["binary"], "frame"), _median(measured["JSON"], "frame")
            rows.append(
                Row(
                    benchmark=BENCHMARK,
                    case=f"{views}: binary vs JSON, the same frame over the socket",
                    figure=f"binary {STEPS / binary:,.0f} steps/s ({binary * 1e3:.1f} ms)",
                    reference=f"JSON {STEPS / text:,.0f} steps/s ({text * 1e3:.1f} ms)",
                    ratio=binary / text,
                    target="— (report)",
                    met=None,
                    data={**base, "views": shown, "seconds": binary, "reference_seconds": text},
                )
            )
    return rows


def main() -> None:
    run_standalone(__doc__, measure, "5 repeats instead of 21")


if __name__ == "__main__":
    main()
