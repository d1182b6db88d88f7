"""scripts/bench.py in parts: the targets, how they are built and measured, the report."""

from __future__ import annotations

from scripts.bench_cli import BenchError
from scripts.bench_report import progress_of

__all__ = ["BenchError", "progress"]

progress = progress_of("bench")
