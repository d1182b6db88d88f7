"""The report's sections: cold starts, warm requests, import times, package sizes."""

from __future__ import annotations

import statistics
import zipfile
from collections import defaultdict
from pathlib import Path

from scripts.bench_report import indent, p90, table, verdict
from scripts.function_bench import progress
from scripts.function_bench.measure import (
    IMPORTTIME_RUNS,
    WARM_UP_CALLS,
    ColdSamples,
    ImportEntry,
    WarmResult,
    measure_import_time,
)
from scripts.function_bench.targets import Bench, Target

FUNCTION_ZIP_TARGET_KB = 50
# Lambda's limit for a function and all its layers, unzipped; "far under" is at most a
# quarter of it, which leaves the functions and any later layer (an extension) room.
LAMBDA_UNZIPPED_LIMIT_MB = 250
FAR_UNDER = 0.25
IMPORTTIME_TOP = 15
COLD_HEADERS = [
    "function",
    "request",
    "init",
    "1st call",
    "in-proc med",
    "p90",
    "process med",
    "p90",
    "proc ratio",
    "ratio",
    "target",
]


def report_cold(targets: list[Target], cold: dict[str, ColdSamples], runs: int) -> None:
    floor = cold["floor"]
    floor_median = statistics.median(floor.in_process_ms)
    floor_process = statistics.median(floor.process_ms)
    rows = [cold_row(target, cold[target.name], floor_median, floor_process) for target in targets]
    print(f"Cold start: fresh python3.12 process each, {runs} runs, interleaved (ms)")
    print("  artifacts as shipped: unzipped function + layer + runtime boto3, read-only;")
    print("  init = import of the handler's module, 1st call = the first event;")
    print("  in-process = init + 1st call, timed inside the child;")
    print("  process = whole child process, spawn to exit; ratios are of medians.")
    print(table(COLD_HEADERS, rows, right={2, 3, 4, 5, 6, 7, 8, 9}))


def cold_row(
    target: Target, samples: ColdSamples, floor_median: float, floor_process: float
) -> list[str]:
    """A function's medians and p90s, and its ratios to the floor's medians."""
    median = statistics.median(samples.in_process_ms)
    process = statistics.median(samples.process_ms)
    is_floor = target.name == "floor"
    ratio = median / floor_median
    return [
        target.name,
        target.request,
        f"{statistics.median(samples.init_ms):.1f}",
        f"{statistics.median(samples.first_ms):.1f}",
        f"{median:.1f}",
        f"{p90(samples.in_process_ms):.1f}",
        f"{process:.1f}",
        f"{p90(samples.process_ms):.1f}",
        "-" if is_floor else f"{process / floor_process:.2f}x",
        "-" if is_floor else f"{ratio:.2f}x",
        "" if is_floor else f"<= {target.cold_target}x {verdict(ratio <= target.cold_target)}",
    ]


def report_warm(warm: list[WarmResult], calls: int) -> None:
    rows = []
    for result in warm:
        is_floor = result.target.name == "floor"
        ratio = result.median_us / result.floor_us
        goal = result.target.warm_target
        if result.informational:
            judged = result.informational
        elif goal is not None:
            judged = f"<= {goal}x {verdict(ratio <= goal)}"
        else:
            judged = ""
        rows.append(
            [
                result.target.name,
                result.request,
                str(result.calls),
                f"{result.median_us:,.0f}",
                f"{result.p90_us:,.0f}",
                "-" if is_floor else f"{ratio:.2f}x",
                judged,
            ]
        )
    print(
        f"Warm requests: one process per function after {WARM_UP_CALLS} warm-up calls, "
        f"{calls} timed (µs per request)"
    )
    print("  each function's process follows a floor process: its ratio is to that floor.")
    print(
        table(
            ["function", "request", "calls", "median", "p90", "ratio", "target"],
            rows,
            right={2, 3, 4, 5},
        )
    )


def report_import_time(bench: Bench, targets: list[Target]) -> None:
    by_target: dict[str, list[ImportEntry]] = {}
    for target in targets:
        progress(f"-X importtime of {target.name}")
        by_target[target.name] = measure_import_time(bench, target)

    print(
        f"Import time: python -X importtime of the init phase and first request, minimum "
        f"of {IMPORTTIME_RUNS} runs (ms; cumulative includes the module's own imports)"
    )
    for target in targets:
        entries = sorted(by_target[target.name], key=lambda e: e.cumulative_us, reverse=True)
        print(f"\n  {target.name} ({target.handler}): top {IMPORTTIME_TOP} by cumulative time")
        rows = [
            [f"{e.cumulative_us / 1e3:.1f}", f"{e.self_us / 1e3:.1f}", e.module]
            for e in entries[:IMPORTTIME_TOP]
        ]
        print(indent(table(["cumul.", "self", "module"], rows, right={0, 1})))

    # Summed self time per top-level package shows where a function's imports go beyond
    # the floor's, which the nested cumulative figures above do not separate.
    totals: dict[str, dict[str, float]] = {t.name: defaultdict(float) for t in targets}
    for name, entries in by_target.items():
        for entry in entries:
            totals[name][entry.module.split(".")[0]] += entry.self_us / 1e3
    names = [t.name for t in targets]
    packages = sorted(
        {package for name in names for package in totals[name]},
        key=lambda p: max(totals[n].get(p, 0.0) for n in names),
        reverse=True,
    )
    rows = [
        [package, *(f"{totals[n][package]:.1f}" if package in totals[n] else "-" for n in names)]
        for package in packages[:IMPORTTIME_TOP]
    ]
    rows.append(["(all)", *(f"{sum(totals[n].values()):.1f}" for n in names)])
    print(f"\n  self time summed by top-level package, top {IMPORTTIME_TOP} (ms)")
    print(indent(table(["package", *names], rows, right=set(range(1, len(names) + 1)))))


def report_packages(package_dir: Path) -> None:
    print("Package sizes: the zips of `sls package` (KB = 1024 B, MB = 1024 KB)")
    rows = []
    for path in sorted(package_dir.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            # A Python layer keeps everything under python/; a function zip never does.
            is_layer = all(name.startswith("python/") for name in archive.namelist())
        size = path.stat().st_size
        if is_layer:
            mb = unzipped / 2**20
            share = mb / LAMBDA_UNZIPPED_LIMIT_MB
            goal = (
                f"far under Lambda's {LAMBDA_UNZIPPED_LIMIT_MB} MB: {share:.0%} of it "
                f"{verdict(share <= FAR_UNDER)}"
            )
            rows.append([path.name, "layer", f"{size / 2**20:.2f} MB", f"{mb:.2f} MB", goal])
        else:
            kb = size / 1024
            goal = f"< {FUNCTION_ZIP_TARGET_KB} KB {verdict(kb < FUNCTION_ZIP_TARGET_KB)}"
            rows.append([path.name, "function", f"{kb:.1f} KB", f"{unzipped / 1024:.1f} KB", goal])
    print(table(["zip", "kind", "zipped", "unzipped", "target"], rows, right={2, 3}))
