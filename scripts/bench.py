"""Cold-start and warm-request benchmark of shop-api's functions against the floor.

The floor (../shared/floor/handler_b.py) is the least a function of this stack can do:
Flask + serverless-wsgi + a SQLAlchemy ORM model + one SELECT. Absolute timings depend on
the machine, so each function is judged as a ratio to the floor, both measured in the same
run and the same interpreter, with cold runs interleaved so that machine noise cancels.

Every HTTP function answers one typical authenticated request (users as an admin, products
after seed-demo, orders as a customer with one order); order_events, the queue consumer,
takes one SQS batch of one record whose event id is already processed: its cheapest real
path, which makes no AWS call (a child that loads boto3 for it fails the benchmark).
Packages the venv holds but the Lambda layer does not (cryptography, there for moto) are
unimportable in the children, as on Lambda: PyJWT would otherwise load it (~20 ms).

Targets: cold start <= 1.5x floor, warm request <= 2x floor, function zip < 50 KB,
layer < 25 MB unzipped. This is a report: it exits 0 whether targets pass or fail, and
non-zero only when the benchmark itself cannot run.

    scripts/bench                       # defaults: 15 cold runs, 2000 warm calls
    scripts/bench --import-time         # also: where each function's import time goes
    scripts/bench --runs 5 --warm-calls 500
"""

from __future__ import annotations

import argparse
import base64
import copy
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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]

COLD_TARGET = 1.5
WARM_TARGET = 2.0
FUNCTION_ZIP_TARGET_KB = 50
LAYER_UNZIPPED_TARGET_MB = 25
WARM_UP_CALLS = 200
LOGIN_WARM_UP_CALLS = 2
IMPORTTIME_RUNS = 3
IMPORTTIME_TOP = 15
FLOOR_FILES = ("handler_b.py", "event.py", "seed_db.py")
SQS_RECORD = REPO / "tests" / "events" / "sqs_record.json"
# The orders function's queue as the children see it. Nothing timed sends to it; and every
# AWS endpoint is a closed local port (child_env), so a mistake fails fast, never leaves
# the machine.
DUMMY_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-api-bench-orders"
NO_AWS_ENDPOINT = "http://127.0.0.1:9"
# order_events' timed record: an event whose id is claimed during setup (for an order that
# does not exist, so that first delivery confirms nothing and sends no e-mail). Every timed
# delivery of it is then a duplicate: claim refused, rolled back, no SES call.
PROCESSED_EVENT = {
    "type": "order.placed",
    "event_id": "bench-already-processed",
    "order_id": 2_147_483_647,
    "occurred_at": "2026-01-01T00:00:00.000000Z",
}
SQS_OK = "0 failed"

# Importable in the venv, absent from the Lambda layer (requirements.txt): the children
# cannot import them, as a deployed function cannot.
NOT_IN_LAYER = ("cryptography",)

# Put first on sys.meta_path, it makes NOT_IN_LAYER unimportable in a child: PyJWT, for
# one, imports cryptography when it can (~20 ms), which no deployed function ever pays.
BLOCK_NOT_IN_LAYER = (
    """
import sys
class _NotInLayer:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in _NOT_IN_LAYER:
            raise ModuleNotFoundError("No module named %r (not in the layer)" % name, name=name)
        return None
_NOT_IN_LAYER = """
    + repr(frozenset(NOT_IN_LAYER))
    + """
sys.meta_path.insert(0, _NotInLayer)
"""
)

