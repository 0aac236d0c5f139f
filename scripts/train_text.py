"""Train the `python-code` scenario's language model (Embedding → LSTM → Linear, char-level) on
files of Python's own standard library with the engine's NumPy BPTT and Adam, and save it.

    nice -n 10 .venv/bin/python -m scripts.train_text     # ~7 min of CPU (one BLAS thread)
    .venv/bin/python -m scripts.train_text --evaluate        # only the figures, from the shipped file

Training text: TRAIN_FILES of `sysconfig.get_paths()["stdlib"]`; held out: HELD_OUT_FILES, whose
text is committed (app/data/python-code-heldout.txt) so that the figures can be checked on any
Python. Seeded: the same command writes the same weights on the same Python and NumPy.

Prints bits per character on the held-out text, and for each feature (the column in the line,
inside a string, inside brackets) the unit whose cell state follows it best (Pearson r over the
steps after each held-out window's first line break: a window starts from a zero state mid-line);
the best pair is the one the scenario names (manifest: app/data/python-code.json).
"""

from __future__ import annotations

import json
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.batched import Adam
from app.engine.lm import LMParams, clip, init_lm, loss_and_gradients, params_of
from app.scenarios import load_text_model
from app.text_features import FEATURES, bits_per_char, feature_values, unit_correlations

DATA = Path(__file__).resolve().parents[1] / "app" / "data"
WEIGHTS, MANIFEST, HELD_OUT = (
    DATA / "python-code.npz",
    DATA / "python-code.json",
    DATA / "python-code-heldout.txt",
)
TRAIN_FILES = (
    "argparse.py", "inspect.py", "typing.py", "tarfile.py", "zipfile.py", "subprocess.py",
    "datetime.py", "difflib.py", "enum.py", "dataclasses.py", "threading.py", "shutil.py",
    "configparser.py", "pathlib.py", "ast.py", "functools.py", "os.py", "random.py",
    "tempfile.py", "contextlib.py", "tokenize.py", "fractions.py", "statistics.py",
)  # fmt: skip
HELD_OUT_FILES = ("textwrap.py", "heapq.py", "shlex.py")
UNK = "<unk>"
SEED, EMBED, HIDDEN, SEQ, BATCH, UPDATES, LR, MIN_COUNT, CLIP = 0, 16, 128, 160, 32, 2400, 3e-3, 20, 5.0


def read(names: tuple[str, ...]) -> str:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return "".join((stdlib / name).read_text(encoding="utf-8") for name in names)


def build_vocab(text: str) -> list[str]:
    chars, counts = np.unique(np.array(list(text)), return_counts=True)
    return [UNK, *sorted(str(ch) for ch, n in zip(chars, counts, strict=True) if n >= MIN_COUNT)]


def encode(text: str, vocab: list[str]) -> np.ndarray:
    index = {token: k for k, token in enumerate(vocab)}
    return np.array([index.get(ch, 0) for ch in text], dtype=np.intp)


def train(ids: np.ndarray, vocab: int, rng: np.random.Generator) -> LMParams:
    params = init_lm(rng, vocab, EMBED, HIDDEN)
    adam, grads = Adam.start(params), params.like()
    started, smooth = time.process_time(), 0.0
    for update in range(UPDATES):
        starts = rng.integers(0, len(ids) - SEQ - 1, BATCH)
        window = ids[starts[:, None] + np.arange(SEQ + 1)]  # (B, T+1)
        loss, _ = loss_and_gradients(params, window[:, :-1], window[:, 1:], grads)
        clip(grads, CLIP)
        lr = LR * min(1.0, 2.0 * (1 - update / UPDATES))  # flat, then down to 0 over the last half
        adam.step(params, grads, lr)
        smooth = loss if update == 0 else 0.98 * smooth + 0.02 * loss
        if update % 200 == 0 or update == UPDATES - 1:
            cpu = time.process_time() - started
            print(f"update {update:5d}  loss {smooth / np.log(2):.3f} bits/char  cpu {cpu:.0f} s", flush=True)
    return params


def main() -> None:
    if "--evaluate" not in sys.argv[1:]:
        save(*train_and_shrink())
    evaluate()


def train_and_shrink() -> tuple[dict[str, np.ndarray], list[str]]:
    """The trained tensors, rounded to float32 as they ship, and the vocabulary."""
    text, held_out = read(TRAIN_FILES), read(HELD_OUT_FILES)
    vocab = build_vocab(text)
    params = train(encode(text, vocab), len(vocab), np.random.default_rng(SEED))
    HELD_OUT.write_text(held_out, encoding="utf-8")
    return {name: view.astype(np.float32) for name, view in params.views.items()}, vocab


def save(shipped: dict[str, np.ndarray], vocab: list[str]) -> None:
    names = {
        "embedding": "embedding.weight",
        "decoder_weight": "decoder.weight",
        "decoder_bias": "decoder.bias",
    }
    tensors = {names.get(name, f"lstm.{name}_l0"): value for name, value in shipped.items()}
    np.savez_compressed(WEIGHTS, allow_pickle=False, vocab=np.array(vocab), **tensors)
    settings = {"seed": SEED, "embed": EMBED, "hidden": HIDDEN, "seq": SEQ, "batch": BATCH,
                "updates": UPDATES, "lr": LR, "min_count": MIN_COUNT, "clip": CLIP,
                "forget_bias": 1.0}  # fmt: skip
    manifest = {
        "model": "Embedding → LSTM → Linear, char-level",
        "train_files": list(TRAIN_FILES),
        "held_out_files": list(HELD_OUT_FILES),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "settings": settings,
        "vocab_size": len(vocab),
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def evaluate() -> None:
    """The figures, from the shipped file read as an upload is and the committed held-out text; the
    unit that follows a feature best is the one the scenario names (written to the manifest)."""
    weights, text = load_text_model(WEIGHTS)
    assert text.decoder_weight is not None and text.decoder_bias is not None
    params = params_of(text.embedding, weights, text.decoder_weight, text.decoder_bias)
    held_out = HELD_OUT.read_text(encoding="utf-8")
    held_ids = text.tokenize(held_out)
    bpc = bits_per_char(params, held_ids, SEQ)
    print(f"held-out {len(held_out)} chars ({', '.join(HELD_OUT_FILES)}): {bpc:.4f} bits per char")
    newline = text.vocab.index("\n")
    best: dict[str, Any] = {"feature": "", "unit": -1, "correlation": 0.0}
    for feature in FEATURES:
        values = feature_values(held_out, feature)
        r = unit_correlations(params, held_ids, values, SEQ, newline)
        unit = int(np.argmax(np.abs(r)))
        every = unit_correlations(params, held_ids, values, SEQ)[unit]
        print(f"  {feature:>11}: unit {unit:3d} (c), r = {r[unit]:+.3f} after each window's first line break"
              f" ({every:+.3f} over every step)")  # fmt: skip
        if abs(r[unit]) > abs(best["correlation"]):
            best = {"feature": feature, "unit": unit, "correlation": round(float(r[unit]), 4)}
    print(f"named: unit {best['unit']} follows {best['feature']}, r = {best['correlation']:+.3f}")
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    manifest |= {
        "bits_per_char": round(bpc, 4),
        **best,
        "correlation_over": "steps after each window's first line break",
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{WEIGHTS} ({WEIGHTS.stat().st_size} bytes), {MANIFEST}, {HELD_OUT}")


if __name__ == "__main__":
    main()
