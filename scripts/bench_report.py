"""What the benchmarks print: aligned tables, verdicts, percentiles, progress on stderr."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    """Columns padded to their widest cell, those numbered in `right` aligned right."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def progress_of(program: str) -> Callable[[str], None]:
    """A progress printer whose lines start with `program`."""

    def progress(message: str) -> None:
        # Progress goes to stderr so that stdout holds only the report.
        print(f"{program}: {message}", file=sys.stderr, flush=True)

    return progress


@dataclass
class Report:
    """Printed as it goes, section by section; the targets again in one table at the end."""

    targets: list[list[str]] = field(default_factory=list)

    def section(self, title: str) -> None:
        print(f"\n{title}\n{'=' * len(title)}", flush=True)

    def line(self, text: str = "") -> None:
        print(f"  {text}" if text else "", flush=True)

    def table(self, headers: list[str], rows: list[list[str]], right: set[int]) -> None:
        for text_line in table(headers, rows, right).splitlines():
            self.line(text_line)

    def target(self, name: str, measured: str, goal: str, ok: bool) -> None:
        self.targets.append([name, measured, goal, verdict(ok)])
        print(f"  -> {name}: {measured} (target {goal}) {verdict(ok)}", flush=True)

    def summary(self) -> None:
        self.section("Targets")
        if self.targets:
            print(table(["target", "measured", "goal", ""], self.targets, right=set()))
