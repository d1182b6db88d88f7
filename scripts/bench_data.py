"""Data-scale benchmark of shop-api on PostgreSQL: the catalogue, order placement, the consumer.

Everything runs in this one process through the real Lambda handlers: API Gateway payload
2.0 events built by tests.apigw.Client, SQS trigger events built by tests.queues. AWS is
moto's in-process emulation (`mock_aws`): nothing leaves the machine. The database is a
fresh one created on the PostgreSQL server of --database-url and dropped at the end.

  a. Catalogue at scale: N products loaded with one INSERT ... SELECT generate_series, then
     ANALYZE; GET /products?sort=-price_cents&category=a,b&limit=50, its first page and its
     500th (reached by walking the cursors), against GET /products/{id}; the plans of both
     pages (EXPLAIN ANALYZE of the very SQL the service ran); POST /products/batch of 500.
  b. Orders: POST /orders from 1, 4 and 16 client threads at once (each its own customer
     and token), all buying one hot product or each order a random one of 1,000; and what
     the post-commit publish to the outbox queue adds to a placement.
  c. The consumer: handlers.order_events on batches of 10 real order.placed messages,
     received from the queue the orders function published them to, SES send included.

Targets: page 500 within 2x of page 1; page 1 within 2x of a single-row read; a batch of
500 under 1 s; no answer but 201 with enough stock; hot-product throughput within 3x of
spread; the outbox under +20 % of a placement. This is a report: it exits 0 whether targets
pass or fail, and non-zero only when the benchmark itself cannot run.

    scripts/bench_data                                   # the defaults meet the issue
    scripts/bench_data --products 20000 --orders-per-client 10 --consumer-messages 100
    scripts/bench_data --sections catalogue              # or orders, consumer
    scripts/bench_data --database-url postgresql+pg8000://me:secret@db.local:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.bench_report import Report  # noqa: E402
from scripts.data_bench import BenchError, progress  # noqa: E402
from scripts.data_bench.catalogue import bench_catalogue  # noqa: E402
from scripts.data_bench.consumer import bench_consumer  # noqa: E402
from scripts.data_bench.orders import bench_orders  # noqa: E402
from scripts.data_bench.shop import (  # noqa: E402
    BATCH_LIMIT,
    MAIL_FROM,
    REGION,
    World,
    configure_environment,
    fresh_database,
    make_accounts,
    use_queue,
)
from tests.postgres import DEFAULT_SERVER  # noqa: E402

SECTIONS = ("catalogue", "orders", "consumer")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER,
        help="the PostgreSQL server to create the benchmark's own database on, given as the "
        f"URL of a database to connect to for CREATE DATABASE (default {DEFAULT_SERVER})",
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"which parts to run, comma-separated (default {','.join(SECTIONS)})",
    )
    parser.add_argument("--products", type=int, default=100_000, help="catalogue size")
    parser.add_argument("--page", type=int, default=500, help="the deep page to time (500)")
    parser.add_argument("--page-size", type=int, default=50, help="limit of the listing (50)")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per request (30)")
    parser.add_argument("--batch-size", type=int, default=500, help="items per batch (500)")
    parser.add_argument("--batch-runs", type=int, default=5, help="batches timed (5)")
    parser.add_argument(
        "--clients",
        default="1,4,16",
        help="concurrent client threads, comma-separated (default 1,4,16)",
    )
    parser.add_argument(
        "--orders-per-client", type=int, default=40, help="orders each client places (40)"
    )
    parser.add_argument(
        "--spread-products", type=int, default=1000, help="products of the spread mix (1000)"
    )
    parser.add_argument(
        "--outbox-orders",
        type=int,
        default=150,
        help="placements timed with and without publishing, each (150)",
    )
    parser.add_argument(
        "--consumer-messages", type=int, default=300, help="order.placed messages consumed (300)"
    )
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if unknown := set(args.sections) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    try:
        args.clients = sorted({int(n) for n in args.clients.split(",") if n.strip()})
    except ValueError:
        parser.error("--clients takes whole numbers separated by commas")
    numbers = [
        args.products,
        args.page,
        args.page_size,
        args.repeats,
        args.batch_runs,
        args.orders_per_client,
        args.spread_products,
        args.outbox_orders,
        args.consumer_messages,
        *args.clients,
    ]
    if not args.clients or min(numbers) < 1:
        parser.error("every size must be at least 1")
    if not 1 <= args.batch_size <= BATCH_LIMIT or args.page_size > 100:
        parser.error(f"--batch-size is 1..{BATCH_LIMIT}, --page-size at most 100")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    configure_environment(tempfile.mkdtemp(prefix="shop-bench-data-"))
    report = Report()
    try:
        run(args, report)
    except BenchError as error:
        print(f"bench_data: {error}", file=sys.stderr)
        return 1
    report.summary()
    print(
        f"\n(benchmark took {time.monotonic() - started:.0f} s on {os.cpu_count()} CPUs; "
        "targets are reported, not enforced: the exit status is 0 either way)"
    )
    return 0


def run(args: argparse.Namespace, report: Report) -> None:
    import boto3
    from moto import mock_aws

    from shared.log import logger

    # The handlers' JSON log lines (one per request) would drown the report; they are
    # still formatted, as on Lambda, and written to /dev/null.
    devnull = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
    previous = logger.registered_handler.setStream(devnull)
    pool = max(args.clients) + 2
    try:
        with (
            fresh_database(args.database_url, pool_size=pool, keep=args.keep_database) as engine,
            mock_aws(),
        ):
            sqs = boto3.client("sqs", region_name=REGION)
            boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=MAIL_FROM)
            queue_url = use_queue(sqs, "orders")
            progress("creating the admin and the customers (argon2)")
            customers = max(args.clients) if "orders" in args.sections else 1
            admin_token, tokens = make_accounts(customers)
            world = World(engine, sqs, queue_url, admin_token, tokens)
            print(
                f"shop-api data benchmark: Python {sys.version.split()[0]}, "
                f"{os.cpu_count()} CPUs, PostgreSQL "
                f"{'.'.join(map(str, engine.dialect.server_version_info))}, "
                f"database {engine.url.render_as_string(hide_password=True)}"
            )
            if "catalogue" in args.sections:
                bench_catalogue(world, args, report)
            if "orders" in args.sections:
                bench_orders(world, args, report)
            if "consumer" in args.sections:
                bench_consumer(world, args, report)
    finally:
        logger.registered_handler.setStream(previous)
        devnull.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
