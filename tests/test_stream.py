"""The WebSocket session through TestClient: snapshot, frames, coalescing, rejections."""

import itertools
import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine.lstm import QUANTITIES, Trace, run
from app.i18n import problem_text
from app.scenarios import get_scenario
from tests.helpers import receive, sync


def test_connecting_streams_a_snapshot_with_engine_numbers(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        snapshot = receive(ws)

    scenario = get_scenario("hold-and-release")
    expected = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
    assert snapshot["type"] == "snapshot" and snapshot["start"] == 0
    for name in QUANTITIES:
        np.testing.assert_allclose(snapshot["trace"][name], getattr(expected, name), atol=1e-12)


def test_setting_an_input_streams_the_changed_steps(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        revision = receive(ws)["revision"]
        ws.send_text(json.dumps({"type": "set_input", "t": 10, "j": 0, "value": -1.5, "id": 1}))
        frame = receive(ws)

    scenario = get_scenario("hold-and-release")
    x = scenario.x.copy()
    x[10, 0] = -1.5
    expected = run(scenario.weights, x)
    assert frame["type"] == "frame" and frame["base"] == revision and frame["revision"] == revision + 1
    assert frame["start"] == 10 and frame["ack"] == 1 and len(frame["trace"]["c"]) == 30
    for name in QUANTITIES:
        if name != "x":
            np.testing.assert_allclose(frame["trace"][name], getattr(expected, name)[10:], atol=1e-12)
    assert frame["x_end"] == 11 and frame["trace"]["x"] == [[-1.5, 0.0]]  # only the input row that moved


def test_a_burst_of_slider_moves_is_coalesced_and_ends_in_the_latest_state(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Coalescing is for traces too big to recompute as fast as a hand moves: those are computed
    # off the event loop while the next moves pile up. Make the small default scenario count as big.
    monkeypatch.setattr("app.web.stream.INLINE_CELLS", 0)
    moves = 60
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        for k in range(moves):
            ws.send_text(json.dumps({"type": "set_input", "t": 3, "j": 0, "value": k / moves, "id": k}))
        ws.send_text(json.dumps({"type": "sync", "id": 1000}))
        frames = []
        while (message := receive(ws))["type"] != "snapshot":
            frames.append(message)
        snapshot = message

    # Fewer frames than moves; each builds on the one before; the last state is the latest move.
    assert len(frames) < moves
    for earlier, later in itertools.pairwise(frames):
        assert later["base"] == earlier["revision"] and later["ack"] > earlier["ack"]
    assert snapshot["ack"] == 1000
    assert snapshot["trace"]["x"][3][0] == pytest.approx((moves - 1) / moves, rel=1e-6)


def test_a_binary_frame_is_refused_with_an_error(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        receive(ws)
        ws.send_bytes(b"\x00\x01")
        error = receive(ws)
        assert sync(ws)["revision"] == 0
    assert error["type"] == "error" and "binary" in error["message"]


def test_two_connections_do_not_share_a_session(client: TestClient) -> None:
    with client.websocket_connect("/ws") as first, client.websocket_connect("/ws") as second:
        receive(first)
        receive(second)
        first.send_text(json.dumps({"type": "set_input", "t": 0, "j": 0, "value": 2.0}))
        receive(first)
        assert sync(second)["trace"]["x"][0][0] == 0.0


def test_a_failure_inside_the_computation_is_reported_and_undone(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated engine failure at /secret/path.py")

    with client.websocket_connect("/ws") as ws:
        receive(ws)
        monkeypatch.setattr("app.computation.rerun_from", broken)
        ws.send_text(json.dumps({"type": "set_input", "t": 4, "j": 0, "value": 1.0, "id": 5}))
        error = receive(ws)
        monkeypatch.undo()
        after = sync(ws)

    assert error["type"] == "error" and "internal error" in error["message"]
    assert "secret" not in error["message"]
    assert after["revision"] == 0 and after["trace"]["x"][4][0] == 0.0


def test_a_non_finite_result_is_refused_and_the_revision_stays(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import computation

    real_compute = computation.compute

    def poisoned(*args: Any, **kwargs: Any) -> Any:
        results = real_compute(*args, **kwargs)
        assert isinstance(results.trace, Trace)  # the LSTM's
        c = results.trace.c.copy()  # a trace's arrays are read-only views of its loop's rows
        c[-1, 0] = np.nan
        return replace(results, trace=replace(results.trace, c=c))

    with client.websocket_connect("/ws") as ws:
        receive(ws)
        monkeypatch.setattr("app.session.compute", poisoned)
        ws.send_text(json.dumps({"type": "set_input", "t": 4, "j": 0, "value": 1.0, "id": 5}))
        error = receive(ws)
        monkeypatch.undo()
        ws.send_text(json.dumps({"type": "set_input", "t": 4, "j": 0, "value": 0.5, "id": 6}))
        frame = receive(ws)

    assert error["type"] == "error" and "non-finite" in error["message"] and "trace.c" in error["message"]
    # The quantity travels as a name in no language, so the page says the rest in Korean too.
    assert error["code"] == "not_finite" and error["params"] == {"quantity": "trace.c"}
    assert problem_text("not_finite", error["params"], "ko").startswith("이 업데이트는 trace.c에서")
    assert frame["type"] == "frame" and frame["base"] == 0 and frame["revision"] == 1


def test_clients_that_vanish_mid_stream_leave_no_session_behind(live_app: Any, server_url: str) -> None:
    import asyncio
    import time
    from concurrent.futures import ThreadPoolExecutor

    import websockets

    url = server_url.replace("http://", "ws://") + "/ws"

    async def vanish(k: int) -> None:
        ws = await websockets.connect(url, max_size=None)
        await ws.recv()
        for step in range(30):  # a burst the server is still working on when we drop
            await ws.send(json.dumps({"type": "set_input", "t": step % 40, "j": 0, "value": k / 30}))
        ws.transport.abort()  # no closing handshake: the connection simply disappears

    async def crowd() -> None:
        await asyncio.gather(*(vanish(k) for k in range(20)))

    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright may own this thread's loop
        pool.submit(asyncio.run, crowd()).result()
    deadline = time.monotonic() + 10
    while live_app.state.active_sessions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_app.state.active_sessions == 0


def test_a_failing_session_is_logged_and_other_sessions_carry_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from app.engine.lstm import rerun_from as real

    def fails_for_step_7(*args: Any, **kwargs: Any) -> Any:
        if args[3] == 7:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr("app.computation.rerun_from", fails_for_step_7)
    with client.websocket_connect("/ws") as broken, client.websocket_connect("/ws") as healthy:
        receive(broken)
        receive(healthy)
        broken.send_text(json.dumps({"type": "set_input", "t": 7, "j": 0, "value": 1.0}))
        healthy.send_text(json.dumps({"type": "set_input", "t": 8, "j": 0, "value": 1.0}))
        error, frame = receive(broken), receive(healthy)

    assert error["type"] == "error" and "internal error" in error["message"]
    assert frame["type"] == "frame" and frame["start"] == 8
    assert any("session.apply failed" in record.message for record in caplog.records)


def test_a_long_rerun_streams_its_rows_in_parts_without_being_asked_again(
    client: TestClient, override_settings: Any
) -> None:
    """With parts of two rows first (the first_part_weights setting), a move is answered with its
    first two rows, and frames follow on their own, each building on the last, until one ends at T;
    the rows put together are the engine's run of the moved inputs."""
    from app.parts import CONTINUED_PARTS, weights_a_step

    scenario = get_scenario("hold-and-release")
    override_settings(first_part_weights=2 * weights_a_step(scenario))
    x = scenario.x.copy()
    x[10, 0] = -1.5
    expected = run(scenario.weights, x, scenario.h0, scenario.c0)
    steps = len(x)
    with client.websocket_connect("/ws") as ws:
        held = receive(ws)
        c, revision = np.array(held["trace"]["c"]), held["revision"]
        ws.send_text(json.dumps({"type": "views", "shown": ["belt", "timeline"]}))
        ws.send_text(json.dumps({"type": "set_input", "t": 10, "j": 0, "value": -1.5, "id": 1}))
        ends: list[int] = []
        while not ends or ends[-1] < steps:
            frame = receive(ws)
            assert frame["type"] == "frame" and frame["base"] == revision, frame["type"]
            start, end = frame["start"], frame["end"]
            assert start == (10 if not ends else ends[-1]) and len(frame["trace"]["c"]) == end - start
            c[start:end], revision = frame["trace"]["c"], frame["revision"]
            ends.append(end)
    assert ends[0] == 12 and ends[1] == min(steps, 12 + 2 * CONTINUED_PARTS) and ends[-1] == steps
    np.testing.assert_allclose(c, expected.c, atol=1e-6)
