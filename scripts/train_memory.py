"""Train the `trained-memory` scenario's LSTM with the engine's NumPy BPTT + Adam, and save it.

    .venv/bin/python -m scripts.train_memory        # ~5 s; writes app/data/trained-memory.npz

Seeded: the same command writes the same weights on the same NumPy.
"""

from pathlib import Path

import numpy as np

from app.engine.lstm import WEIGHT_NAMES
from app.engine.train import accuracy, sign_memory_batch, train_sign_memory

OUT = Path(__file__).resolve().parents[1] / "app" / "data" / "trained-memory.npz"
SEED, ITERATIONS, HIDDEN, STEPS = 0, 400, 4, 50


def main() -> None:
    weights, losses = train_sign_memory(np.random.default_rng(SEED), ITERATIONS, hidden=HIDDEN, steps=STEPS)
    x, y = sign_memory_batch(np.random.default_rng(SEED + 1), 1000, STEPS)
    score = accuracy(weights, x, y)
    print(f"loss {losses[0]:.3f} → {np.mean(losses[-20:]):.3f}; accuracy on 1000 fresh sequences {score:.3f}")
    np.savez(OUT, **{name: getattr(weights, name) for name in WEIGHT_NAMES}, seed=SEED, iterations=ITERATIONS)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
