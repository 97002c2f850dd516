"""Benchmark harness (PERFORMANCE.md): ``python -m bench [--clients N] [--only NAME,...] [--json PATH]``."""
