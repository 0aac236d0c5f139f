"""A long rerun goes in parts (app/parts.py, docs/protocol.md "A rerun in parts"): the first frame
after a move carries the rows its first part reached, each later `apply([])` the next rows, and a new
move takes over from the first row not yet computed. Here the parts are made a few rows long (the
first_part_weights setting) on a char model's two-layer stack, and every row a frame carries, when
it carries it, is held to PyTorch: the page may draw a part the moment it comes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.parts import CONTINUED_PARTS, weights_a_step
from app.session import Session
from tests.helpers import require_torch
from tests.test_session_stack import HIDDEN, msg, saved, torch_views, upload

VOCAB = list("abcdefgh \n")
TEXT = "bad cafe\nfed a bee\nhead bag\ncab"  # 31 steps
FIRST_ROWS = 2


class Model:
    """A char model (Embedding → 2-layer LSTM → Linear) in PyTorch, and its stack as uploaded."""

    def __init__(self, client: TestClient, bidirectional: bool = False) -> None:
        import torch

        torch.manual_seed(21)
        self.embed = torch.nn.Embedding(len(VOCAB), 5).double()
        self.lstm = torch.nn.LSTM(5, HIDDEN, num_layers=2, bidirectional=bidirectional).double()
        self.decoder = torch.nn.Linear(HIDDEN * (1 + bidirectional), len(VOCAB)).double()
        state = {f"lstm.{name}": value for name, value in self.lstm.state_dict().items()}
        state |= {"embed.weight": self.embed.weight, "decoder.weight": self.decoder.weight}
        state |= {"decoder.bias": self.decoder.bias}
        self.body = upload(client, *saved(state, "safetensors", {"vocab": json.dumps(VOCAB)}))

    def session(self, layer: int = 0) -> Session:
        session = Session()
        session.apply([msg(type="restore", stack=self.body["stack"], text=self.body["text"], layer=layer)])
        [snapshot] = session.apply([msg(type="set_text", text=TEXT)])
        assert snapshot["type"] == "snapshot"
        # a page that shows no gradients (they need every row: a rerun for them is never in parts)
        session.apply([msg(type="views", shown=["belt", "timeline"])])
        return session

    def top(self, x: np.ndarray) -> list[list[str]]:
        import torch

        with torch.no_grad():
            p = torch.softmax(self.decoder(self.lstm(torch.from_numpy(x))[0]), dim=-1).numpy()
        return [[VOCAB[k] for k in np.argsort(-row, kind="stable")[:5]] for row in p]


class Held:
    """What a page holds: a snapshot's rows, each frame's rows start..end-1 put in their place, and
    the revision each frame must build on."""

    def __init__(self, session: Session) -> None:
        snapshot = session.snapshot()
        self.revision = snapshot["revision"]
        self.h = np.array(snapshot["trace"]["h"], dtype=np.float64)
        self.top = list(snapshot["top"]["tokens"])

    def take(self, frame: dict[str, Any]) -> tuple[int, int]:
        assert frame["type"] == "frame" and frame["base"] == self.revision
        start, end = frame["start"], frame["end"]
        assert len(frame["trace"]["h"]) == len(frame["top"]["tokens"]) == end - start
        self.h[start:end] = frame["trace"]["h"]
        self.top[start:end] = frame["top"]["tokens"]
        self.revision = frame["revision"]
        return start, end


def assert_rows_match(model: Model, session: Session, held: Held, layer: int, rows: slice) -> None:
    """Rows `rows` of what the page holds equal PyTorch's for the session's inputs now."""
    x = session.x
    _, h, _ = torch_views(model.lstm, x)[layer, False]
    np.testing.assert_allclose(held.h[rows], h[rows], atol=1e-6)  # h travels as float32
    assert held.top[rows] == model.top(x)[rows]


@pytest.fixture
def small_parts(override_settings: Callable[..., None]) -> Callable[[Session], None]:
    """Parts of FIRST_ROWS rows first, then CONTINUED_PARTS times as many, for a session's model."""

    def apply(session: Session) -> None:
        override_settings(first_part_weights=FIRST_ROWS * weights_a_step(session.scenario))

    return apply


