"""`--workers N`: sessions live in their connection, so two worker processes serve two trainings
side by side, each its own (and, from the same seed, the same run)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import numpy as np

from app.engine.lstm import LSTMWeights, run
from tests.conftest import free_port
from tests.helpers import random_weights

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"steps": 20, "hidden": 4, "paused": True}
CONNECTIONS = 16  # opened until two of them landed on different workers


async def _next(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await ws.recv())
        if message["type"] == kind:
            return message


async def _open_on_two_workers(url: str) -> tuple[list[Any], dict[str, Any]]:
    """Connections (all kept open, so the kernel spreads them) until two workers have answered;
    the first connection of each worker, by worker."""
    import websockets

    opened: list[Any] = []
    by_worker: dict[str, Any] = {}
    for _ in range(CONNECTIONS):
        ws = await websockets.connect(url)
        opened.append(ws)
        await _next(ws, "snapshot")
        await ws.send(json.dumps({"type": "train", "seed": 1, **SETTINGS}))
        worker = (await _next(ws, "training"))["worker"]
        by_worker.setdefault(worker, ws)
        if len(by_worker) == 2:
            break
    return opened, by_worker


async def _steps(ws: Any, count: int) -> list[float]:
    losses = []
    for _ in range(count):
        await ws.send(json.dumps({"type": "train_step"}))
        losses.append((await _next(ws, "progress"))["loss"])
        await _next(ws, "snapshot")
    return losses


async def _scenario(url: str) -> dict[str, Any]:
    opened, by_worker = await _open_on_two_workers(url)
    try:
        assert len(by_worker) == 2, f"{CONNECTIONS} connections all landed on one worker"
        first, second = by_worker.values()
        # Each worker allows one running training: both run at once, so the slots are per process.
        for ws in (first, second):
            await ws.send(json.dumps({"type": "train_resume"}))
        states = [(await _next(ws, "training"))["state"] for ws in (first, second)]
        progress = [await _next(ws, "progress") for ws in (first, second)]
        for ws in (first, second):
            await ws.send(json.dumps({"type": "train_reset"}))
            await _next(ws, "snapshot")
        losses = await asyncio.gather(_steps(first, 4), _steps(second, 4))
        return {"states": states, "progress": progress, "losses": losses}
    finally:
        for ws in opened:
            await ws.close()


@contextmanager
def _two_workers(**settings: str) -> Iterator[int]:
    """`python -m app --workers 2` on a free port, with these LSTM_CONVEYOR_ settings; its port."""
    port = free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **{f"LSTM_CONVEYOR_{k}": v for k, v in settings.items()}}
    command = [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=quiet, stderr=quiet)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _in_a_thread(scenario: Any) -> Any:
    # In a thread of its own: an earlier test may have left an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario).result()


def test_two_workers_serve_independent_trainings() -> None:
    with _two_workers(MAX_TRAININGS="1") as port:
        result = _in_a_thread(_scenario(f"ws://127.0.0.1:{port}/ws"))
    assert result["states"] == ["running", "running"]
    assert all(m["updates"] >= 0 for m in result["progress"])
    first, second = result["losses"]
    assert first == second  # the same seed on two processes: the same run, update for update
    assert len(set(first)) == 4


async def _answer(ws: Any, ack: int) -> dict[str, Any]:
    """The snapshot or error that answers message `ack`."""
    while True:
        message: dict[str, Any] = json.loads(await ws.recv())
        if message["type"] in ("snapshot", "error") and message.get("ack") == ack:
            return message


async def _open_on_each_worker(url: str, key: str) -> dict[str, dict[str, Any]]:
    """The snapshot that opening `key` answers, on the first connection of each of two workers."""
    opened, by_worker = await _open_on_two_workers(url)
    try:
        assert len(by_worker) == 2, f"{CONNECTIONS} connections all landed on one worker"
        answers = {}
        for worker, ws in by_worker.items():
            await ws.send(json.dumps({"type": "open", "id": 7, "open": key}))
            answers[worker] = await asyncio.wait_for(_answer(ws, 7), timeout=15)
        return answers
    finally:
        for ws in opened:
            await ws.close()


def test_a_model_kept_by_api_open_opens_on_either_worker(tmp_path: Path) -> None:
    """The key /api/open answers names a file on the server's disk, not a worker's memory."""
    rng = np.random.default_rng(3)
    hidden, inputs, steps = 5, 2, 6
    weights = {k: np.asarray(v) for k, v in random_weights(rng, inputs, hidden).items()}
    x = rng.uniform(-1, 1, (steps, inputs))
    body = {"weights": {k: v.tolist() for k, v in weights.items()}, "x": x.tolist()}
    with _two_workers(OPEN_DIR=str(tmp_path)) as port:
        key = httpx.post(f"http://127.0.0.1:{port}/api/open", json=body, timeout=10).json()["id"]
        answers = _in_a_thread(_open_on_each_worker(f"ws://127.0.0.1:{port}/ws", key))
    expected = run(LSTMWeights(**weights), x)
    for answer in answers.values():
        assert answer["type"] == "snapshot", answer
        np.testing.assert_allclose(answer["trace"]["h"], expected.h, atol=1e-6)  # float32 on the wire
