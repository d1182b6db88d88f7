"""Cold starts, warm requests and import times, each function against the floor."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from scripts.bench_report import p90
from scripts.function_bench import BenchError, progress
from scripts.function_bench.targets import Bench, Target, outcome
from scripts.lambda_runtime import (
    Step,
)
from tests.apigw import api_event

WARM_UP_CALLS = 200
LOGIN_WARM_UP_CALLS = 2
IMPORTTIME_RUNS = 3


@dataclass
class ColdSamples:
    init_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    in_process_ms: list[float] = field(default_factory=list)
    process_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class WarmResult:
    target: Target
    request: str
    calls: int
    median_us: float
    p90_us: float
    # The floor's median in the run just before this one: the ratio's denominator.
    floor_us: float
    informational: str = ""


@dataclass(frozen=True)
class ImportEntry:
    """One line of `python -X importtime`."""

    module: str
    self_us: int
    cumulative_us: int


def measure_cold(bench: Bench, targets: list[Target], runs: int) -> dict[str, ColdSamples]:
    samples = {target.name: ColdSamples() for target in targets}
    # Round 0 is discarded: it fills the OS file cache for every target.
    for round_no in range(runs + 1):
        progress(f"cold round {round_no}/{runs}" + (" (discarded)" if round_no == 0 else ""))
        # Rotating the order each round spreads drift in machine speed over all targets.
        shift = round_no % len(targets)
        for target in targets[shift:] + targets[:shift]:
            run = bench.run(target, [{"event": target.event}])
            answer = outcome(run.response)
            if answer != target.expect:
                raise BenchError(f"{target.name} {target.request} answered {answer}")
            if target.aws_free and "boto3" in run.cold_start_modules():
                raise BenchError(f"{target.name} {target.request} loaded boto3: an AWS call")
            if round_no == 0:
                continue
            cold = samples[target.name]
            first_ms = run.steps[0].ms
            cold.init_ms.append(run.init_ms)
            cold.first_ms.append(first_ms)
            cold.in_process_ms.append(run.init_ms + first_ms)
            cold.process_ms.append(run.wall_ms)
    return samples


def warm_scenarios(
    bench: Bench, target: Target, calls: int, login_calls: int
) -> list[tuple[str, dict[str, Any], str]]:
    """(label, step, informational note) of each warm scenario of a target."""
    scenarios = [
        (target.request, {"event": target.event, "warm_up": WARM_UP_CALLS, "calls": calls}, "")
    ]
    if target.name == "auth" and login_calls > 0:
        login = api_event("POST", "/auth/login", json_body=bench.customer)
        step = {"event": login, "warm_up": LOGIN_WARM_UP_CALLS, "calls": login_calls}
        scenarios.append(("POST /auth/login", step, "informational: argon2 by design"))
    return scenarios


def measure_warm(
    bench: Bench, targets: list[Target], calls: int, login_calls: int
) -> list[WarmResult]:
    """Each function's warm calls in one process, right after a floor process does its own."""
    floor = bench.floor
    floor_step = {"event": floor.event, "warm_up": WARM_UP_CALLS, "calls": calls}
    results = []
    for target in targets:
        progress(f"warm calls of the floor, then of {target.name}")
        floor_run = bench.run(floor, [floor_step])
        floor_us = statistics.median(floor_run.steps[0].samples_ms) * 1e3
        results.append(warm_result(floor, floor.request, floor_run.steps[0], floor_us))
        scenarios = warm_scenarios(bench, target, calls, login_calls)
        run = bench.run(target, [step for _, step, _ in scenarios])
        for (label, _, note), step in zip(scenarios, run.steps, strict=True):
            answers = step.statuses or [outcome(step.response)]
            if answers != [target.expect]:
                raise BenchError(f"{target.name} {label} answered {answers}")
            results.append(warm_result(target, label, step, floor_us, note))
    return results


def warm_result(
    target: Target, label: str, step: Step, floor_us: float, note: str = ""
) -> WarmResult:
    times = [ms * 1e3 for ms in step.samples_ms]
    return WarmResult(
        target, label, len(times), statistics.median(times), p90(times), floor_us, note
    )


def measure_import_time(bench: Bench, target: Target) -> list[ImportEntry]:
    """Per-module import times of the init phase and first request, the minimum of a few."""
    best: dict[str, ImportEntry] = {}
    for _ in range(IMPORTTIME_RUNS):
        run = bench.run(target, [{"event": target.event}], python_flags=("-X", "importtime"))
        for line in run.stderr.splitlines():
            # "import time:    self [us] | cumulative | imported package", indented by depth
            if not line.startswith("import time:") or "imported package" in line:
                continue
            self_us, cumulative_us, module = line[len("import time:") :].split("|")
            entry = ImportEntry(module.strip(), int(self_us), int(cumulative_us))
            known = best.get(entry.module)
            if known is None or entry.cumulative_us < known.cumulative_us:
                best[entry.module] = entry
    return list(best.values())
