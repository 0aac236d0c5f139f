"""Load: N concurrent WebSocket sessions on one server, each dragging a slider.

Each session sends `--moves` set_input messages (one every `--interval` seconds, like a hand on a
slider) and times each move from send to the first frame acknowledging it. Reported: p50/p95/p99
latency, errors, and the server's RSS before, while loaded, and after every session has gone.
Reference in the same run: the same drag by one session alone (the ratio says what load costs).
Loopback only; bounded in sessions, moves and time.

    .venv/bin/python -m benchmarks.bench_load --sessions 100   # target: p95 ≤ 100 ms, 0 errors
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import websockets

from benchmarks.server import running_server

TIMEOUT = 30.0  # per move; a move not answered by then counts as an error


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def drag(url: str, moves: int, interval: float, seed: int, tally: Tally) -> None:
    """One session: connect, then move input 0 at step 1 `moves` times, waiting for each answer."""
    rng = np.random.default_rng(seed)
    try:
        async with websockets.connect(url, max_size=None, open_timeout=TIMEOUT) as ws:
            orjson.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            for move in range(1, moves + 1):
                value = float(rng.uniform(-2, 2))
                sent = time.perf_counter()
                await ws.send(
                    orjson.dumps({"type": "set_input", "t": 1, "j": 0, "value": value, "id": move}).decode()
                )
                await _until_acknowledged(ws, move, tally)
                tally.latencies.append(time.perf_counter() - sent)
                await asyncio.sleep(interval)
    except (OSError, TimeoutError, websockets.WebSocketException) as err:
        tally.errors.append(f"{type(err).__name__}: {err}")


async def _until_acknowledged(ws: websockets.ClientConnection, move: int, tally: Tally) -> None:
    while True:
        reply = orjson.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if reply["type"] == "error":
            tally.errors.append(reply["message"])
            return
        if reply.get("ack") is not None and reply["ack"] >= move:
            return


async def crowd(url: str, sessions: int, moves: int, interval: float) -> Tally:
    tally = Tally()
    await asyncio.gather(*(drag(url, moves, interval, seed, tally) for seed in range(sessions)))
    return tally


def percentiles(values: list[float]) -> tuple[float, float, float]:
    p50, p95, p99 = np.percentile(np.asarray(values) * 1000, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=100, help="concurrent sessions (≤ 200)")
    parser.add_argument("--moves", type=int, default=30, help="slider moves per session")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between a session's moves")
    args = parser.parse_args()
    sessions = min(args.sessions, 200)

    with running_server() as server:
        # The lone session is the latency reference and warms the server up (imports, first
        # allocations), so that "before" is a served server's footprint, not a cold one's.
        alone = asyncio.run(crowd(server.ws_url, 1, args.moves, args.interval))
        time.sleep(1.0)
        before = rss_mib(server.pid)
        peak = [before]

        async def loaded() -> Tally:
            task = asyncio.ensure_future(crowd(server.ws_url, sessions, args.moves, args.interval))
            while not task.done():
                peak.append(rss_mib(server.pid))
                await asyncio.sleep(0.2)
            return task.result()

        started = time.perf_counter()
        tally = asyncio.run(loaded())
        elapsed = time.perf_counter() - started
        time.sleep(2.0)  # let the server drop what the sessions held
        after = rss_mib(server.pid)

    p50, p95, p99 = percentiles(tally.latencies)
    a50, a95, _ = percentiles(alone.latencies)
    spacing = f"{args.interval * 1000:.0f} ms apart"
    print(f"load: {sessions} sessions × {args.moves} moves ({spacing}), {elapsed:.1f} s")
    print(f"  latency ms   p50 {p50:7.1f}   p95 {p95:7.1f}   p99 {p99:7.1f}   (target p95 ≤ 100)")
    print(f"  alone   ms   p50 {a50:7.1f}   p95 {a95:7.1f}   → p95 under load / alone = {p95 / a95:.1f}×")
    first_error = f"  first: {tally.errors[0]}" if tally.errors else ""
    print(f"  errors       {len(tally.errors)} (target 0){first_error}")
    print(f"  server RSS   before {before:.1f} MiB, peak {max(peak):.1f} MiB, after {after:.1f} MiB")
    print(f"               after / before = {after / before:.3f} (target ≤ 1.10)")
    met = p95 <= 100 and not tally.errors and after <= 1.10 * before
    print(f"  targets {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
