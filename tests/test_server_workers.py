"""`--workers N`: sessions live in their connection, so two worker processes serve two trainings
side by side, each its own (and, from the same seed, the same run)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx

from tests.conftest import free_port

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


def test_two_workers_serve_independent_trainings() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "LSTM_CONVEYOR_MAX_TRAININGS": "1"}
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
        # In a thread of its own: an earlier test may have left an event loop running in this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            result = pool.submit(asyncio.run, _scenario(f"ws://127.0.0.1:{port}/ws")).result()
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert result["states"] == ["running", "running"]
    assert all(m["updates"] >= 0 for m in result["progress"])
    first, second = result["losses"]
    assert first == second  # the same seed on two processes: the same run, update for update
    assert len(set(first)) == 4
