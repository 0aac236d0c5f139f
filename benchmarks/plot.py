"""results.png: the engine against PyTorch by H, and every target as measured / target."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from benchmarks.bench_engine import CELL_TARGET, FUSED_TARGET
from benchmarks.common import Row

MET, MISSED = "#2a9d55", "#d1495b"


def plot(rows: list[Row], about: dict[str, str], path: Path) -> None:
    targeted = [row for row in rows if row.score is not None]
    engine = [row for row in rows if row.benchmark.startswith("1 ")]
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(15, max(5.0, 0.34 * len(targeted) + 1.5)), gridspec_kw={"width_ratios": [1, 1.5]}
    )
    # (contender, reference, precision, target or None, marker, line): the engine against both
    # references in float64 (the engine's precision; the targets) and float32 (reported), and the
    # NumPy floor (a loop doing less than an LSTM step) against fused float64 nn.LSTM.
    series = (
        ("engine", "LSTMCell", "float64", CELL_TARGET, "o", "-"),
        ("engine", "fused", "float64", FUSED_TARGET, "s", "-"),
        ("engine", "LSTMCell", "float32", None, "o", "--"),
        ("engine", "fused", "float32", None, "s", "--"),
        ("NumPy floor", "fused", "float64", None, "^", ":"),
    )
    for contender, reference, precision, target, marker, style in series:
        points = [
            (row.data["H"], row.ratio)
            for row in engine
            if reference in row.data["reference"]
            and row.data.get("contender", "engine") == contender
            and row.data.get("precision", "float32") == precision  # results from before float64 rows
        ]
        if points:
            sizes, ratios = zip(*points, strict=True)
            wanted = f" (target ≤ {target:g}×)" if target else ""
            label = f"{contender} / {reference} {precision}{wanted}"
            line = left.plot(sizes, ratios, marker=marker, linestyle=style, label=label)
            if target:
                left.axhline(target, color=line[0].get_color(), linestyle=":", linewidth=1)
    left.set(xscale="log", yscale="log", xlabel="H (= D), T = 1000", ylabel="time ratio (lower is faster)")
    left.set_title("1 · engine full trace vs PyTorch")
    if engine:
        ticks = sorted({row.data["H"] for row in engine})
        left.set_xticks(ticks, labels=[str(size) for size in ticks])
        left.legend(fontsize=8)
    left.grid(True, which="both", alpha=0.3)

    # Parenthesised details dropped, so that the cases of one set-up still differ within the width.
    labels = [re.sub(r" \([^()]*\)", "", f"{row.benchmark} · {row.case}")[:80] for row in targeted]
    scores = [row.score or 0.0 for row in targeted]
    right.barh(range(len(targeted)), scores, color=[MET if row.met else MISSED for row in targeted])
    right.axvline(1.0, color="black", linewidth=1)
    right.set_yticks(range(len(targeted)), labels=labels, fontsize=7)
    right.invert_yaxis()
    right.set_xscale("log")
    right.set_xlabel("measured / target (≤ 1: met; higher-is-better figures inverted)")
    right.set_title(f"every target: {sum(bool(r.met) for r in targeted)} of {len(targeted)} met")
    right.grid(True, axis="x", which="both", alpha=0.3)
    figure.suptitle(
        f"LSTM Conveyor benchmarks — {about['cpu']}, {about['cores']} cores, Python {about['python']}, "
        f"numpy {about['numpy']}, torch {about['torch']}, one BLAS thread",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
