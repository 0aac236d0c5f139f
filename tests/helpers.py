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


def require_keras() -> Any:
    """Keras 3 on its PyTorch backend (there is no TensorFlow here), or skip; under CI=true a
    missing keras fails instead (keras==3.15.1 is a CI test dependency, like torch)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    require_torch()
    try:
        import keras
    except ImportError:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("keras==3.15.1 is a CI test dependency but is not installed")
        pytest.skip("keras not installed (pip install keras==3.15.1)")
    assert keras.backend.backend() == "torch", "KERAS_BACKEND was set to another backend"
    return keras


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


# --- the page in headless Chromium (tests/test_page_*.py) -----------------------------------------
#
# The workbench keeps its deep dives (equations, gradients, gates, numbers, files) and the lab's
# tabs (knobs, clamps, start state) behind tab lists: a control in a closed tab is hidden, and a
# dive's tables and charts are drawn only while it is open, so a test opens the tab first.

DIVES = ("equations", "gradients", "gates", "numbers", "find", "files", "train")
LAB_TABS = ("knobs", "clamps", "state")


def after_a_drawing_pass(page: Any, action: Any) -> None:
    """Do `action()` and wait until a drawing pass the page started after it has completed.

    body[data-ready] is stamped at the end of every complete pass (painter.js), the open dive's
    charts included; every request for a pass takes it off, and a pass overtaken by a newer request
    never stamps. A pass already in flight may still stamp between our taking it off and the
    action, but the action's own request takes that stamp off again: its return means the page has
    drawn what the action changed. Uses no wait_for_function, so it also works under the app's real
    Content-Security-Policy."""
    page.evaluate("delete document.body.dataset.ready")
    action()
    page.wait_for_selector("body[data-ready='true']", state="attached")


def open_in(page: Any, server_url: str, lang: str) -> None:
    """Open the page and, for "ko", switch it to Korean with its button, as a learner does."""
    page.goto(server_url)
    page.wait_for_selector("body[data-ready='true']")
    if lang == "ko":
        page.click("#lang button[data-lang='ko']")
        page.wait_for_selector("body[data-lang='ko']")


def open_dive(page: Any, dive: str) -> None:
    """Open a deep dive with its tab (a click) and wait until its views show the current state."""
    after_a_drawing_pass(page, lambda: page.click(f"#dive-tab-{dive}"))
    assert page.get_attribute(f"#dive-tab-{dive}", "aria-selected") == "true"
    page.wait_for_selector(f"#dive-{dive}", state="visible")


def open_lab(page: Any, tab: str) -> None:
    """Open one of the lab's tabs beside the belt (knobs, clamps, state) with a click."""
    page.click(f"#lab-tab-{tab}")
    page.wait_for_selector(f"#lab-{tab}", state="visible")
    assert page.get_attribute(f"#lab-tab-{tab}", "aria-selected") == "true"


def record_sent_messages(page: Any) -> list[dict[str, Any]]:
    """Every message the page sends on its WebSocket from now on (call before it connects),
    decoded, in order: the list fills as the page sends."""
    sent: list[dict[str, Any]] = []

    def frame(payload: str | bytes) -> None:
        sent.append(json.loads(payload))

    page.on("websocket", lambda socket: socket.on("framesent", frame))
    return sent
