"""Benchmark 6: the server's resident memory per session at T=1000, D=H=64.

A fresh uvicorn subprocess (benchmarks/server.py) serves one warm-up session (so imports and the
first scenario are paid for), whose departure leaves the baseline RSS. Then N=8 sessions connect
one by one, load the T=1000, D=H=64 scenario and stay open; one session's cost is the slope of
RSS from the 2nd to the 8th (the first ones reuse memory malloc kept from the warm-up).
Reference: the baseline RSS itself, and the bytes of the arrays one session holds (its Results:
trace, gradients, RNN foil), measured in this process. The issue sets no target. Median over
fresh servers.

    .venv/bin/python -m benchmarks.bench_memory [--quick]
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np
import orjson
import psutil
from websockets.asyncio.client import ClientConnection, connect

from app.computation import compute
from app.engine.knobs import Knobs
from benchmarks.common import Row, run_standalone
from benchmarks.server import BENCH_SCENARIOS, bench_scenario, restore_message, running_server, whole_payloads

SCENARIO = "bench-h64"
SESSIONS = 8
FIRST = 2  # sessions opened before the slope is read
SETTLE_SECONDS = 1.0


async def _open_session(url: str) -> ClientConnection:
    """A connection whose session holds the benchmark model (its snapshot received)."""
    ws = await connect(url, max_size=None)
    for message in (None, restore_message(SCENARIO)):
        if message is not None:
            await ws.send(orjson.dumps(message).decode())
        while (reply := orjson.loads(await ws.recv()))["type"] != "snapshot":
            if reply["type"] == "error":  # e.g. a snapshot over the message limit
                raise RuntimeError(f"the server refused the benchmark session: {reply}")
    return ws


async def _one_round(url: str, pid: int, sessions: int) -> dict[str, float]:
    process = psutil.Process(pid)
    warm = await _open_session(url)
    await warm.close()
    await asyncio.sleep(SETTLE_SECONDS)
    baseline = float(process.memory_info().rss)
    open_sessions, rss = [], []
    for _ in range(sessions):
        open_sessions.append(await _open_session(url))
        await asyncio.sleep(SETTLE_SECONDS / 4)
        rss.append(float(process.memory_info().rss))
    loaded = rss[-1]
    for ws in open_sessions:
        await ws.close()
    await asyncio.sleep(SETTLE_SECONDS)
    after = float(process.memory_info().rss)
    # The slope past the first sessions: those first reuse what malloc kept from the warm-up.
    per_session = (rss[-1] - rss[FIRST - 1]) / (sessions - FIRST)
    return {"baseline": baseline, "loaded": loaded, "after": after, "per_session": per_session}


def _array_bytes(value: Any) -> int:
    """Bytes of every NumPy array inside a (nested) dataclass."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if is_dataclass(value) and not isinstance(value, type):
        return sum(_array_bytes(getattr(value, f.name)) for f in fields(value))
    return 0


def measure(quick: bool = False) -> list[Row]:
    rounds = 1 if quick else 3
    results = []
    for _ in range(rounds):
        with whole_payloads(), running_server() as server:  # the session's whole snapshot
            results.append(asyncio.run(_one_round(server.ws_url, server.pid, SESSIONS)))
    scenario = bench_scenario(SCENARIO)
    held = _array_bytes(compute(scenario.weights, Knobs(), scenario.x, scenario.h0, scenario.c0))
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    mib = 1024 * 1024
    sizes = BENCH_SCENARIOS[SCENARIO]
    data = {**sizes, "sessions": SESSIONS, "rounds": rounds, "array_bytes": held, **median}
    return [
        Row(
            benchmark="6 memory",
            case=f"server RSS per session, T={sizes['steps']}, D=H={sizes['hidden']} (slope, 2→{SESSIONS})",
            figure=f"{median['per_session'] / mib:.1f} MiB",
            reference=f"baseline RSS {median['baseline'] / mib:.1f} MiB",
            ratio=median["per_session"] / median["baseline"],
            target="— (report)",
            met=None,
            data=data,
        ),
        Row(
            benchmark="6 memory",
            case="per session against the arrays it holds (Results)",
            figure=f"{median['per_session'] / mib:.1f} MiB",
            reference=f"arrays {held / mib:.1f} MiB",
            ratio=median["per_session"] / held,
            target="— (report)",
            met=None,
            data=data,
        ),
        Row(
            benchmark="6 memory",
            case=f"RSS after all {SESSIONS} sessions closed",
            figure=f"{median['after'] / mib:.1f} MiB",
            reference=f"baseline RSS {median['baseline'] / mib:.1f} MiB",
            ratio=median["after"] / median["baseline"],
            target="— (report)",
            met=None,
            data=data,
        ),
    ]


def main() -> None:
    run_standalone(__doc__, measure, "one server instead of three")


if __name__ == "__main__":
    main()