# What every child runs before anything is timed. It touches only modules the interpreter
# has loaded at startup anyway (os, sys, time), so the timed part starts from the same bare
# interpreter for floor and shop. Arguments arrive as Python literals built by this script
# and are read with eval(): ast.literal_eval or json would import modules before timing.
# The handlers log JSON lines on stdout, so fd 1 is pointed at /dev/null and the result
# goes to a duplicate of the real stdout: it is then the only thing the parent reads.
CHILD_PRELUDE = (
    BLOCK_NOT_IN_LAYER
    + """
import os, sys
from time import perf_counter
sys.path.insert(0, sys.argv[1])
_namespace = {}
with open(sys.argv[2], encoding="utf-8") as _file:
    exec(compile(_file.read(), sys.argv[2], "exec"), _namespace)
CONTEXT = _namespace["CONTEXT"]
_result_fd = os.dup(1)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 1)

def report(result):
    import json
    sys.stdout.flush()
    os.write(_result_fd, json.dumps(result).encode())

def outcome(response):
    # An HTTP answer's status code; for an SQS batch, how many of its records failed.
    if "statusCode" in response:
        return response["statusCode"]
    return "%d failed" % len(response["batchItemFailures"])
"""
)

COLD_CHILD = (
    CHILD_PRELUDE
    + """
event = eval(sys.argv[4])
started = perf_counter()
module = __import__(sys.argv[3], fromlist=["handler"])
imported = perf_counter()
response = module.handler(event, CONTEXT)
answered = perf_counter()
report({
    "import_ms": (imported - started) * 1e3,
    "first_ms": (answered - imported) * 1e3,
    "status": outcome(response),
    "boto3": "boto3" in sys.modules,
})
"""
)

WARM_CHILD = (
    CHILD_PRELUDE
    + """
module = __import__(sys.argv[3], fromlist=["handler"])
results = []
for label, event, warm_up, calls in eval(sys.argv[4]):
    for _ in range(warm_up):
        module.handler(event, CONTEXT)
    samples, statuses = [], set()
    for _ in range(calls):
        started = perf_counter()
        response = module.handler(event, CONTEXT)
        samples.append((perf_counter() - started) * 1e6)
        statuses.add(outcome(response))
    results.append({"label": label, "samples_us": samples, "statuses": sorted(statuses, key=str)})
report(results)
"""
)

# Calls each event once, in order, and reports the responses: used to set up a user.
CALLS_CHILD = (
    CHILD_PRELUDE
    + """
module = __import__(sys.argv[3], fromlist=["handler"])
report([module.handler(event, CONTEXT) for event in eval(sys.argv[4])])
"""
)

MIGRATE_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from handlers.migrate import handler
handler({}, None)
"""


class BenchError(Exception):
    """The benchmark cannot run; the message says why."""


@dataclass(frozen=True)
class Target:
    """One handler under test: the floor, or a shop function."""

    name: str
    module: str
    path: Path  # the sys.path entry its module is imported from
    request: str
    event: dict[str, Any]
    # The answer that counts as success: an HTTP status, or SQS_OK for a queue batch.
    expect: int | str = 200
    # True when the timed path must not load boto3 (no AWS client, so no AWS call).
    aws_free: bool = False


@dataclass
class ColdSamples:
    in_process_ms: list[float] = field(default_factory=list)
    import_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    process_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class WarmResult:
    target: str
    request: str
    calls: int
    median_us: float
    p90_us: float


@dataclass(frozen=True)
class ImportEntry:
    """One line of `python -X importtime`."""

    module: str
    self_us: int
    cumulative_us: int


@dataclass(frozen=True)
class Setup:
    tmp: Path
    floor_copy: Path
    env: dict[str, str]
    base_event: dict[str, Any]
    access_token: str
    email: str
    password: str
    admin_token: str = ""


# --- statistics and formatting --------------------------------------------------------


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def progress(message: str) -> None:
    # Progress goes to stderr so that stdout holds only the report.
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- events ---------------------------------------------------------------------------


def load_floor_module(path: Path) -> dict[str, Any]:
    """The names defined by a floor file, run apart from sys.modules: `event` is too
    generic a module name to import into this process."""
    return runpy.run_path(str(path))


def http_event(
    base: dict[str, Any],
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The floor's payload 2.0 event, re-aimed at another route."""
    event = copy.deepcopy(base)
    text = json.dumps(body) if body is not None else ""
    event["routeKey"] = f"{method} {path}"
    event["rawPath"] = path
    if query:
        event["rawQueryString"] = urlencode(query)
        event["queryStringParameters"] = dict(query)
    event["requestContext"]["routeKey"] = f"{method} {path}"
    event["requestContext"]["http"].update(method=method, path=path)
    # API Gateway lower-cases header names in payload 2.0.
    event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    event["headers"]["content-length"] = str(len(text.encode()))
    if body is not None:
        event["headers"]["content-type"] = "application/json"
        event["body"] = text
    event["isBase64Encoded"] = False
    return event


