"""Run benchmarks 1–8, print one table, write benchmarks/results.json and benchmarks/results.png."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    bench_browser,
    bench_engine,
    bench_fullsize,
    bench_memory,
    bench_pageload,
    bench_stream,
    bench_suffix,
    bench_training,
)
from benchmarks.common import Row, ensure_pinned_threads, machine, print_rows

HERE = Path(__file__).resolve().parent
BENCHMARKS: dict[str, Callable[[bool], list[Row]]] = {
    "engine": bench_engine.measure,
    "suffix": bench_suffix.measure,
    "stream": bench_stream.measure,
    "browser": bench_browser.measure,
    "pageload": bench_pageload.measure,
    "memory": bench_memory.measure,
    "training": bench_training.measure,
    "fullsize": bench_fullsize.measure,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats: a smoke run, noisier figures")
    parser.add_argument("--only", help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.json and results.png")
    args = parser.parse_args()
    ensure_pinned_threads()
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for name in chosen:
        print(f"running {name} …", flush=True)
        start = time.perf_counter()
        rows += BENCHMARKS[name](args.quick)
        seconds[name] = round(time.perf_counter() - start, 1)
    about = machine()
    print()
    print(", ".join(f"{key} {value}" for key, value in about.items()))
    print_rows(rows)
    met = [row for row in rows if row.met is not None]
    print(f"\n{sum(bool(row.met) for row in met)} of {len(met)} targets met")
    args.out.mkdir(parents=True, exist_ok=True)
    results = {
        "machine": about,
        "quick": args.quick,
        "seconds": seconds,
        "rows": [row.as_dict() for row in rows],
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    try:
        from benchmarks.plot import plot
    except ImportError as err:  # matplotlib is the `bench` extra
        print(f"no plot ({err}); install the bench extra: pip install -e '.[bench]'")
        return
    plot(rows, about, args.out / "results.png")
    print(f"wrote {args.out / 'results.json'} and {args.out / 'results.png'}")
