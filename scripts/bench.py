"""Cold-start and warm-request benchmark of shop-api's functions, as shipped, against the floor.

The floor (../shared/floor/handler_b.py) is the least a function of this stack can do:
Flask + serverless-wsgi + a SQLAlchemy ORM model + one SELECT. Absolute timings depend on
the machine, so each function is judged as a ratio to the floor, both measured in the same
run, on the same runner, with cold runs interleaved so that machine noise cancels.

Both run the way Lambda runs them (scripts/lambda_runtime): the service is packaged
(`sls package`), each function's zip and the layer's unzipped into read-only folders, and
every cold start is a fresh python3.12 process that sees only the function (/var/task),
the layer (/opt/python), the runtime's boto3 (/var/runtime) and the standard library.
The floor is built the same best-practice way: its dependencies (Flask, serverless-wsgi,
SQLAlchemy at requirements.txt's pins) installed for Lambda into its own layer and
compiled as unchecked-hash byte code, its handler compiled as checked-hash byte code.

Every HTTP function answers one typical request (users as an admin, products after
seed-demo, orders as a customer with 20 orders of 3 lines); order_events, the queue
consumer, takes one SQS batch of one record whose event id is already processed: its
cheapest real path, which makes no AWS call (a run that loads boto3 for it fails the
benchmark). Any AWS endpoint is a closed local port: nothing can leave the machine.

Targets: cold start <= 1.3x floor for every HTTP function, <= 1.15x for order_events;
warm GET /products?limit=20 and GET /users <= 2x, GET /orders <= 3x, GET /auth/me <=
1.5x; function zips < 50 KB; the layer far under Lambda's 250 MB unzipped (a quarter).
This is a report: it exits 0 whether targets pass or fail, and non-zero only when the
benchmark itself cannot run. Timings are noisy while other work (a test run) shares the
machine: compare the ratios of one run, not absolute times across runs.

    scripts/bench                       # defaults: 15 cold runs, 2000 warm calls
    scripts/bench --import-time         # also: where each function's import time goes
    scripts/bench --runs 5 --warm-calls 500 --package-dir .serverless
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.bench_report import indent, p90, progress_of, table, verdict  # noqa: E402
from scripts.lambda_runtime import (  # noqa: E402
    Artifacts,
    InvocationFailed,
    LambdaRuntime,
    Run,
    Step,
    compile_for_lambda,
    installed,
    make_read_only,
    make_writable,
    pinned,
    unpack,
)
from tests.apigw import api_event, reply_of  # noqa: E402
from tests.packaging import package_service  # noqa: E402
from tests.queues import sqs_event  # noqa: E402

COLD_TARGET = 1.3
COLD_TARGET_ORDER_EVENTS = 1.15
FUNCTION_ZIP_TARGET_KB = 50
# Lambda's limit for a function and all its layers, unzipped; "far under" is at most a
# quarter of it, which leaves the functions and any later layer (an extension) room.
LAMBDA_UNZIPPED_LIMIT_MB = 250
FAR_UNDER = 0.25
WARM_UP_CALLS = 200
LOGIN_WARM_UP_CALLS = 2
IMPORTTIME_RUNS = 3
IMPORTTIME_TOP = 15
ORDERS, LINES_PER_ORDER = 20, 3
FLOOR_FILES = ("handler_b.py", "event.py", "seed_db.py")
# The floor's dependencies, at the versions the shop's layer pins.
FLOOR_REQUIREMENTS = ("Flask", "serverless-wsgi", "SQLAlchemy")
# Every AWS endpoint is a closed local port: an unexpected call fails at once, and no child
# can reach a real account. The queue URL is one the deployed functions would have.
NO_AWS_ENDPOINT = "http://127.0.0.1:9"
DUMMY_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-api-bench-orders"
# order_events' timed record: an event whose id is claimed during setup (for an order that
# does not exist, so that first delivery confirms nothing and sends no e-mail). Every timed
# delivery of it is then a duplicate: claim refused, rolled back, no SES call.
PROCESSED_EVENT = {
    "type": "order.placed",
    "event_id": "bench-already-processed",
    "order_id": 2_147_483_647,
    "occurred_at": "2026-01-01T00:00:00.000000Z",
}
NO_FAILURES = {"batchItemFailures": []}


class BenchError(Exception):
    """The benchmark cannot run; the message says why."""


@dataclass(frozen=True)
class Target:
    """One handler under test, the floor or a shop function, as unpacked for Lambda."""

    name: str
    request: str
    task_root: Path
    layer_root: Path
    handler: str
    environment: dict[str, str]
    event: dict[str, Any]
    cold_target: float | None = COLD_TARGET
    warm_target: float | None = None
    # The answer that counts as success: an HTTP status, or NO_FAILURES for a queue batch.
    expect: Any = 200
    # True when the timed path must not load boto3 (no AWS client, so no AWS call).
    aws_free: bool = False


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


@dataclass
class Bench:
    """What every measurement needs: the runner, the shop's settings, its accounts."""

    runtime: LambdaRuntime
    artifacts: Artifacts
    settings: dict[str, str]
    floor: Target | None = None
    # E-mail address and password of each account, and its access token once logged in.
    customer: dict[str, str] = field(default_factory=dict)
    admin: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def run(self, target: Target, steps: list[dict[str, Any]], **options: Any) -> Run:
        try:
            return self.runtime.invoke(
                target.task_root,
                target.layer_root,
                target.handler,
                steps,
                environment=target.environment,
                **options,
            )
        except InvocationFailed as error:
            raise BenchError(f"{target.name}: {error}") from None

    def function(self, name: str, request: str, event: dict[str, Any], **options: Any) -> Target:
        """A shop function as shipped, with the deployed environment and the bench's settings."""
        function = self.artifacts.functions[name]
        return Target(
            name,
            request,
            function.task_root,
            self.artifacts.layer_root,
            function.handler,
            function.environment_with(self.settings),
            event,
            **options,
        )

    def call(self, name: str, *events: dict[str, Any], **settings: str | None) -> list[Any]:
        """Setup work: one cold start of a function handed each event; the answers."""
        target = self.function(name, "setup", {})
        environment = {k: v for k, v in {**target.environment, **settings}.items() if v}
        run = self.run(
            replace(target, environment=environment), [{"event": event} for event in events]
        )
        return [step.response for step in run.steps]


