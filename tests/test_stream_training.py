"""Training over the WebSocket (docs/protocol.md, "Training"): progress arrives and the loss falls,
pause stops the updates and hands the weights to the session, a step is one update, a reset
replays the run, the budgets and the server-wide cap hold, and a disconnect or a new model ends
the training with no thread left behind."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from app.engine.lstm import WEIGHT_NAMES
from tests.helpers import receive, sync

SMALL = {"steps": 20, "hidden": 4}  # a quick model where the test is not about learning


def until(ws: WebSocketTestSession, done: Callable[[dict[str, Any]], bool], limit: int = 2000) -> list[Any]:
    """Messages up to and including the first one `done` accepts."""
    seen = []
    for _ in range(limit):
        seen.append(receive(ws))
        if done(seen[-1]):
            return seen
    raise AssertionError(f"no such message among {limit}: {[m['type'] for m in seen[-10:]]}")


def status(state: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == "training" and m["state"] == state


def is_type(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == kind


def training_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("training")]


def wait_for_no_training_thread(seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while training_threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not training_threads()


@pytest.fixture(autouse=True)
def no_training_left() -> Any:
    yield
    wait_for_no_training_thread()


def test_progress_arrives_often_and_the_loss_falls(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "id": 1})
        first = until(ws, is_type("progress"))
        # past 150 updates, and over at least three progress messages (a fast machine makes 150
        # updates within the first 100 ms, and the gaps below need some)
        counted = {"progress": 0}

        def enough(m: dict[str, Any]) -> bool:
            counted["progress"] += m["type"] == "progress"
            return m["type"] == "progress" and m["updates"] >= 150 and counted["progress"] >= 3

        progress = [m for m in until(ws, enough) if m["type"] == "progress"]
        ws.send_json({"type": "train_pause"})
        until(ws, is_type("snapshot"))
    snapshot, start = first[0], first[-1]
    assert snapshot["type"] == "snapshot" and snapshot["model"]["custom"]
    assert snapshot["sizes"] == {"T": 50, "D": 2, "H": 8}
    assert start["updates"] == 0 and 0.3 < start["accuracy"] < 0.7  # chance, before any update
    last = progress[-1]
    assert last["loss"] < start["loss"] / 3 and last["accuracy"] >= 0.95
    # "Watch f learn to hold": some unit's forget gate, while the sign must be held, opens wide.
    assert max(last["forget"]) > max(0.9, max(start["forget"]))
    # Each progress carries the probe's belt and gradients under the weights it has reached.
    assert len(last["trace"]["c"]) == 50 and len(last["trace"]["c"][0]) == 8
    assert len(last["gradients"]["dL_dc"]) == 50 and len(last["forget"]) == 8
    # At least every 100 ms of training (the server's own clock: what the socket adds is not its).
    gaps = np.diff([m["seconds"] for m in progress])
    assert len(gaps) >= 1 and float(np.median(gaps)) <= 0.1, gaps


def test_pause_stops_the_updates_and_the_session_shows_the_trained_weights(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", **SMALL})
        start = until(ws, is_type("snapshot"))[-1]
        until(ws, lambda m: m["type"] == "progress" and m["updates"] > 20)
        ws.send_json({"type": "train_pause", "id": 5})
        paused = until(ws, is_type("snapshot"))
        time.sleep(0.3)
        after = sync(ws)  # anything sent meanwhile would arrive before this snapshot
        ws.send_json({"type": "train_set", "learning_rate": 0.01, "id": 6})
        later = receive(ws)
        ws.send_json({"type": "export", "format": "weights.npz", "id": 7})
        exported = receive(ws)
    status_message = next(m for m in paused if m["type"] == "training")
    assert status_message["state"] == "paused" and status_message["ack"] == 5
    assert paused[-1]["revision"] == start["revision"] + 1 and after["revision"] == paused[-1]["revision"]
    assert later["type"] == "training" and later["updates"] == status_message["updates"]
    assert later["settings"]["learning_rate"] == 0.01
    trained = {name: np.array(paused[-1]["model"]["weights"][name]) for name in WEIGHT_NAMES}
    initial = np.array(start["model"]["weights"]["weight_hh"])
    assert not np.allclose(trained["weight_hh"], initial)
    import base64

    with np.load(io.BytesIO(base64.b64decode(exported["content"]))) as npz:
        for name in WEIGHT_NAMES:
            np.testing.assert_allclose(npz[f"{name}_l0"], trained[name])


def test_a_step_is_one_update_and_a_reset_replays_the_same_run(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "paused": True, "seed": 3, **SMALL})
        initial = until(ws, status("paused"))
        runs = []
        for _ in range(2):
            steps = []
            for _ in range(3):
                ws.send_json({"type": "train_step"})
                steps.append(until(ws, is_type("snapshot")))
            runs.append(steps)
            ws.send_json({"type": "train_reset"})
            reset = until(ws, status("paused"))
    assert [m["type"] for m in runs[0][0]] == ["progress", "training", "snapshot"]
    assert [step[0]["updates"] for step in runs[0]] == [1, 2, 3]
    assert [step[1]["state"] for step in runs[0]] == ["paused"] * 3
    assert [step[0]["loss"] for step in runs[0]] == [step[0]["loss"] for step in runs[1]]
    assert runs[0][2][2]["model"]["weights"] == runs[1][2][2]["model"]["weights"]
    assert [m["type"] for m in initial] == [m["type"] for m in reset] == ["snapshot", "progress", "training"]
    assert reset[1]["updates"] == reset[2]["updates"] == 0 and reset[1]["loss"] == initial[1]["loss"]


def test_a_pace_slows_the_training_down_to_watch_it(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "pace": 20.0, **SMALL})
        started = time.monotonic()
        until(ws, status("running"))
        time.sleep(0.5)
        ws.send_json({"type": "train_pause"})
        paused = next(m for m in until(ws, is_type("snapshot")) if m["type"] == "training")
        elapsed = time.monotonic() - started
        ws.send_json({"type": "train_set", "full_speed": True})
        unpaced = receive(ws)
    assert 3 <= paused["updates"] <= 20 * elapsed + 1 and paused["pace"] == 20.0
    assert unpaced["pace"] is None


def test_the_update_budget_finishes_the_training(client: TestClient, override_settings: Any) -> None:
    override_settings(training_max_updates=30)
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", **SMALL})
        finished = until(ws, status("finished"))
        adopted = receive(ws)
        ws.send_json({"type": "train_resume", "id": 9})
        refused = receive(ws)
        ws.send_json({"type": "train_step", "id": 10})
        refused_step = receive(ws)
    assert finished[-1]["reason"] == "updates" and finished[-1]["updates"] == 30
    assert [m["updates"] for m in finished if m["type"] == "progress"][-1] == 30
    assert adopted["type"] == "snapshot"
    assert refused["code"] == refused_step["code"] == "budget_spent" and refused["ack"] == 9
    assert refused["params"] == {"updates": 30, "seconds": 120.0}


def test_the_time_budget_finishes_the_training(client: TestClient, override_settings: Any) -> None:
    override_settings(training_max_seconds=0.3)
    started = time.monotonic()
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "steps": 200, "hidden": 16, "batch": 256})
        finished = until(ws, status("finished"))[-1]
    assert finished["reason"] == "seconds" and 0.3 <= finished["seconds"] < 1.0
    assert time.monotonic() - started < 10


def test_the_server_wide_cap_refuses_one_more_training(client: TestClient, override_settings: Any) -> None:
    override_settings(max_trainings=1)
    with client.websocket_connect("/ws") as first, client.websocket_connect("/ws") as second:
        receive(first)
        receive(second)
        first.send_json({"type": "train", **SMALL})
        until(first, status("running"))
        before = sync(second)
        second.send_json({"type": "train", "id": 4})
        busy = receive(second)
        after = sync(second)
        first.send_json({"type": "train_pause"})
        until(first, is_type("snapshot"))
        second.send_json({"type": "train", "id": 5, **SMALL})
        running = until(second, status("running"))[-1]
        second.send_json({"type": "train_pause"})
        until(second, is_type("snapshot"))
    assert busy["type"] == "error" and busy["code"] == "training_busy" and busy["ack"] == 4
    assert busy["params"] == {"limit": 1} and busy["field"] is None
    assert after["revision"] == before["revision"] and after["model"] == before["model"]
    assert running["ack"] == 5


def test_a_disconnect_ends_the_training_and_its_thread(client: TestClient) -> None:
    slots = client.app.state.training_slots  # type: ignore[attr-defined]
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "steps": 200, "hidden": 16})
        until(ws, status("running"))
        assert training_threads() and slots.taken == 1
    wait_for_no_training_thread()
    assert slots.taken == 0


@pytest.mark.parametrize(
    "message",
    [{"type": "load", "scenario": "latch"}, {"type": "reset"}, {"type": "restore", "scenario": "counter"}],
)
def test_a_new_model_ends_the_training_at_once(client: TestClient, message: dict[str, Any]) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_json({"type": "train", "steps": 200, "hidden": 16})
        until(ws, status("running"))
        ws.send_json({**message, "id": 8})
        ended = until(ws, status("ended"))[-1]
        assert not training_threads()  # stopped before the reply, not some time later
        snapshot = until(ws, is_type("snapshot"))[-1]
        time.sleep(0.2)
        quiet = sync(ws)
        ws.send_json({"type": "train_pause", "id": 9})
        gone = receive(ws)
    assert ended["ack"] == 8 and snapshot["ack"] == 8
    assert quiet["revision"] == snapshot["revision"]
    assert gone["code"] == "no_training" and gone["params"] == {"message": "train_pause"}


def test_progress_travels_as_binary_columns(client: TestClient) -> None:
    from app.wire import decode

    with client.websocket_connect("/ws?encoding=binary") as ws:
        ws.receive_bytes()
        ws.send_json({"type": "train", "paused": True, **SMALL})
        messages = [ws.receive() for _ in range(3)]
    binary = [decode(m["bytes"]) for m in messages if m.get("bytes")]
    progress = next(m for m in binary if m["type"] == "progress")
    assert progress["trace"]["c"].shape == (20, 4) and progress["forget"].shape == (4,)
