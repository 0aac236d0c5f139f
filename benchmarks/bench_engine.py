"""Benchmark 1: the engine's full trace against the PyTorch ways of getting an LSTM's steps.

T=1000, D=H, batch 1, for H in 8, 32, 64, 128, 256. The engine, two PyTorch ways at two precisions
and a floor, all interleaved, medians:

- engine: `app.engine.lstm.run`, float64, recording all 17 per-step quantities;
- LSTMCell loop: the practitioner's way to per-step gates today: an `nn.LSTMCell` called step by
  step, with the gates recomputed by hand (the cell returns only h and c) and i, f, g, o, c, h
  recorded, under `torch.no_grad()`;
- fused nn.LSTM: one call over the sequence, records nothing but h.

Both PyTorch ways run in float64 (`dtype=torch.float64`, the engine's precision: the targets are
judged on these) and in float32 (PyTorch's default: reported beside them).

Also timed, as a floor: a Python loop over the T steps doing only what every step of any NumPy
LSTM must do, one vector-matrix product with W_hh added to the input part and one tanh, with
nothing recorded (less than an LSTM step). A pure-NumPy engine that walks the steps in Python
cannot be faster than this loop; its ratio to fused nn.LSTM shows how far the 1.5× target is.

Targets, against float64 PyTorch: engine ≤ 0.33× the cell loop for H ≤ 128; engine ≤ 1.5× fused
nn.LSTM for H ≤ 64.
One thread for NumPy and PyTorch (`OPENBLAS_NUM_THREADS=1`, `torch.set_num_threads(1)`).

    .venv/bin/python -m benchmarks.bench_engine [--quick]
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from app.engine import lstm
from app.memory import tune_allocator
from benchmarks.common import (
    Row,
    check,
    interleaved_medians,
    run_standalone,
)

SIZES = (8, 32, 64, 128, 256)
STEPS = 1000
CELL_TARGET, CELL_UP_TO = 0.33, 128
FUSED_TARGET, FUSED_UP_TO = 1.5, 64


def cell_loop(cell: nn.LSTMCell, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-step gates the way a practitioner gets them from PyTorch: LSTMCell plus a hand recompute."""
    hidden = cell.hidden_size
    h = torch.zeros(1, hidden, dtype=x.dtype)
    c = torch.zeros(1, hidden, dtype=x.dtype)
    rows: dict[str, list[torch.Tensor]] = {name: [] for name in ("i", "f", "g", "o", "c", "h")}
    with torch.no_grad():
        for x_t in x:  # (1, D)
            pre = x_t @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh  # (1, 4H)
            i, f, g, o = pre.chunk(4, dim=1)
            h, c = cell(x_t, (h, c))
            for name, value in zip(
                rows, (i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid(), c, h), strict=True
            ):
                rows[name].append(value)
    return {name: torch.cat(values) for name, values in rows.items()}  # (T, H) each


