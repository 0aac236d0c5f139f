"""docs/protocol.md's Python example drives a real server with the websockets package, as written."""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"


def python_example(index: int) -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert len(blocks) == 2, "protocol.md should hold two Python examples: the trace, and training"
    code: str = blocks[index]
    return code


def run_example(index: int, server_url: str) -> None:
    """The example as written, pointed at the live server instead of port 8000."""
    code = python_example(index)
    assert "ws://127.0.0.1:8000/ws" in code
    code = code.replace("ws://127.0.0.1:8000/ws", server_url.replace("http://", "ws://") + "/ws")
    # In a thread of its own: once a browser test ran, Playwright keeps an event loop in this one.
    program = compile(code, str(DOC), "exec")
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(exec, program, {"__name__": "__main__"}).result()


def test_the_documented_client_runs_against_a_live_server(
    server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_example(0, server_url)
    printed = capsys.readouterr().out
    assert "'T': 40" in printed and "c_10 after the change:" in printed
    assert "'type': 'error'" in printed and "'field': 't'" in printed


def test_the_documented_training_client_trains_a_model_on_a_live_server(
    server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_example(1, server_url)
    printed = capsys.readouterr().out.splitlines()
    updates = [line for line in printed if line.startswith("update ")]
    assert updates[0].startswith("update 0:")
    assert float(updates[-1].split("accuracy ")[1].split(",")[0]) >= 0.95
    assert printed[-1] == "trained weight_hh: 32 rows"


def test_every_trace_quantity_is_in_the_snapshot_table() -> None:
    from app.engine.lstm import QUANTITIES

    text = DOC.read_text()
    table = text[text.index("| key | row length | meaning |") : text.index("`gradients` (all `T` rows")]
    rows = [line.split(" | ")[0] for line in table.splitlines() if line.startswith("| `")]
    named = set(re.findall(r"`(\w+)`", " ".join(rows)))
    for name in QUANTITIES:
        # One row names the three parts of every gate by i's and o's, with `pre_q_x` etc. for any q.
        generic = re.sub(r"^pre_[ifgo]_([xhb])$", r"pre_q_\1", name)
        assert name in named or (generic != name and f"`{generic}`" in table), name


def test_every_gru_quantity_is_in_the_gru_sessions_table() -> None:
    from app.engine.gru import GRU_QUANTITIES

    text = DOC.read_text()
    section = text[text.index("## A GRU session") : text.index("## Driving it from Python")]
    rows = [line.split(" | ")[0] for line in section.splitlines() if line.startswith("| `")]
    named = set(re.findall(r"`(\w+)`", " ".join(rows)))
    for name in GRU_QUANTITIES:
        generic = re.sub(r"^pre_[rzn]_([xhb])$", r"pre_q_\1", name)
        assert name in named or (generic != name and f"`{generic}`" in section), name
