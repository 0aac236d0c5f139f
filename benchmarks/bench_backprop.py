"""Forward run vs backpropagation through time, LSTM and RNN, at T=1000, H=64, D=64.

Run on demand (not part of pytest):
    .venv/bin/python benchmarks/bench_backprop.py [--steps 1000] [--hidden 64] [--inputs 64] [--repeats 21]

The backward pass should cost at most ~3× the forward run it differentiates. On a busy machine,
OpenBLAS's worker threads stall the few large products (see benchmarks/README.md); pin BLAS to one
thread for steady figures: OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_backprop.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from app.engine import lstm, rnn
from app.engine.backprop import lstm_backward, rnn_backward

TARGET_RATIO = 3.0


def median_seconds(
    forward: Callable[[], object], backward: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Median wall times of forward and backward, interleaved so both see the same machine load."""
    forward(), backward()  # warm-up
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, store in zip((forward, backward), times, strict=True):
            start = time.perf_counter()
            fn()
            store.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def uniform_params(rng: np.random.Generator, rows: int, inputs: int, hidden: int) -> list[np.ndarray]:
    """PyTorch's default init: every parameter uniform in ±1/√H."""
    bound = 1 / np.sqrt(hidden)
    return [rng.uniform(-bound, bound, shape) for shape in [(rows, inputs), (rows, hidden), (rows,), (rows,)]]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--inputs", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    steps, hidden, inputs, repeats = args.steps, args.hidden, args.inputs, args.repeats

    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps, inputs))  # (T, D)
    h0 = rng.uniform(-0.5, 0.5, hidden)
    lstm_weights = lstm.LSTMWeights(*uniform_params(rng, 4 * hidden, inputs, hidden))
    rnn_weights = rnn.RNNWeights(*uniform_params(rng, hidden, inputs, hidden))
    lstm_trace = lstm.run(lstm_weights, x, h0, np.zeros(hidden))
    rnn_trace = rnn.run(rnn_weights, x, h0)

    rows = [
        (
            "LSTM",
            *median_seconds(
                lambda: lstm.run(lstm_weights, x, h0, np.zeros(hidden)),
                lambda: lstm_backward(lstm_weights, lstm_trace),
                repeats,
            ),
        ),
        (
            "RNN",
            *median_seconds(
                lambda: rnn.run(rnn_weights, x, h0), lambda: rnn_backward(rnn_weights, rnn_trace), repeats
            ),
        ),
    ]

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"T={steps}, H={hidden}, D={inputs}, median of {repeats} runs, numpy {np.__version__}, {threads=}")
    print(f"{'model':<6} {'forward ms':>11} {'backward ms':>12} {'backward/forward':>17}")
    for model, forward, backward in rows:
        ratio = backward / forward
        verdict = "ok" if ratio <= TARGET_RATIO else f"over {TARGET_RATIO:g}×"
        print(f"{model:<6} {forward * 1e3:>11.2f} {backward * 1e3:>12.2f} {ratio:>16.2f}×  {verdict}")


if __name__ == "__main__":
    main()
