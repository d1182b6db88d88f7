"""scripts/bench_data.py in parts: the shop it drives, its traces, one module a section."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from scripts.bench_cli import BenchError
from scripts.bench_report import progress_of

__all__ = ["BenchError", "progress", "timed"]

progress = progress_of("bench_data")


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result
