"""Benchmark 7: one training update (forward, backward, Adam) against PyTorch training the same model.

The model is the server's (app/engine/batched.py): one LSTM layer and a linear head on h_{T-1},
softmax cross-entropy, on sign-memory batches (D=2, 2 classes). One update, interleaved, medians:

- engine: `batched.loss_and_gradients` + `batched.Adam.step`, float64 (what app/training.py runs);
- PyTorch: `nn.LSTM(batch_first=True)` + `nn.Linear` + `cross_entropy`, `backward()` and
  `torch.optim.Adam.step()`, in float64 (the engine's precision) and in float32 (PyTorch's default);
- also reported: the engine's per-sequence pass this replaced (`engine/train.py`
  `loss_and_gradients`, one `lstm.run` and one backward per sequence) with the same Adam.

All compute the same gradients first (1e-10 in float64, 1e-4 in float32), or the timings compare
nothing. Target: the engine ≤ 1.0× PyTorch at H=8, T=50, batch 32, float64 and float32. The
largest training a page may ask for (H=16, T=200, batch 256) is reported beside it.
One thread for NumPy and PyTorch (`OPENBLAS_NUM_THREADS=1`, `torch.set_num_threads(1)`).

    .venv/bin/python -m benchmarks.bench_training [--quick]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from app.engine import train
from app.engine.batched import PARAM_NAMES, Adam, Params, init_params, loss_and_gradients
from app.engine.tasks import TASKS
from app.memory import tune_allocator
from benchmarks.common import Row, check, interleaved_medians, run_standalone

TARGET = 1.0
JUDGED = (8, 50, 32)  # (H, T, batch) the issue sets the target for
CASES = (JUDGED, (16, 200, 256))
LR = 0.03


def torch_model(params: Params, dtype: torch.dtype) -> tuple[nn.LSTM, nn.Linear, torch.optim.Adam]:
    """nn.LSTM and nn.Linear holding the engine's initial numbers, and their Adam."""
    inputs, hidden, outputs = params.sizes
    net = nn.LSTM(inputs, hidden, batch_first=True, dtype=dtype)
    head = nn.Linear(hidden, outputs, dtype=dtype)
    with torch.no_grad():
        for name in PARAM_NAMES:
            value = torch.from_numpy(params[name].copy()).to(dtype)
            target = getattr(head, name.removeprefix("head_")) if name.startswith("head_") else None
            (target if target is not None else getattr(net, f"{name}_l0")).copy_(value)
    return net, head, torch.optim.Adam([*net.parameters(), *head.parameters()], lr=LR)


def torch_update(net: nn.LSTM, head: nn.Linear, adam: torch.optim.Adam, x: Any, y: Any) -> float:
    adam.zero_grad()
    out, _ = net(x)
    loss = nn.functional.cross_entropy(head(out[:, -1]), y)
    loss.backward()  # type: ignore[no-untyped-call]
    adam.step()
    return float(loss.detach())


def per_sequence_update(weights: Any, state: Any, x: np.ndarray, y: np.ndarray) -> Any:
    """The pass training used before (engine/train.py): logistic loss on 4·h[0], one sequence at a time."""
    _, grads = train.loss_and_gradients(weights, x, 2 * y - 1)
    return train.adam_step(weights, grads, state, LR)


def _check_gradients(params: Params, x: np.ndarray, y: np.ndarray) -> None:
    """The engine's gradients are PyTorch's, in both precisions (else the timings compare nothing)."""
    _, grads = loss_and_gradients(params, x, y, "class")
    for dtype, atol in ((torch.float64, 1e-10), (torch.float32, 1e-4)):
        net, head, _ = torch_model(params, dtype)
        out, _ = net(torch.from_numpy(x).to(dtype))
        nn.functional.cross_entropy(head(out[:, -1]), torch.from_numpy(y).long()).backward()  # type: ignore[no-untyped-call]
        reference = {name: getattr(net, f"{name}_l0").grad for name in PARAM_NAMES[:4]}
        reference |= {"head_weight": head.weight.grad, "head_bias": head.bias.grad}
        for name, grad in reference.items():
            assert grad is not None
            np.testing.assert_allclose(grads[name], grad.double().numpy(), atol=atol, err_msg=name)


def _torch_run(params: Params, dtype: torch.dtype, x: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """One PyTorch update on its own copy of the initial weights, in `dtype`."""
    net, head, optimiser = torch_model(params, dtype)
    xt, yt = torch.from_numpy(x).to(dtype), torch.from_numpy(y).long()
    return lambda: torch_update(net, head, optimiser, xt, yt)


def contenders(hidden: int, steps: int, batch: int) -> dict[str, Callable[[], object]]:
    """One update of each, on the same initial weights and the same batch."""
    task = TASKS["sign-memory"]
    rng = np.random.default_rng(hidden)
    params = init_params(rng, task.inputs, hidden, task.outputs, forget_bias=1.0)
    x, y, _ = task.generate(rng, batch, steps)
    _check_gradients(params, x, y)
    adam, grads = Adam.start(params), params.like()

    def engine() -> None:
        loss_and_gradients(params, x, y, task.kind, grads)
        adam.step(params, grads, LR)

    runs: dict[str, Callable[[], object]] = {"engine": engine}
    for key, dtype in (("torch64", torch.float64), ("torch32", torch.float32)):
        runs[key] = _torch_run(params, dtype, x, y)
    if (hidden, steps, batch) == JUDGED:
        weights = train.pytorch_default_init(rng, task.inputs, hidden)
        state = [weights, train.Adam.start(weights)]

        def per_sequence() -> None:
            state[:] = per_sequence_update(state[0], state[1], x, y)

        runs["per_sequence"] = per_sequence
    return runs


def measure(quick: bool = False) -> list[Row]:
    torch.set_num_threads(1)
    tune_allocator()  # as the server runs (app/__main__.py)
    repeats = 5 if quick else 31
    rows: list[Row] = []
    for hidden, steps, batch in CASES:
        ms = {k: s * 1e3 for k, s in interleaved_medians(contenders(hidden, steps, batch), repeats).items()}
        case = f"H={hidden}, T={steps}, batch {batch}, D=2"
        judged = (hidden, steps, batch) == JUDGED
        data = {"H": hidden, "T": steps, "batch": batch, **{f"{k}_ms": v for k, v in ms.items()}}
        for key, precision in (("torch64", "float64"), ("torch32", "float32")):
            ratio = ms["engine"] / ms[key]
            met, score = check(ratio, TARGET) if judged else (None, None)
            rows.append(
                Row(
                    benchmark="7 training update",
                    case=f"{case}: engine (float64) vs nn.LSTM + Linear + Adam, {precision}",
                    figure=f"{ms['engine']:.2f} ms",
                    reference=f"{ms[key]:.2f} ms",
                    ratio=ratio,
                    target=f"≤ {TARGET:g}×" if judged else "— (report)",
                    met=met,
                    score=score,
                    data={**data, "precision": precision},
                )
            )
        if "per_sequence" in ms:
            rows.append(
                Row(
                    benchmark="7 training update",
                    case=f"{case}: engine vs the per-sequence pass it replaced (engine/train.py)",
                    figure=f"{ms['engine']:.2f} ms",
                    reference=f"{ms['per_sequence']:.2f} ms",
                    ratio=ms["engine"] / ms["per_sequence"],
                    target="— (report)",
                    met=None,
                    data=data,
                )
            )
    return rows


def main() -> None:
    run_standalone(__doc__, measure, "5 repeats instead of 31")


if __name__ == "__main__":
    main()