def response_json(response: dict[str, Any]) -> Any:
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)


# --- child processes ------------------------------------------------------------------


def run_child(
    code: str, args: list[str], setup: Setup, what: str, env: dict[str, str] | None = None
) -> tuple[Any, float]:
    """Run `code` in a fresh interpreter; its reported result and whole-process ms."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env or setup.env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall_ms = (time.perf_counter() - started) * 1e3
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise BenchError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return json.loads(proc.stdout), wall_ms


def child_args(path: Path, module: str, setup: Setup, payload: Any) -> list[str]:
    """The argv of a CHILD_PRELUDE program; `payload` must be a Python literal."""
    return [str(path), str(setup.floor_copy / "event.py"), module, repr(payload)]


def child_env(tmp: Path, floor_db: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Anything that could point a child at a real account or database, or change how
    # Python finds and caches modules, would make floor and shop runs incomparable.
    for name in (
        "DB_SECRET_ARN",
        "JWT_SECRET_ARN",
        "JWT_PREVIOUS_SECRET",
        "AWS_LAMBDA_FUNCTION_NAME",
        "IS_OFFLINE",
        "IS_LOCAL",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "PYTHONPATH",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONSTARTUP",
        "PYTHONPROFILEIMPORTTIME",
        "ORDERS_QUEUE_URL",
        "MAIL_FROM",
    ):
        env.pop(name, None)
    # Any AWS endpoint (SQS, SES, S3...) points at a closed local port: no child can reach
    # a real account, and an unexpected call fails at once instead of waiting on a network.
    for name in [name for name in env if name.startswith("AWS_ENDPOINT_URL")]:
        env.pop(name)
    env.update(
        FLOOR_DB=str(floor_db),
        SHOP_LOCAL_DIR=str(tmp / "local"),
        DATABASE_URL=f"sqlite:///{tmp / 'shop.db'}",
        JWT_SECRET=secrets.token_urlsafe(36),  # 48 characters
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="eu-west-1",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=NO_AWS_ENDPOINT,
        POWERTOOLS_SERVICE_NAME="shop-api",
        # Deployed settings the newer functions read (products, orders, order_events).
        IMPORTS_BUCKET="shop-api-bench-imports",
        ORDERS_QUEUE_URL=DUMMY_QUEUE_URL,
        # Byte code is cached in the temp dir: nothing is written into the repo or the
        # floor dir, and floor and shop modules start from the same (empty) cache, which
        # the setup children and a discarded first round then fill.
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
    )
    return env


def prepare(tmp: Path, floor_dir: Path) -> Setup:
    """Seed the floor DB, migrate the shop DB and log a user in for GET /auth/me."""
    missing = [name for name in FLOOR_FILES if not (floor_dir / name).is_file()]
    if missing:
        raise BenchError(f"{floor_dir} lacks {', '.join(missing)}; pass --floor-dir")
    # The floor runs from a copy, so its byte code and imports never touch the original.
    floor_copy = tmp / "floor"
    floor_copy.mkdir()
    for name in FLOOR_FILES:
        shutil.copyfile(floor_dir / name, floor_copy / name)
    env = child_env(tmp, tmp / "floor.db")
    base_event = load_floor_module(floor_copy / "event.py")["EVENT"]
    # The access token is filled in once the user has logged in, below.
    setup = Setup(
        tmp,
        floor_copy,
        env,
        base_event,
        access_token="",
        email="bench@example.com",
        password=secrets.token_urlsafe(18),
    )

    progress("seeding the floor database")
    seeded = subprocess.run(
        [sys.executable, str(floor_copy / "seed_db.py")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode != 0:
        raise BenchError(f"seeding the floor database failed:\n{seeded.stderr.strip()}")

    progress("migrating the shop database")
    migrated = subprocess.run(
        [sys.executable, "-c", MIGRATE_CHILD, str(REPO)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if migrated.returncode != 0:
        output = (migrated.stdout + migrated.stderr).strip()
        raise BenchError(f"handlers.migrate failed:\n{output}")

    progress("creating an admin and the demo catalogue (manage)")
    admin = {"email": "bench-admin@example.com", "password": secrets.token_urlsafe(18)}
    commands = [
        {"command": "create-admin", **admin, "name": "Bench Admin"},
        {"command": "seed-demo"},
    ]
    (created, seeded_demo), _ = run_child(
        CALLS_CHILD, child_args(REPO, "handlers.manage", setup, commands), setup, "manage"
    )
    if created.get("status") != "created" or not seeded_demo.get("created"):
        raise BenchError(f"manage answered {created} and {seeded_demo}")

    progress("registering and logging in a customer, logging in the admin")
    credentials = {"email": setup.email, "password": setup.password}
    events = [
        http_event(base_event, "POST", "/auth/register", body={**credentials, "name": "Bench"}),
        http_event(base_event, "POST", "/auth/login", body=credentials),
        http_event(base_event, "POST", "/auth/login", body=admin),
    ]
    (registered, logged_in, admin_in), _ = run_child(
        CALLS_CHILD, child_args(REPO, "handlers.auth", setup, events), setup, "creating the user"
    )
    if [r["statusCode"] for r in (registered, logged_in, admin_in)] != [201, 200, 200]:
        raise BenchError(
            "creating the user failed: register answered "
            f"{registered['statusCode']}, login {logged_in['statusCode']}, admin login "
            f"{admin_in['statusCode']}: "
            f"{admin_in.get('body') or logged_in.get('body') or registered.get('body')}"
        )
    setup = replace(
        setup,
        access_token=response_json(logged_in)["access_token"],
        admin_token=response_json(admin_in)["access_token"],
    )
    place_one_order(setup)
    claim_processed_event(setup)
    return setup


def place_one_order(setup: Setup) -> None:
    """The customer's one order, so that GET /orders lists something."""
    progress("placing the customer's order")
    listing = http_event(
        setup.base_event, "GET", "/products", query={"in_stock": "true", "limit": "1"}
    )
    (page,), _ = run_child(
        CALLS_CHILD, child_args(REPO, "handlers.products", setup, [listing]), setup, "products"
    )
    items = response_json(page)["items"] if page["statusCode"] == 200 else []
    if not items:
        raise BenchError(f"GET /products found no product in stock: {page.get('body')}")
    order = http_event(
        setup.base_event,
        "POST",
        "/orders",
        headers={"Authorization": f"Bearer {setup.access_token}"},
        body={"items": [{"product_id": items[0]["id"], "quantity": 1}]},
    )
    # Without a queue URL the order.placed event stays in the outbox: no SQS call.
    env = {k: v for k, v in setup.env.items() if k != "ORDERS_QUEUE_URL"}
    (placed,), _ = run_child(
        CALLS_CHILD, child_args(REPO, "handlers.orders", setup, [order]), setup, "POST /orders", env
    )
    if placed["statusCode"] != 201:
        raise BenchError(f"POST /orders answered {placed['statusCode']}: {placed.get('body')}")


