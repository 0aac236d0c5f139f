"""Training load: while N sessions train on the server (default settings, as fast as they go),
another session drags a slider; how long does each move wait for its answer?

Reference in the same run: the same drag with no training on the server. Target (issue 17): with
4 trainings, the drag's p95 ≤ 50 ms. The server runs with its cap on trainings raised to N and
budgets large enough that no training finishes during the drag.

    .venv/bin/python -m benchmarks.bench_training_load --trainings 4
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os

import orjson
import websockets

from benchmarks.bench_load import TIMEOUT, crowd, percentiles
from benchmarks.server import running_server

TARGET_P95_MS = 50.0


async def train_until(url: str, stop: asyncio.Event, seed: int, started: asyncio.Queue[int]) -> None:
    """One session that trains (the page's defaults, no pace) and reads its progress until `stop`."""
    async with websockets.connect(url, max_size=None, open_timeout=TIMEOUT) as ws:
        orjson.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        await ws.send(orjson.dumps({"type": "train", "id": 1, "seed": seed}).decode())
        announced = False
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                message = orjson.loads(await asyncio.wait_for(ws.recv(), 0.2))
                if message.get("type") == "error":
                    raise RuntimeError(f"train refused: {message['message']}")
                if message.get("type") == "progress" and message.get("updates", 0) > 0 and not announced:
                    announced = True
                    await started.put(seed)


async def dragged_while_training(
    url: str, trainings: int, moves: int, interval: float
) -> tuple[list[float], int]:
    stop = asyncio.Event()
    started: asyncio.Queue[int] = asyncio.Queue()
    trainers = [asyncio.ensure_future(train_until(url, stop, seed, started)) for seed in range(trainings)]
    for _ in range(trainings):  # every training is under way before the drag starts
        await asyncio.wait_for(started.get(), 60)
    tally = await crowd(url, 1, moves, interval)
    stop.set()
    await asyncio.gather(*trainers)
    return tally.latencies, len(tally.errors)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trainings", type=int, default=4)
    parser.add_argument("--moves", type=int, default=100, help="slider moves of the dragging session")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between its moves")
    args = parser.parse_args()
    os.environ["LSTM_CONVEYOR_MAX_TRAININGS"] = str(args.trainings)
    os.environ["LSTM_CONVEYOR_TRAINING_MAX_UPDATES"] = "1000000"
    os.environ["LSTM_CONVEYOR_TRAINING_MAX_SECONDS"] = "600"
    with running_server() as server:
        alone = asyncio.run(crowd(server.ws_url, 1, args.moves, args.interval))
        loaded, errors = asyncio.run(
            dragged_while_training(server.ws_url, args.trainings, args.moves, args.interval)
        )
    a50, a95, _ = percentiles(alone.latencies)
    p50, p95, p99 = percentiles(loaded)
    spacing = f"{args.interval * 1000:.0f} ms apart"
    print(f"training load: {args.trainings} trainings, a drag of {args.moves} moves {spacing}")
    target = f"(target p95 ≤ {TARGET_P95_MS:.0f})"
    print(f"  while training ms   p50 {p50:6.1f}   p95 {p95:6.1f}   p99 {p99:6.1f}   {target}")
    print(f"  no training    ms   p50 {a50:6.1f}   p95 {a95:6.1f}   → p95 ratio {p95 / a95:.1f}×")
    print(f"  errors {errors + len(alone.errors)}")
    print(f"  target {'met' if p95 <= TARGET_P95_MS and not errors else 'NOT met'}")


if __name__ == "__main__":
    main()
