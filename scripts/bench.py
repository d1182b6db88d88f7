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
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.bench_cli import parser_for, run_benchmark  # noqa: E402
from scripts.function_bench.artifacts import floor_target, shop_artifacts  # noqa: E402
from scripts.function_bench.measure import measure_cold, measure_warm  # noqa: E402
from scripts.function_bench.report import (  # noqa: E402
    report_cold,
    report_import_time,
    report_packages,
    report_warm,
)
from scripts.function_bench.shop import prepare_shop, shop_targets  # noqa: E402
from scripts.function_bench.targets import Bench  # noqa: E402
from scripts.lambda_runtime import LambdaRuntime, make_writable  # noqa: E402

# Every AWS endpoint is a closed local port: an unexpected call fails at once, and no child
# can reach a real account. The queue URL is one the deployed functions would have.
NO_AWS_ENDPOINT = "http://127.0.0.1:9"
DUMMY_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-api-bench-orders"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = parser_for(__doc__)
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
    return run_benchmark("bench", lambda: run(args))


def run(args: argparse.Namespace) -> None:
    floor_dir = args.floor_dir.resolve()
    with scratch_folder() as tmp:
        package_dir, artifacts = shop_artifacts(tmp, args.package_dir)
        runtime = LambdaRuntime.prepare()
        bench = Bench(runtime, artifacts, shop_settings(tmp))
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


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A folder for the run's packages, artifacts and databases, deleted after it."""
    tmp = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    try:
        yield tmp
    finally:
        # The unpacked artifacts are read-only, as Lambda's are.
        make_writable(tmp)
        shutil.rmtree(tmp, ignore_errors=True)


def shop_settings(tmp: Path) -> dict[str, str]:
    """The functions' settings: a SQLite database of the run's own, and no way out to AWS."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp / 'shop.db'}",
        "JWT_SECRET": secrets.token_urlsafe(36),  # 48 characters
        "AWS_ENDPOINT_URL": NO_AWS_ENDPOINT,
        "ORDERS_QUEUE_URL": DUMMY_QUEUE_URL,
        "IMPORTS_BUCKET": "shop-api-bench-imports",
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
