"""The app on a free loopback port, in a subprocess, and the benchmark-sized models it is sent.

No shipped scenario is larger than H=4. The benchmarks send the server their own models with the
protocol's `restore` message (weights and inputs, as a page that opens a shared link or imports
a model does), built by the app's own `random_init` (PyTorch's default initialisation on
Gaussian noise):

- `bench-h64`: T=1000, D=H=64 (stream and memory benchmarks);
- `bench-h32`: T=500, H=32, D=2 (browser benchmark; two inputs, so the page shows sliders);
- `bench-h128`: T=500, H=128, D=2 (browser benchmark, the issue's largest page).

The server is the app exactly as `lstm-conveyor` runs it; nothing is registered or patched.

    .venv/bin/python benchmarks/server.py --port 8765   # serves until interrupted
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.engine.lstm import WEIGHT_NAMES
from app.scenarios import Scenario, random_init

BENCH_SCENARIOS = {
    "bench-h64": {"hidden": 64, "inputs": 64, "steps": 1000},
    "bench-h32": {"hidden": 32, "inputs": 2, "steps": 500},
    "bench-h128": {"hidden": 128, "inputs": 2, "steps": 500},
}


def bench_scenario(name: str) -> Scenario:
    sizes = BENCH_SCENARIOS[name]
    scenario = random_init(seed=1, **sizes)
    title = f"Benchmark: random init, T={sizes['steps']}, H={sizes['hidden']}, D={sizes['inputs']}"
    return replace(scenario, name=name, title=title)


def restore_message(name: str) -> dict[str, Any]:
    """The `restore` message that gives a session the benchmark model `name` and its inputs."""
    scenario = bench_scenario(name)
    weights = {tensor: getattr(scenario.weights, tensor).tolist() for tensor in WEIGHT_NAMES}
    return {
        "type": "restore",
        "title": scenario.title,
        "weights": weights,
        "x": scenario.x.tolist(),
        "h0": scenario.h0.tolist(),
        "c0": scenario.c0.tolist(),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT
    pid: int

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws"


@contextlib.contextmanager
def running_server(timeout: float = 30.0) -> Iterator[Server]:
    """This file as a uvicorn subprocess on a free port; stopped (by its pid) on exit."""
    port = free_port()
    process = subprocess.Popen(
        # As a module from the checkout's root, where `app` (the source of lstm_conveyor) imports.
        [sys.executable, "-m", "benchmarks.server", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the benchmark server did not start on port {port}") from None
                time.sleep(0.1)
        yield Server(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Every view of T=1000, H=64 is a 4.7 MB snapshot in binary and 33 MB as JSON, over the 4 MiB a
# message may hold by default: the stream and memory benchmarks measure the whole payload.
WHOLE_PAYLOAD_BYTES = 64 * 2**20
MESSAGE_LIMIT = "LSTM_CONVEYOR_MAX_MESSAGE_BYTES"


@contextlib.contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """The environment variable `name` set to `value` for the servers started meanwhile and for
    in-process sessions alike (the app's settings are read afresh on both sides of it)."""
    from app.config import get_settings

    before = os.environ.get(name)
    os.environ[name] = value
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before
        get_settings.cache_clear()


def whole_payloads() -> contextlib.AbstractContextManager[None]:
    """The message limit raised to WHOLE_PAYLOAD_BYTES (a session cuts what does not fit a message
    to the units that do)."""
    return environment(MESSAGE_LIMIT, str(WHOLE_PAYLOAD_BYTES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    import uvicorn

    from app.config import get_settings
    from app.main import create_app
    from app.memory import tune_allocator

    tune_allocator()  # as `lstm-conveyor` does
    settings = get_settings()
    uvicorn.run(
        create_app(),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        ws_per_message_deflate=settings.ws_compression,  # as `lstm-conveyor` does
    )


if __name__ == "__main__":
    main()