def fused(layer: nn.LSTM, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        out, _ = layer(x)  # (T, 1, H): h only
    result: torch.Tensor = out
    return result


def numpy_floor(pre: np.ndarray, w_hh_t: np.ndarray) -> np.ndarray:
    """The least a Python loop of NumPy calls does per step: pre_t + h @ W_hh, one tanh. pre (T, 4H)."""
    hidden = w_hh_t.shape[0]
    out = np.empty_like(pre)
    h = np.zeros(hidden)
    for pre_t, out_t in zip(pre, out, strict=True):
        np.add(pre_t, h @ w_hh_t, out=out_t)
        np.tanh(out_t, out=out_t)
        h = out_t[:hidden]
    return out


def contenders(hidden: int) -> dict[str, Callable[[], object]]:
    """The engine, the two PyTorch ways in float64 and float32, and the NumPy floor, on the same
    weights and inputs (the float64 PyTorch modules are the float32 ones converted)."""
    torch.manual_seed(hidden)
    layer = nn.LSTM(hidden, hidden)
    cell = nn.LSTMCell(hidden, hidden)
    cell.load_state_dict({name.removesuffix("_l0"): value for name, value in layer.state_dict().items()})
    layer64, cell64 = copy.deepcopy(layer).double(), copy.deepcopy(cell).double()
    weights = lstm.LSTMWeights(
        *(getattr(layer64, f"{name}_l0").detach().numpy() for name in lstm.WEIGHT_NAMES)
    )
    x = torch.randn(STEPS, 1, hidden)  # (T, batch 1, D)
    x64 = x.double()
    x_np = x64[:, 0].numpy()  # (T, D)
    trace = lstm.run(weights, x_np)
    _check_agreement(trace, cell_loop(cell64, x64), fused(layer64, x64), atol=1e-10)
    _check_agreement(trace, cell_loop(cell, x), fused(layer, x), atol=1e-4)
    pre = x_np @ weights.weight_ih.T + weights.bias_ih + weights.bias_hh  # (T, 4H), as the engine's
    w_hh_t = weights.weight_hh.T
    return {
        "engine": lambda: lstm.run(weights, x_np),
        "cell64": lambda: cell_loop(cell64, x64),
        "fused64": lambda: fused(layer64, x64),
        "cell32": lambda: cell_loop(cell, x),
        "fused32": lambda: fused(layer, x),
        "floor": lambda: numpy_floor(pre, w_hh_t),
    }


def _check_agreement(trace: lstm.Trace, cell: dict[str, torch.Tensor], h: torch.Tensor, atol: float) -> None:
    """The three compute the same thing (to the precision's tolerance), or the timings compare nothing."""
    for name in ("i", "f", "g", "o", "c", "h"):
        np.testing.assert_allclose(getattr(trace, name), cell[name].double().numpy(), atol=atol)
    np.testing.assert_allclose(trace.h, h[:, 0].double().numpy(), atol=atol)


# (contender key, reference name, precision, target, judged for H up to): float64 first, the
# engine's own precision, on which the targets are judged; float32 reported beside it.
REFERENCES = (
    ("cell64", "LSTMCell loop + gates", "float64", CELL_TARGET, CELL_UP_TO),
    ("fused64", "fused nn.LSTM", "float64", FUSED_TARGET, FUSED_UP_TO),
    ("cell32", "LSTMCell loop + gates", "float32", None, CELL_UP_TO),
    ("fused32", "fused nn.LSTM", "float32", None, FUSED_UP_TO),
)


def measure(quick: bool = False) -> list[Row]:
    torch.set_num_threads(1)
    # The allocator as the server runs it (app/__main__.py): without this, every run pays again
    # for touching its freshly mapped trace arrays, and the figure depends on what ran before.
    tune_allocator()
    repeats = 3 if quick else 11
    rows: list[Row] = []
    for hidden in SIZES:
        times = interleaved_medians(contenders(hidden), repeats)
        ms = {name: seconds * 1e3 for name, seconds in times.items()}
        engine_ms = ms["engine"]
        data = {"H": hidden, "T": STEPS, **{f"{name}_ms": value for name, value in ms.items()}}
        for key, ref, precision, target, up_to in REFERENCES:
            ratio = engine_ms / ms[key]
            met, score, wanted = None, None, "— (report; judged on float64)"
            if target is not None:
                judged = hidden <= up_to
                met, score = check(ratio, target) if judged else (None, None)
                wanted = f"≤ {target:g}×" if judged else f"— (target for H ≤ {up_to})"
            rows.append(
                Row(
                    benchmark="1 engine full trace",
                    case=f"H=D={hidden}, T={STEPS} vs {ref}, {precision}",
                    figure=f"{engine_ms:.2f} ms",
                    reference=f"{ms[key]:.2f} ms",
                    ratio=ratio,
                    target=wanted,
                    met=met,
                    score=score,
                    data={**data, "reference": ref, "precision": precision},
                )
            )
        rows.append(
            Row(
                benchmark="1 engine full trace",
                case=f"H=D={hidden}: NumPy floor (a loop doing only h @ W_hh + input part, tanh) "
                "vs fused, float64",
                figure=f"{ms['floor']:.2f} ms",
                reference=f"fused nn.LSTM float64 {ms['fused64']:.2f} ms",
                ratio=ms["floor"] / ms["fused64"],
                target="— (no NumPy loop goes below it)",
                met=None,
                data={
                    **data,
                    "reference": "fused nn.LSTM",
                    "precision": "float64",
                    "contender": "NumPy floor",
                },
            )
        )
    return rows


def main() -> None:
    run_standalone(__doc__, measure, "3 repeats instead of 11")


if __name__ == "__main__":
    main()
