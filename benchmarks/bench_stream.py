"""Benchmark 3: trace steps per second delivered over a real WebSocket, and bytes per step.

The app runs under uvicorn in a subprocess on loopback (benchmarks/server.py), with a T=1000,
D=H=64 scenario loaded through the protocol. A Python `websockets` client (permessage-deflate
offered, as every browser does) times, interleaved with in-process references, medians:

- frame: `set_input` at t=0 → the frame of all T steps, decoded with orjson (recompute, encode,
  send, receive, decode). Reference: the same `Session.apply` + `app.encoding.dumps` +
  `orjson.loads` in this process, without the network and the event loop;
- snapshot: `sync` → the snapshot (no recompute). Reference: `Session.snapshot` encoded and
  decoded in this process.

Target: ≥ 50,000 steps/s. Bytes per step are the frame's JSON text over T; the reference is the
same numbers as raw float64 (8 bytes each). Two what-ifs, in-process only, show what compact
numbers would give for the same frame: JSON numbers rounded to 5 decimals (the page shows 4), and
float32 binary columns.

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
from app.messages import ClientMessage
from app.session import Session
from benchmarks.common import Row, check, run_standalone
from benchmarks.server import BENCH_SCENARIOS, Server, register_bench_scenarios, running_server

SCENARIO = "bench-h64"
STEPS = BENCH_SCENARIOS[SCENARIO]["steps"]
HIDDEN = BENCH_SCENARIOS[SCENARIO]["hidden"]
TARGET_STEPS_PER_S = 50_000
_messages: TypeAdapter[Any] = TypeAdapter(ClientMessage)


async def _receive(ws: ClientConnection, kind: str) -> tuple[dict[str, Any], int]:
    """The next message of this type, decoded, and its size in bytes."""
    while True:
        raw = await ws.recv()
        message: dict[str, Any] = orjson.loads(raw)
        if message["type"] == kind:
            return message, len(raw)
        if message["type"] == "error":
            raise RuntimeError(f"server error: {message}")


def _set_input(k: int) -> dict[str, Any]:
    return {"type": "set_input", "t": 0, "j": 0, "value": 0.5 if k % 2 else -0.5, "id": k}


def _reference_session() -> Session:
    register_bench_scenarios()
    session = Session()
    session.apply([_messages.validate_python({"type": "load", "scenario": SCENARIO})])
    return session


def _in_process_frame(session: Session, k: int) -> None:
    (reply,) = session.apply([_messages.validate_python(_set_input(k))])
    assert orjson.loads(dumps(reply))["type"] == "frame"


def _in_process_snapshot(session: Session) -> None:
    assert orjson.loads(dumps(session.snapshot()))["type"] == "snapshot"


async def _stream(server: Server, repeats: int, compression: str | None) -> dict[str, Any]:
    """Median seconds per frame and per snapshot over the socket, with the in-process references."""
    session = _reference_session()
    times: dict[str, list[float]] = {"frame": [], "frame_ref": [], "snapshot": [], "snapshot_ref": []}
    sizes: dict[str, int] = {}
    async with connect(server.ws_url, max_size=None, compression=compression) as ws:
        await _receive(ws, "snapshot")
        await ws.send(orjson.dumps({"type": "load", "scenario": SCENARIO}).decode())
        await _receive(ws, "snapshot")
        for k in range(1, repeats + 2):  # the first round warms up
            start = time.perf_counter()
            await ws.send(orjson.dumps(_set_input(k)).decode())
            frame, sizes["frame"] = await _receive(ws, "frame")
            middle = time.perf_counter()
            _in_process_frame(session, k)
            after_ref = time.perf_counter()
            await ws.send('{"type": "sync"}')
            _, sizes["snapshot"] = await _receive(ws, "snapshot")
            after_sync = time.perf_counter()
            _in_process_snapshot(session)
            end = time.perf_counter()
            assert frame["start"] == 0 and len(frame["trace"]["h"]) == STEPS
            if k > 1:
                for name, seconds in zip(
                    times,
                    (middle - start, after_ref - middle, after_sync - after_ref, end - after_sync),
                    strict=True,
                ):
                    times[name].append(seconds)
    return {"seconds": {name: statistics.median(values) for name, values in times.items()}, **sizes}


def _what_ifs(session: Session, repeats: int) -> list[tuple[str, float, int]]:
    """(name, median seconds, bytes) to encode and decode the same full frame in other forms."""
    (reply,) = session.apply([_messages.validate_python(_set_input(0))])
    arrays = {**reply["trace"], **{f"g.{k}": v for k, v in reply["gradients"].items()}}
    arrays |= {f"rnn.{k}": v for k, v in reply["rnn"].items()}

    def as_json() -> bytes:
        data = dumps(reply)
        orjson.loads(data)
        return data

    def rounded_json() -> bytes:
        data = orjson.dumps({k: v.round(5) for k, v in arrays.items()}, option=orjson.OPT_SERIALIZE_NUMPY)
        orjson.loads(data)
        return data

    def float32_binary() -> bytes:
        columns = [v.astype(np.float32) for v in arrays.values()]
        data = b"".join(column.tobytes() for column in columns)
        offset = 0
        for column in columns:  # what a client does: one view per column, no parsing
            np.frombuffer(data, np.float32, column.size, offset)
            offset += column.nbytes
        return data

    forms: dict[str, Callable[[], bytes]] = {
        "JSON as now (float64 repr)": as_json,
        "JSON, numbers rounded to 5 decimals": rounded_json,
        "binary float32 columns": float32_binary,
    }
    results: dict[str, list[float]] = {name: [] for name in forms}
    sizes = {name: len(form()) for name, form in forms.items()}
    for _ in range(repeats):
        for name, form in forms.items():
            start = time.perf_counter()
            form()
            results[name].append(time.perf_counter() - start)
    return [(name, statistics.median(results[name]), sizes[name]) for name in forms]


def _rate_row(case: str, seconds: float, reference: float, reference_name: str, data: dict[str, Any]) -> Row:
    rate = STEPS / seconds
    met, score = check(rate, TARGET_STEPS_PER_S, lower_is_better=False)
    return Row(
        benchmark="3 stream (WebSocket)",
        case=case,
        figure=f"{rate:,.0f} steps/s ({seconds * 1e3:.0f} ms)",
        reference=f"{reference_name} {STEPS / reference:,.0f} steps/s ({reference * 1e3:.0f} ms)",
        ratio=seconds / reference,
        target=f"≥ {TARGET_STEPS_PER_S:,} steps/s",
        met=met,
        score=score,
        data={**data, "steps_per_s": rate, "seconds": seconds, "reference_seconds": reference},
    )


def measure(quick: bool = False) -> list[Row]:
    repeats = 3 if quick else 9
    with running_server() as server:
        deflate = asyncio.run(_stream(server, repeats, "deflate"))
        plain = asyncio.run(_stream(server, max(3, repeats // 3), None))
    seconds = deflate["seconds"]
    base = {"T": STEPS, "H": HIDDEN, "D": HIDDEN}
    numbers_per_step = 17 * HIDDEN + HIDDEN + 4 * HIDDEN + 3 * HIDDEN + HIDDEN  # trace, gradients, rnn
    rows = [
        _rate_row(
            f"set_input t=0 → frame of {STEPS} steps, H={HIDDEN}, deflate",
            seconds["frame"],
            seconds["frame_ref"],
            "in-process apply+encode+decode",
            {**base, "bytes": deflate["frame"]},
        ),
        _rate_row(
            f"sync → snapshot of {STEPS} steps, H={HIDDEN}, deflate",
            seconds["snapshot"],
            seconds["snapshot_ref"],
            "in-process encode+decode",
            {**base, "bytes": deflate["snapshot"]},
        ),
        _rate_row(
            "set_input t=0 → frame, no compression",
            plain["seconds"]["frame"],
            plain["seconds"]["frame_ref"],
            "in-process apply+encode+decode",
            {**base, "bytes": plain["frame"]},
        ),
    ]
    per_step = deflate["frame"] / STEPS
    rows.append(
        Row(
            benchmark="3 stream (WebSocket)",
            case="bytes per step in a frame (JSON text, before deflate)",
            figure=f"{per_step:,.0f} B/step",
            reference=f"same numbers as float64: {8 * numbers_per_step:,} B/step",
            ratio=per_step / (8 * numbers_per_step),
            target="— (report)",
            met=None,
            data={**base, "bytes_per_step": per_step, "numbers_per_step": numbers_per_step},
        )
    )
    what_ifs = _what_ifs(_reference_session(), repeats)
    now_seconds, now_bytes = what_ifs[0][1], what_ifs[0][2]
    for name, form_seconds, size in what_ifs[1:]:
        rows.append(
            Row(
                benchmark="3 stream (WebSocket)",
                case=f"what-if, in-process encode+decode: {name}",
                figure=f"{STEPS / form_seconds:,.0f} steps/s, {size / STEPS:,.0f} B/step",
                reference=f"JSON as now {STEPS / now_seconds:,.0f} steps/s, {now_bytes / STEPS:,.0f} B/step",
                ratio=form_seconds / now_seconds,
                target="— (what-if)",
                met=None,
                data={**base, "seconds": form_seconds, "bytes": size, "reference_seconds": now_seconds},
            )
        )
    return rows


def main() -> None:
    run_standalone(__doc__, measure, "3 repeats instead of 9")


if __name__ == "__main__":
    main()