progress = progress_of("bench")


@contextmanager
def output_to_stderr() -> Iterator[None]:
    """Child processes' standard output (build_layer's) on stderr, with the progress."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


# --- the artifacts and the floor ------------------------------------------------------


def shop_artifacts(tmp: Path, package_dir: Path | None) -> tuple[Path, Artifacts]:
    """The service's zips (packaged afresh unless given) and their read-only unzipped copy."""
    if package_dir is None:
        progress("building the layer and packaging the service (sls package)")
        try:
            with output_to_stderr():
                package_dir = package_service(tmp / "package", DB_SECRET_ARN="", JWT_SECRET_ARN="")
        except (AssertionError, subprocess.CalledProcessError) as error:
            raise BenchError(f"packaging failed: {error}") from None
    elif not (package_dir / "serverless-state.json").is_file():
        raise BenchError(f"{package_dir} holds no `sls package` output")
    progress(f"unzipping {package_dir}")
    return package_dir, unpack(package_dir, tmp / "unpacked")


def floor_target(tmp: Path, floor_dir: Path) -> Target:
    """The floor, built as a careful deploy would build it, and its seeded database."""
    missing = [name for name in FLOOR_FILES if not (floor_dir / name).is_file()]
    if missing:
        raise BenchError(f"{floor_dir} lacks {', '.join(missing)}; pass --floor-dir")
    progress("building the floor's layer (its dependencies for python3.12, byte-compiled)")
    requirements = [pinned(name, REPO / "requirements.txt") for name in FLOOR_REQUIREMENTS]
    built = installed(requirements, lambda_wheels=True)
    layer_root, task_root = tmp / "floor" / "layer", tmp / "floor" / "task"
    shutil.copytree(built, layer_root / "python")
    task_root.mkdir()
    # A copy, so that the original is never imported, compiled or written to.
    shutil.copyfile(floor_dir / "handler_b.py", task_root / "handler_b.py")
    compile_for_lambda(task_root, mode="checked-hash")
    for folder in (layer_root, task_root):
        make_read_only(folder)

    progress("seeding the floor's database")
    database = tmp / "floor.db"
    seeding = tmp / "floor" / "seed"
    seeding.mkdir()
    for name in ("handler_b.py", "seed_db.py"):
        shutil.copyfile(floor_dir / name, seeding / name)
    seeded = subprocess.run(
        [sys.executable, "-B", str(seeding / "seed_db.py")],
        env={**os.environ, "FLOOR_DB": str(database)},
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode != 0:
        raise BenchError(f"seeding the floor's database failed:\n{seeded.stderr.strip()}")
    event = runpy.run_path(str(floor_dir / "event.py"))["EVENT"]
    environment = {"FLOOR_DB": str(database), "AWS_LAMBDA_FUNCTION_NAME": "perf-floor"}
    return Target(
        "floor", "GET /hello", task_root, layer_root, "handler_b.handler", environment, event
    )


# --- the shop's data ------------------------------------------------------------------


def prepare_shop(bench: Bench) -> None:
    """Migrate, seed, create the accounts and the customer's 20 orders, all through the
    functions themselves; claim the order event that order_events will see again."""
    progress("migrating the shop's database (migrate)")
    (migrated,) = bench.call("migrate", {})
    if migrated.get("status") != "ok":
        raise BenchError(f"migrate answered {migrated}")

    progress("creating an admin and the demo catalogue (manage)")
    bench.admin = {"email": "bench-admin@example.com", "password": secrets.token_urlsafe(18)}
    bench.customer = {"email": "bench@example.com", "password": secrets.token_urlsafe(18)}
    created, seeded = bench.call(
        "manage",
        {"command": "create-admin", **bench.admin, "name": "Bench Admin"},
        {"command": "seed-demo"},
    )
    if created.get("status") != "created" or not seeded.get("created"):
        raise BenchError(f"manage answered {created} and {seeded}")

    progress("registering and logging in a customer, logging in the admin (auth)")
    replies = [
        reply_of(answer)
        for answer in bench.call(
            "auth",
            api_event("POST", "/auth/register", json_body={**bench.customer, "name": "Bench"}),
            api_event("POST", "/auth/login", json_body=bench.customer),
            api_event("POST", "/auth/login", json_body=bench.admin),
        )
    ]
    if [reply.status for reply in replies] != [201, 200, 200]:
        raise BenchError(f"creating the accounts failed: {[r.text for r in replies]}")
    bench.tokens = {
        "customer": replies[1].json["access_token"],
        "admin": replies[2].json["access_token"],
    }

    place_orders(bench)
    progress("claiming the order event that order_events will see again")
    (answer,) = bench.call("order_events", sqs_event([json.dumps(PROCESSED_EVENT)]))
    if answer != NO_FAILURES:
        raise BenchError(f"order_events failed its first delivery: {answer}")


def place_orders(bench: Bench) -> None:
    """The customer's 20 orders of 3 lines each, of distinct products, for GET /orders."""
    progress(f"placing the customer's {ORDERS} orders of {LINES_PER_ORDER} lines (orders)")
    wanted = ORDERS * LINES_PER_ORDER
    (listing,) = bench.call(
        "products", api_event("GET", "/products", query={"in_stock": "true", "limit": wanted})
    )
    products = reply_of(listing).json.get("items", [])
    if len(products) < wanted:
        raise BenchError(f"GET /products found {len(products)} products in stock, not {wanted}")
    token = bench.tokens["customer"]
    orders = [
        api_event(
            "POST",
            "/orders",
            token=token,
            json_body={
                "items": [
                    {"product_id": product["id"], "quantity": 1}
                    for product in products[n * LINES_PER_ORDER : (n + 1) * LINES_PER_ORDER]
                ]
            },
        )
        for n in range(ORDERS)
    ]
    listing = api_event("GET", "/orders", token=token)
    # Without a queue the order.placed events stay in the outbox: no SQS call.
    *placed, listed = [
        reply_of(answer) for answer in bench.call("orders", *orders, listing, ORDERS_QUEUE_URL=None)
    ]
    failed = [reply.text for reply in placed if reply.status != 201]
    if failed:
        raise BenchError(f"POST /orders failed: {failed[0]}")
    lines = [len(order["items"]) for order in listed.json.get("items", [])]
    if lines != [LINES_PER_ORDER] * ORDERS:
        raise BenchError(
            f"GET /orders lists orders of {lines} lines, not {ORDERS} of {LINES_PER_ORDER}"
        )


def shop_targets(bench: Bench) -> list[Target]:
    customer, admin = bench.tokens["customer"], bench.tokens["admin"]
    # (function, request as reported, event, warm target as a ratio to the floor)
    http = [
        ("meta", "GET /health", api_event("GET", "/health"), None),
        ("auth", "GET /auth/me", api_event("GET", "/auth/me", token=customer), 1.5),
        ("users", "GET /users (admin)", api_event("GET", "/users", token=admin), 2.0),
        (
            "products",
            "GET /products?limit=20",
            api_event("GET", "/products", query={"limit": "20"}),
            2.0,
        ),
        (
            "orders",
            f"GET /orders ({ORDERS} orders x {LINES_PER_ORDER} lines)",
            api_event("GET", "/orders", token=customer),
            3.0,
        ),
    ]
    return [
        *(
            bench.function(name, request, event, warm_target=warm_target)
            for name, request, event, warm_target in http
        ),
        bench.function(
            "order_events",
            "SQS batch of 1, duplicate",
            sqs_event([json.dumps(PROCESSED_EVENT)]),
            cold_target=COLD_TARGET_ORDER_EVENTS,
            expect=NO_FAILURES,
            aws_free=True,
        ),
    ]


def outcome(response: Any) -> Any:
    """An HTTP answer's status code; a queue batch's whole answer."""
    if isinstance(response, dict) and "statusCode" in response:
        return response["statusCode"]
    return response


# --- measurements ---------------------------------------------------------------------


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


# --- report ---------------------------------------------------------------------------


def report_cold(targets: list[Target], cold: dict[str, ColdSamples], runs: int) -> None:
    floor = cold["floor"]
    floor_median = statistics.median(floor.in_process_ms)
    floor_process = statistics.median(floor.process_ms)
    rows = []
    for target in targets:
        samples = cold[target.name]
        median = statistics.median(samples.in_process_ms)
        process = statistics.median(samples.process_ms)
        is_floor = target.name == "floor"
        ratio = median / floor_median
        rows.append(
            [
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
                ""
                if is_floor
                else f"<= {target.cold_target}x {verdict(ratio <= target.cold_target)}",
            ]
        )
    print(f"Cold start: fresh python3.12 process each, {runs} runs, interleaved (ms)")
    print("  artifacts as shipped: unzipped function + layer + runtime boto3, read-only;")
    print("  init = import of the handler's module, 1st call = the first event;")
    print("  in-process = init + 1st call, timed inside the child;")
    print("  process = whole child process, spawn to exit; ratios are of medians.")
    print(
        table(
            [
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
            ],
            rows,
            right={2, 3, 4, 5, 6, 7, 8, 9},
        )
    )


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


# --- main -----------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--runs", type=int, default=15, help="cold starts per function, interleaved (default 15)"
    )
    parser.add_argument(
        "--warm-calls",
        type=int,
        default=2000,
        help="timed warm requests per function (default 2000)",
    )
    parser.add_argument(
        "--login-calls",
        type=int,
        default=10,
        help="timed warm POST /auth/login (argon2, ~slow; default 10; 0 skips)",
    )
    parser.add_argument(
        "--import-time",
        action="store_true",
        help="also show the top imports of each function (python -X importtime)",
    )
    parser.add_argument(
        "--floor-dir",
        type=Path,
        default=REPO.parent / "shared" / "floor",
        help="the floor handler's directory (default <repo>/../shared/floor)",
    )
    parser.add_argument(
        "--package-dir",
        type=Path,
        help="use this `sls package` output (e.g. .serverless) instead of packaging afresh",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warm_calls < 1 or args.login_calls < 0:
        parser.error("--runs and --warm-calls must be at least 1, --login-calls at least 0")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    floor_dir = args.floor_dir.resolve()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    try:
        package_dir, artifacts = shop_artifacts(tmp, args.package_dir)
        runtime = LambdaRuntime.prepare()
        settings = {
            "DATABASE_URL": f"sqlite:///{tmp / 'shop.db'}",
            "JWT_SECRET": secrets.token_urlsafe(36),  # 48 characters
            "AWS_ENDPOINT_URL": NO_AWS_ENDPOINT,
            "ORDERS_QUEUE_URL": DUMMY_QUEUE_URL,
            "IMPORTS_BUCKET": "shop-api-bench-imports",
        }
        bench = Bench(runtime, artifacts, settings)
        bench.floor = floor_target(tmp, floor_dir)
        prepare_shop(bench)
        targets = shop_targets(bench)
        everyone = [bench.floor, *targets]
        cold = measure_cold(bench, everyone, args.runs)
        warm = measure_warm(bench, targets, args.warm_calls, args.login_calls)

        print(
            f"shop-api benchmark: Python {runtime.python} (3.12, Lambda's), {os.cpu_count()} "
            f"CPUs, floor {floor_dir / 'handler_b.py'}"
        )
        print()
        report_cold(everyone, cold, args.runs)
        print()
        report_warm(warm, args.warm_calls)
        if args.import_time:
            print()
            report_import_time(bench, everyone)
        print()
        report_packages(package_dir)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        make_writable(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\n(benchmark took {time.monotonic() - started:.0f} s; targets are reported, "
        "not enforced: the exit status is 0 either way)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
