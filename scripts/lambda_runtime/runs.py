"""What one execution environment reports: its init phase, then each step's invocations."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Step:
    """One event handled `calls` times: the last answer, the first call's time, each's."""

    response: Any
    ms: float
    samples_ms: list[float]
    statuses: list[int]
    modules: list[str]


@dataclass(frozen=True)
class Run:
    """One execution environment's life: the init phase, then each step's invocations."""

    init_ms: float
    init_modules: list[str]
    # The garbage collector once the handler module is imported: on, or the container leaks.
    collector_enabled: bool
    frozen_objects: int
    steps: list[Step]
    compiled: list[str]
    sys_path: list[str]
    wall_ms: float
    stderr: str

    @classmethod
    def from_report(cls, report: dict[str, Any], *, wall_ms: float, stderr: str) -> Run:
        """bootstrap.py's report, with what only the parent sees: the wall time and stderr."""
        init = report["init"]
        return cls(
            init_ms=init["ms"],
            init_modules=init["modules"],
            collector_enabled=init["collector"]["enabled"],
            frozen_objects=init["collector"]["frozen"],
            steps=[Step(**step) for step in report["steps"]],
            compiled=report["compiled"],
            sys_path=report["sys_path"],
            wall_ms=wall_ms,
            stderr=stderr,
        )

    @property
    def response(self) -> Any:
        """The last step's answer."""
        return self.steps[-1].response

    def cold_start_modules(self) -> set[str]:
        """Modules imported by the init phase and the first invocation."""
        first = self.steps[0].modules if self.steps else []
        return {*self.init_modules, *first}

    def compiled_under(self, folders: Iterable[Path]) -> list[str]:
        roots = [str(folder) + os.sep for folder in folders]
        return [path for path in self.compiled if path.startswith(tuple(roots))]
