"""Benchmarks, run on demand (not by pytest): `.venv/bin/python benchmarks/run_all.py [--quick]`."""