@pytest.mark.parametrize("layer", [0, 1])
def test_a_move_is_answered_with_its_first_rows_then_the_rest_in_parts_each_equal_to_torchs(
    client: TestClient, small_parts: Callable[[Session], None], layer: int
) -> None:
    require_torch()
    model = Model(client)
    session = model.session(layer)
    held = Held(session)
    small_parts(session)
    [frame] = session.apply([msg(type="set_input", id=7, t=3, j=1, value=0.75)])
    assert frame["ack"] == 7 and held.take(frame) == (3, 3 + FIRST_ROWS)
    assert session.computing
    assert_rows_match(model, session, held, layer, slice(3, 3 + FIRST_ROWS))  # drawn as it comes
    ends = []
    while session.computing:
        [frame] = session.apply([])
        ends.append(held.take(frame)[1])
        assert frame["ack"] is None
        assert_rows_match(model, session, held, layer, slice(0, ends[-1]))
    step = FIRST_ROWS * CONTINUED_PARTS
    assert ends == [min(len(TEXT), 3 + FIRST_ROWS + step * k) for k in range(1, len(ends) + 1)]
    assert ends[-1] == len(TEXT) and session.apply([]) == []  # done: nothing more to send
    assert "summary" not in frame or frame["end"] == len(TEXT)


def test_a_new_move_takes_over_from_the_first_row_not_yet_computed(
    client: TestClient, small_parts: Callable[[Session], None]
) -> None:
    require_torch()
    model = Model(client)
    session = model.session()
    held = Held(session)
    small_parts(session)
    [frame] = session.apply([msg(type="set_input", t=3, j=1, value=0.75)])
    assert held.take(frame) == (3, 5)
    [frame] = session.apply([msg(type="set_input", t=20, j=2, value=-0.5)])
    assert held.take(frame) == (5, 7)  # rows 5..19 first: step 20 reads them
    [frame] = session.apply([msg(type="set_input", t=1, j=0, value=0.25)])
    assert held.take(frame) == (1, 3)  # from the new move: rows 1.. change again
    assert_rows_match(model, session, held, 0, slice(0, 3))
    while session.computing:
        held.take(session.apply([])[0])
    assert_rows_match(model, session, held, 0, slice(None))


@pytest.mark.parametrize("request_", [{"type": "sync"}, {"type": "export", "format": "trace.csv"}])
def test_a_reply_that_needs_every_row_finishes_the_rerun_first(
    client: TestClient, small_parts: Callable[[Session], None], request_: dict[str, Any]
) -> None:
    require_torch()
    model = Model(client)
    session = model.session()
    small_parts(session)
    [frame] = session.apply([msg(type="set_input", t=3, j=1, value=0.75)])
    assert frame["end"] == 5 and session.computing
    replies = session.apply([msg(id=9, **request_)])
    assert not session.computing
    reply = replies[0]  # a frame of every row left (a sync's snapshot has every row anyway)
    assert reply["type"] in ("frame", "snapshot") and reply.get("end", len(TEXT)) == len(TEXT)
    _, h, _ = torch_views(model.lstm, session.x)[0, False]
    np.testing.assert_allclose(session.trace.h, h, atol=1e-9)


def test_a_stack_with_a_reverse_direction_reruns_whole(
    client: TestClient, small_parts: Callable[[Session], None]
) -> None:
    """A reverse direction reads the end of the sequence first: no row is final before the rest."""
    require_torch()
    session = Model(client, bidirectional=True).session()
    small_parts(session)
    [frame] = session.apply([msg(type="set_input", t=3, j=1, value=0.75)])
    assert (frame["start"], frame["end"]) == (0, len(TEXT)) and not session.computing


def test_a_page_that_shows_the_gradients_gets_every_row_at_once(
    client: TestClient, small_parts: Callable[[Session], None]
) -> None:
    require_torch()
    session = Model(client).session()
    session.apply([msg(type="views", shown=["belt", "timeline", "gradients"])])
    small_parts(session)
    [frame] = session.apply([msg(type="set_input", t=3, j=1, value=0.75)])
    assert (frame["start"], frame["end"]) == (3, len(TEXT)) and "gradients" in frame
    assert not session.computing
