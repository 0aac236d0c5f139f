"""Benchmark 3: trace steps per second delivered over a real WebSocket, and bytes per step.

The app runs under uvicorn in a subprocess on loopback (benchmarks/server.py), with a T=1000,
D=H=64 scenario loaded through the protocol. A Python `websockets` client (permessage-deflate
offered, as every browser does; the server declines it by default) times, for each encoding —
JSON text (`/ws`) and binary columns (`/ws?encoding=binary`, app/wire.py) — interleaved with
in-process references, medians:

- frame: `set_input` at t=0 → the frame of all T steps, decoded (JSON: orjson; binary:
  app.wire.decode into NumPy arrays): recompute, encode, send, receive, decode. Reference: the same
  `Session.apply` + encode + decode in this process, without the network and the event loop;
- snapshot: `sync` → the snapshot (no recompute). Reference: `Session.snapshot` encoded and
  decoded in this process.

Target: ≥ 50,000 steps/s. Bytes per step are a frame's message over T; the reference is the same
numbers as raw float64 (8 bytes each). Binary is also compared with JSON over the socket, and the
recompute alone (`Session.apply` without encoding) shows the floor no encoding can go below.

    .venv/bin/python -m benchmarks.bench_stream [--quick]
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import TypeAdapter
from websockets.asyncio.client import ClientConnection, connect

from app.encoding import dumps
from app.messages import ClientMessage
from app.session import Session
from app.wire import decode, encode
from benchmarks.common import Row, check, run_standalone
from benchmarks.server import BENCH_SCENARIOS, Server, restore_message, running_server

SCENARIO = "bench-h64"
STEPS = BENCH_SCENARIOS[SCENARIO]["steps"]
HIDDEN = BENCH_SCENARIOS[SCENARIO]["hidden"]
TARGET_STEPS_PER_S = 50_000
BENCHMARK = "3 stream (WebSocket)"
_messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)

# Per encoding: the query that asks for it, and encode/decode as the server and a client do them.
ENCODINGS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes], Callable[[bytes], dict[str, Any]]]] = {
    "JSON": ("", dumps, orjson.loads),
    "binary": ("?encoding=binary", encode, decode),
}


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


def _reference_session() -> Session:
    session = Session()
    (snapshot,) = session.apply([_messages.validate_python(restore_message(SCENARIO))])
    assert snapshot["type"] == "snapshot", snapshot
    return session


async def _stream(server: Server, repeats: int, encoding: str) -> dict[str, Any]:
    """Median seconds per frame and per snapshot over the socket, with the in-process references."""
    query, encoder, decoder = ENCODINGS[encoding]
    session = _reference_session()
    runs: dict[str, list[float]] = {name: [] for name in ("frame", "frame_ref", "snapshot", "snapshot_ref")}
    sizes: dict[str, int] = {}
    async with connect(server.ws_url + query, max_size=None, compression="deflate") as ws:
        await _receive(ws, "snapshot", decoder)
        await ws.send(orjson.dumps(restore_message(SCENARIO)).decode())
        await _receive(ws, "snapshot", decoder)
        for k in range(1, repeats + 2):  # the first round warms up
            times = [time.perf_counter()]
            await ws.send(orjson.dumps(_set_input(k)).decode())
            frame, sizes["frame"] = await _receive(ws, "frame", decoder)
            times.append(time.perf_counter())
            (reply,) = session.apply([_messages.validate_python(_set_input(k))])
            assert decoder(encoder(reply))["type"] == "frame"
            times.append(time.perf_counter())
            await ws.send('{"type": "sync"}')
            _, sizes["snapshot"] = await _receive(ws, "snapshot", decoder)
            times.append(time.perf_counter())
            assert decoder(encoder(session.snapshot()))["type"] == "snapshot"
            times.append(time.perf_counter())
            assert frame["start"] == 0 and len(frame["trace"]["h"]) == STEPS
            if k > 1:
                for name, (start, end) in zip(runs, itertools.pairwise(times), strict=True):
                    runs[name].append(end - start)
    return {"seconds": {name: statistics.median(values) for name, values in runs.items()}, **sizes}


def _recompute_alone(repeats: int) -> float:
    """Median seconds of `Session.apply` for the same set_input, with no encoding at all."""
    session = _reference_session()
    times = []
    for k in range(repeats + 1):
        start = time.perf_counter()
        session.apply([_messages.validate_python(_set_input(k))])
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def _rate_row(case: str, seconds: float, reference: float, reference_name: str, data: dict[str, Any]) -> Row:
    rate = STEPS / seconds
    met, score = check(rate, TARGET_STEPS_PER_S, lower_is_better=False)
    return Row(
        benchmark=BENCHMARK,
        case=case,
        figure=f"{rate:,.0f} steps/s ({seconds * 1e3:.0f} ms)",
        reference=f"{reference_name} {STEPS / reference:,.0f} steps/s ({reference * 1e3:.0f} ms)",
        ratio=seconds / reference,
        target=f"≥ {TARGET_STEPS_PER_S:,} steps/s",
        met=met,
        score=score,
        data={**data, "steps_per_s": rate, "seconds": seconds, "reference_seconds": reference},
    )


def _encoding_rows(encoding: str, measured: dict[str, Any], base: dict[str, Any]) -> list[Row]:
    """Frame and snapshot rates over the socket, and bytes per step, for one encoding."""
    seconds = measured["seconds"]
    numbers_per_step = 17 * HIDDEN + HIDDEN + 4 * HIDDEN + 3 * HIDDEN + HIDDEN  # trace, gradients, rnn
    per_step = measured["frame"] / STEPS
    data = {**base, "encoding": encoding}
    return [
        _rate_row(
            f"{encoding}: set_input t=0 → frame of {STEPS} steps, H={HIDDEN}",
            seconds["frame"],
            seconds["frame_ref"],
            f"in-process apply+encode+decode ({encoding})",
            {**data, "bytes": measured["frame"]},
        ),
        _rate_row(
            f"{encoding}: sync → snapshot of {STEPS} steps, H={HIDDEN}",
            seconds["snapshot"],
            seconds["snapshot_ref"],
            f"in-process encode+decode ({encoding})",
            {**data, "bytes": measured["snapshot"]},
        ),
        Row(
            benchmark=BENCHMARK,
            case=f"{encoding}: bytes per step in a frame",
            figure=f"{per_step:,.0f} B/step",
            reference=f"same numbers as float64: {8 * numbers_per_step:,} B/step",
            ratio=per_step / (8 * numbers_per_step),
            target="— (report)",
            met=None,
            data={**data, "bytes_per_step": per_step, "numbers_per_step": numbers_per_step},
        ),
    ]


def measure(quick: bool = False) -> list[Row]:
    repeats = 3 if quick else 9
    with running_server() as server:
        measured = {encoding: asyncio.run(_stream(server, repeats, encoding)) for encoding in ENCODINGS}
    recompute = _recompute_alone(repeats)
    base = {"T": STEPS, "H": HIDDEN, "D": HIDDEN}
    rows = [row for encoding in ENCODINGS for row in _encoding_rows(encoding, measured[encoding], base)]
    binary, text = measured["binary"]["seconds"]["frame"], measured["JSON"]["seconds"]["frame"]
    rows.append(
        Row(
            benchmark=BENCHMARK,
            case="binary vs JSON: the same frame over the socket",
            figure=f"binary {STEPS / binary:,.0f} steps/s ({binary * 1e3:.0f} ms)",
            reference=f"JSON {STEPS / text:,.0f} steps/s ({text * 1e3:.0f} ms)",
            ratio=binary / text,
            target="— (report)",
            met=None,
            data={**base, "seconds": binary, "reference_seconds": text},
        )
    )
    rows.append(
        Row(
            benchmark=BENCHMARK,
            case="the recompute alone: Session.apply of that set_input, no encoding",
            figure=f"{STEPS / recompute:,.0f} steps/s ({recompute * 1e3:.0f} ms)",
            reference=f"binary over the socket {STEPS / binary:,.0f} steps/s ({binary * 1e3:.0f} ms)",
            ratio=recompute / binary,
            target="— (the floor no encoding goes below)",
            met=None,
            data={**base, "seconds": recompute, "reference_seconds": binary},
        )
    )
    return rows


def main() -> None:
    run_standalone(__doc__, measure, "3 repeats instead of 9")


if __name__ == "__main__":
    main()
