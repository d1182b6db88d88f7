"""scripts/bench.py in parts: the targets, how they are built and measured, the report."""

from __future__ import annotations

from scripts.bench_report import progress_of

progress = progress_of("bench")


class BenchError(Exception):
    """The benchmark cannot run; the message says why."""