def claim_processed_event(setup: Setup) -> None:
    """Deliver PROCESSED_EVENT once, so that every timed delivery of it is a duplicate."""
    progress("claiming the order event that order_events will see again")
    (answer,), _ = run_child(
        CALLS_CHILD,
        child_args(REPO, "handlers.order_events", setup, [sqs_event([PROCESSED_EVENT])]),
        setup,
        "order_events",
    )
    if answer != {"batchItemFailures": []}:
        raise BenchError(f"order_events failed its first delivery: {answer}")


def sqs_event(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS trigger's event of one record per body (tests/events/sqs_record.json)."""
    template = json.loads(SQS_RECORD.read_text(encoding="utf-8"))
    records = []
    for number, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record["messageId"] = f"bench-message-{number}"
        record["body"] = json.dumps(body)
        records.append(record)
    return {"Records": records}


def targets(setup: Setup) -> list[Target]:
    event = setup.base_event
    bearer = {"Authorization": f"Bearer {setup.access_token}"}
    admin = {"Authorization": f"Bearer {setup.admin_token}"}
    page = {"limit": "20"}
    return [
        Target("floor", "handler_b", setup.floor_copy, "GET /hello", copy.deepcopy(event)),
        Target("meta", "handlers.meta", REPO, "GET /health", http_event(event, "GET", "/health")),
        Target(
            "auth",
            "handlers.auth",
            REPO,
            "GET /auth/me",
            http_event(event, "GET", "/auth/me", headers=bearer),
        ),
        Target(
            "users",
            "handlers.users",
            REPO,
            "GET /users?limit=20 (admin)",
            http_event(event, "GET", "/users", headers=admin, query=page),
        ),
        Target(
            "products",
            "handlers.products",
            REPO,
            "GET /products?limit=20",
            http_event(event, "GET", "/products", query=page),
        ),
        Target(
            "orders",
            "handlers.orders",
            REPO,
            "GET /orders (1 order)",
            http_event(event, "GET", "/orders", headers=bearer),
        ),
        Target(
            "order_events",
            "handlers.order_events",
            REPO,
            "SQS batch of 1, duplicate",
            sqs_event([PROCESSED_EVENT]),
            expect=SQS_OK,
            aws_free=True,
        ),
    ]


# --- measurements ---------------------------------------------------------------------


def measure_cold(all_targets: list[Target], setup: Setup, runs: int) -> dict[str, ColdSamples]:
    samples = {target.name: ColdSamples() for target in all_targets}
    # Round 0 is discarded: it fills the byte-code and OS file caches for every target.
    for round_no in range(runs + 1):
        progress(f"cold round {round_no}/{runs}" + (" (discarded)" if round_no == 0 else ""))
        # Rotating the order each round spreads drift in machine speed over all targets.
        shift = round_no % len(all_targets)
        for target in all_targets[shift:] + all_targets[:shift]:
            result, wall_ms = run_child(
                COLD_CHILD,
                child_args(target.path, target.module, setup, target.event),
                setup,
                f"cold start of {target.module}",
            )
            if result["status"] != target.expect:
                raise BenchError(f"{target.name} {target.request} answered {result['status']}")
            if target.aws_free and result["boto3"]:
                raise BenchError(f"{target.name} {target.request} loaded boto3: an AWS call")
            if round_no == 0:
                continue
            cold = samples[target.name]
            cold.import_ms.append(result["import_ms"])
            cold.first_ms.append(result["first_ms"])
            cold.in_process_ms.append(result["import_ms"] + result["first_ms"])
            cold.process_ms.append(wall_ms)
    return samples


def measure_warm(
    all_targets: list[Target], setup: Setup, calls: int, login_calls: int
) -> list[WarmResult]:
    results: list[WarmResult] = []
    for target in all_targets:
        scenarios: list[tuple[str, dict[str, Any], int, int]] = [
            (target.request, target.event, min(WARM_UP_CALLS, calls), calls),
        ]
        if target.name == "auth" and login_calls > 0:
            credentials = {"email": setup.email, "password": setup.password}
            login = http_event(setup.base_event, "POST", "/auth/login", body=credentials)
            scenarios.append(("POST /auth/login", login, LOGIN_WARM_UP_CALLS, login_calls))
        progress(f"warm calls of {target.module}")
        reported, _ = run_child(
            WARM_CHILD,
            child_args(target.path, target.module, setup, scenarios),
            setup,
            f"warm calls of {target.module}",
        )
        for scenario in reported:
            if scenario["statuses"] != [target.expect]:
                raise BenchError(
                    f"{target.name} {scenario['label']} answered {scenario['statuses']}"
                )
            times = scenario["samples_us"]
            results.append(
                WarmResult(
                    target.name, scenario["label"], len(times), statistics.median(times), p90(times)
                )
            )
    return results


def measure_import_time(target: Target, setup: Setup) -> list[ImportEntry]:
    """Per-module import times, the minimum over a few runs to damp noise."""
    code = BLOCK_NOT_IN_LAYER + f"sys.path.insert(0, {str(target.path)!r}); import {target.module}"
    best: dict[str, ImportEntry] = {}
    for _ in range(IMPORTTIME_RUNS):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            cwd=REPO,
            env=setup.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise BenchError(f"-X importtime of {target.module} failed:\n{proc.stderr[-2000:]}")
        for line in proc.stderr.splitlines():
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


def report_cold(all_targets: list[Target], cold: dict[str, ColdSamples], runs: int) -> None:
    floor = cold["floor"]
    floor_median = statistics.median(floor.in_process_ms)
    floor_process = statistics.median(floor.process_ms)
    rows = []
    for target in all_targets:
        samples = cold[target.name]
        median = statistics.median(samples.in_process_ms)
        process = statistics.median(samples.process_ms)
        is_floor = target.name == "floor"
        ratio = median / floor_median
        rows.append(
            [
                target.name,
                target.request,
                f"{statistics.median(samples.import_ms):.1f}",
                f"{statistics.median(samples.first_ms):.1f}",
                f"{median:.1f}",
                f"{p90(samples.in_process_ms):.1f}",
                f"{process:.1f}",
                f"{p90(samples.process_ms):.1f}",
                "-" if is_floor else f"{process / floor_process:.2f}x",
                "-" if is_floor else f"{ratio:.2f}x",
                "" if is_floor else f"<= {COLD_TARGET}x {verdict(ratio <= COLD_TARGET)}",
            ]
        )
    print(f"Cold start: fresh process each, {runs} runs, floor and shop interleaved (ms)")
    print("  in-process = import + first handler() call, timed inside the child;")
    print("  process = whole child process, spawn to exit; ratios are of medians.")
    print(
        f"  children cannot import {', '.join(NOT_IN_LAYER)}: in the venv (for moto), "
        "not in the Lambda layer."
    )
    print(
        table(
            [
                "function",
                "request",
                "import",
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


def report_warm(warm: list[WarmResult]) -> None:
    floor = next(result for result in warm if result.target == "floor")
    rows = []
    for result in warm:
        informational = result.request == "POST /auth/login"
        judged = result.target != "floor" and not informational
        ratio = result.median_us / floor.median_us
        rows.append(
            [
                result.target,
                result.request,
                str(result.calls),
                f"{result.median_us:,.0f}",
                f"{result.p90_us:,.0f}",
                f"{ratio:.2f}x" if result.target != "floor" else "-",
                f"<= {WARM_TARGET}x {verdict(ratio <= WARM_TARGET)}"
                if judged
                else ("informational: argon2 by design" if informational else ""),
            ]
        )
    print("Warm requests: one process per function, after warm-up (µs per request)")
    print(
        table(
            ["function", "request", "calls", "median", "p90", "ratio", "target"],
            rows,
            right={2, 3, 4, 5},
        )
    )


def report_import_time(all_targets: list[Target], setup: Setup) -> None:
    by_target: dict[str, list[ImportEntry]] = {}
    for target in all_targets:
        progress(f"-X importtime of {target.module}")
        by_target[target.name] = measure_import_time(target, setup)

    print(
        f"Import time: python -X importtime, minimum of {IMPORTTIME_RUNS} runs per module "
        f"(ms; cumulative includes the module's own imports)"
    )
    for target in all_targets:
        entries = sorted(by_target[target.name], key=lambda e: e.cumulative_us, reverse=True)
        print(f"\n  import {target.module}: top {IMPORTTIME_TOP} by cumulative time")
        rows = [
            [f"{e.cumulative_us / 1e3:.1f}", f"{e.self_us / 1e3:.1f}", e.module]
            for e in entries[:IMPORTTIME_TOP]
        ]
        print(indent(table(["cumul.", "self", "module"], rows, right={0, 1})))

    # Summed self time per top-level package shows where a function's imports go beyond
    # the floor's, which the nested cumulative figures above do not separate.
    totals: dict[str, dict[str, float]] = {t.name: defaultdict(float) for t in all_targets}
    for name, entries in by_target.items():
        for entry in entries:
            totals[name][entry.module.split(".")[0]] += entry.self_us / 1e3
    names = [t.name for t in all_targets]
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


def indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def report_packages(package_dir: Path) -> None:
    print(f"Package sizes: {package_dir}  (KB = 1024 B, MB = 1024 KB)")
    zips = sorted(package_dir.glob("*.zip")) if package_dir.is_dir() else []
    if not zips:
        print("  no zips found. Build them (no deploy) with:")
        print("    scripts/build_layer && npx sls package      # see README")
        print("  then rerun, or pass --package-dir to another `sls package --package` dir.")
        built = REPO / ".build" / "layer"
        if built.is_dir():
            size = sum(p.stat().st_size for p in built.rglob("*") if p.is_file())
            mb = size / 2**20
            print(
                f"  for now, .build/layer holds {mb:.1f} MB unzipped "
                f"(< {LAYER_UNZIPPED_TARGET_MB} MB: {verdict(mb < LAYER_UNZIPPED_TARGET_MB)})"
            )
        return
    rows = []
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
        unzipped_mb = sum(info.file_size for info in infos) / 2**20
        # A Python layer keeps everything under python/; a function zip never does.
        is_layer = bool(infos) and all(info.filename.startswith("python/") for info in infos)
        size = path.stat().st_size
        if is_layer:
            rows.append(
                [
                    path.name,
                    "layer",
                    f"{size / 2**20:.2f} MB",
                    f"{unzipped_mb:.2f} MB",
                    f"< {LAYER_UNZIPPED_TARGET_MB} MB unzipped "
                    f"{verdict(unzipped_mb < LAYER_UNZIPPED_TARGET_MB)}",
                ]
            )
        else:
            kb = size / 1024
            rows.append(
                [
                    path.name,
                    "function",
                    f"{kb:.1f} KB",
                    f"{unzipped_mb * 1024:.1f} KB",
                    f"< {FUNCTION_ZIP_TARGET_KB} KB {verdict(kb < FUNCTION_ZIP_TARGET_KB)}",
                ]
            )
    print(table(["zip", "kind", "zipped", "unzipped", "target"], rows, right={2, 3}))
    oldest = min(path.stat().st_mtime for path in zips)
    sources = [*REPO.glob("handlers/*.py"), *REPO.glob("shared/**/*.py"), REPO / "requirements.txt"]
    if any(path.stat().st_mtime > oldest for path in sources if path.exists()):
        print("  note: sources changed since these zips were built; rerun `npx sls package`.")


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
        default=REPO / ".serverless",
        help="where `sls package` wrote its zips (default .serverless)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warm_calls < 1 or args.login_calls < 0:
        parser.error("--runs and --warm-calls must be at least 1, --login-calls at least 0")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    floor_dir = args.floor_dir.resolve()
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="shop-bench-") as tmp:
            setup = prepare(Path(tmp), floor_dir)
            all_targets = targets(setup)
            cold = measure_cold(all_targets, setup, args.runs)
            warm = measure_warm(all_targets, setup, args.warm_calls, args.login_calls)

            print(
                f"shop-api benchmark: Python {sys.version.split()[0]} ({sys.executable}), "
                f"{os.cpu_count()} CPUs, floor {floor_dir / 'handler_b.py'}"
            )
            print()
            report_cold(all_targets, cold, args.runs)
            print()
            report_warm(warm)
            if args.import_time:
                print()
                report_import_time(all_targets, setup)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print()
    report_packages(args.package_dir)
    print(
        f"\n(benchmark took {time.monotonic() - started:.0f} s; targets are reported, "
        "not enforced: the exit status is 0 either way)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
