"""All benchmarks, one table: `.venv/bin/python benchmarks/run_all.py [--quick] [--only engine,stream]`.

Writes benchmarks/results.json and benchmarks/results.png. See benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    # Run as a file, Python puts benchmarks/ on the path; the suite imports `benchmarks.*`.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.suite import main as run_suite

    run_suite()


if __name__ == "__main__":
    main()
