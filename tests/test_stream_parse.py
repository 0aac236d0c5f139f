"""How the socket reads a message: pydantic parses the JSON itself, and refusals are unchanged.

Parsing through orjson's Python objects first made a large message cost about eight times its
size in memory at its peak (a 2 MB restore: 25 MiB), kept afterwards in the heap that
app/memory.py holds on to while sessions run.
"""

from __future__ import annotations

import struct
import tracemalloc
from typing import Any

import numpy as np
import orjson
import pytest
from pydantic import ValidationError

from app.session import error_reply
from app.web.errors import first_problem
from app.web.stream import _messages, _parse
from tests.test_bad_input_battery import BATTERY


def _bits(rows: list[list[float]]) -> bytes:
    return b"".join(struct.pack(f"<{len(row)}d", *row) for row in rows)


def test_a_large_message_is_read_at_about_its_own_size_with_the_same_numbers() -> None:
    x = np.random.default_rng(0).uniform(-1, 1, (6000, 16))
    x[0, :4] = [5e-324, -0.0, 1e-300, 2.2250738585072014e-308]  # edge cases of float parsing
    text = orjson.dumps({"type": "set_sequence", "id": 7, "x": x.tolist()}).decode()

    tracemalloc.start()
    try:
        parsed, errors = _parse([text])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert errors == []
    assert peak < 3 * len(text), f"peak {peak / 2**20:.1f} MiB for a {len(text) / 2**20:.1f} MB message"
    # Bit for bit what the orjson route gave.
    assert _bits(parsed[0].x) == _bits(_messages.validate_python(orjson.loads(text)).x) == x.tobytes()


def _old_route(text: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """What the socket made of `text` before: orjson's objects, then pydantic."""
    try:
        return [_messages.validate_python(orjson.loads(text))], []
    except orjson.JSONDecodeError:
        return [], [error_reply(None, "not_json")]
    except ValidationError as err:
        problem = first_problem(err)
        return [], [error_reply(problem.field, problem.code, problem.params, None, problem.text)]


TRICKY = [
    '{"type": "set_input", "t": 0, "j": 0, "value": NaN, "id": 3}',
    '{"type": "set_knobs", "bias_f": Infinity, "id": 3}',
    '{"type": "set_knobs", "bias_f": -Infinity}',
    '{"type": "set_input", "t": 0, "j": 0, "value": 1e400}',
    '{"type": "set_input", "t": 99999999999999999999, "j": 0, "value": 1}',
    '{"type": "sync", "id": 99999999999999999999}',
    '{"type": "sync", "id": -9223372036854775809}',
    '{"type": "sync", "id": 9223372036854775807}',
    '{"type": "sync", "id": 1.0}',
    '{"type": "sync", "type": "reset", "id": 1}',
    '{"type": "restore", "title": "\\ud800", "id": 1}',
    '{"type": "set_input", "t": 0, "j": 0, "value": true}',
    '{"type": "set_input", "t": -1, "j": 0, "value": 0.5}',
    '{"type": "set_input", "t": 0, "j": 0, "value": 0.12345678901234567890123}',
    "not json",
    "[1, 2]",
    "",
]


@pytest.mark.parametrize("text", TRICKY + [text for text, _ in BATTERY])
def test_every_message_reads_as_it_did_through_orjson(text: str) -> None:
    """Refusals keep their code, field and words; accepted messages their values (the battery of
    bad messages, and where pydantic's and orjson's readers differ: NaN, Infinity, integers beyond
    64 bits, duplicate keys, lone surrogates)."""
    parsed, errors = _parse([text])
    old_parsed, old_errors = _old_route(text)
    assert parsed == old_parsed
    assert [(e["code"], e["field"], e["params"], e["message"]) for e in errors] == [
        (e["code"], e["field"], e["params"], e["message"]) for e in old_errors
    ]
