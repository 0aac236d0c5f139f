"""How the socket reads a message: pydantic parses the JSON itself, and refusals are unchanged.

Parsing through orjson's Python objects first made a large message cost about eight times its
size in memory at its peak (a 2 MB restore: 25 MiB), kept afterwards in the heap that
app/memory.py holds on to while sessions run.
"""

from __future__ import annotations

import struct
import tracemalloc

import numpy as np
import orjson

from app.web.stream import _messages, _parse


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


def test_refusals_keep_their_codes_and_fields() -> None:
    cases = {
        '{"type": "set_input", "t": 0, "j": 0, "value": NaN, "id": 3}': ("not_json", None),
        "not json": ("not_json", None),
        '{"type": "set_input", "t": 0, "j": 0, "value": true, "id": 4}': ("float_type", "value"),
        '{"type": "set_input", "t": -1, "j": 0, "value": 0.5, "id": 5}': ("greater_than_equal", "t"),
    }
    for text, (code, field) in cases.items():
        parsed, errors = _parse([text])
        assert parsed == []
        assert (errors[0]["code"], errors[0]["field"]) == (code, field), text
