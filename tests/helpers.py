"""Small shared helpers for tests."""

import json
import os
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

if TYPE_CHECKING:
    from starlette.testclient import WebSocketTestSession


def require_torch() -> None:
    """Import torch or skip; under CI=true a missing torch fails instead (it is a CI dependency)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("torch==2.13.0 is a CI test dependency but is not installed")
        pytest.skip("torch not installed; the golden-fixture test still covers the comparison")


def set_limits(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """Override settings for one test through LSTM_CONVEYOR_* and drop the cached Settings.

    Modules that use this also clear the cache after each test (an autouse fixture), once
    monkeypatch has restored the environment."""
    from app.config import get_settings

    for name, value in values.items():
        monkeypatch.setenv(f"LSTM_CONVEYOR_{name.upper()}", str(value))
    get_settings.cache_clear()


def receive(ws: "WebSocketTestSession") -> dict[str, Any]:
    """The next message on a TestClient WebSocket, decoded."""
    message: dict[str, Any] = json.loads(ws.receive_text())
    return message


def receive_binary(ws: "WebSocketTestSession") -> dict[str, Any]:
    """The next message on a `/ws?encoding=binary` TestClient WebSocket, which must be binary,
    decoded by app/wire.py (its arrays as NumPy arrays)."""
    from app.wire import decode

    return decode(ws.receive_bytes())


def sync(ws: "WebSocketTestSession") -> dict[str, Any]:
    """Ask for a snapshot and skip whatever arrives before it."""
    ws.send_text(json.dumps({"type": "sync"}))
    while (message := receive(ws))["type"] != "snapshot":
        pass
    return message


def random_weights(rng: "np.random.Generator", inputs: int, hidden: int, blocks: int = 4) -> dict[str, Any]:
    """One layer's tensors as nested lists, uniform in ±1 (blocks: 4 for an LSTM, 1 for an RNN)."""
    rows = blocks * hidden
    return {
        "weight_ih": rng.uniform(-1, 1, (rows, inputs)).tolist(),
        "weight_hh": rng.uniform(-1, 1, (rows, hidden)).tolist(),
        "bias_ih": rng.uniform(-1, 1, rows).tolist(),
        "bias_hh": rng.uniform(-1, 1, rows).tolist(),
    }
