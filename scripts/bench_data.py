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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.bench_cli import parser_for, run_benchmark  # noqa: E402
from scripts.bench_report import Report  # noqa: E402
from scripts.data_bench.catalogue import bench_catalogue  # noqa: E402
from scripts.data_bench.consumer import bench_consumer  # noqa: E402
from scripts.data_bench.orders import bench_orders  # noqa: E402
from scripts.data_bench.shop import BATCH_LIMIT, configure_environment, shop_world  # noqa: E402
from tests.postgres import DEFAULT_SERVER  # noqa: E402

# In the order they run, whatever the order of --sections.
SECTIONS = {"catalogue": bench_catalogue, "orders": bench_orders, "consumer": bench_consumer}
# Whole numbers, each at least 1: option, its default and its help.
CATALOGUE_SIZES = {
    "--products": (100_000, "catalogue size"),
    "--page": (500, "the deep page to time (500)"),
    "--page-size": (50, "limit of the listing (50)"),
    "--repeats": (30, "timed calls per request (30)"),
    "--batch-size": (500, "items per batch (500)"),
    "--batch-runs": (5, "batches timed (5)"),
}
ORDER_SIZES = {
    "--orders-per-client": (40, "orders each client places (40)"),
    "--spread-products": (1000, "products of the spread mix (1000)"),
    "--outbox-orders": (150, "placements timed with and without publishing, each (150)"),
    "--consumer-messages": (300, "order.placed messages consumed (300)"),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = parser_for(__doc__)
    add_run_options(parser)
    add_sizes(parser, CATALOGUE_SIZES)
    parser.add_argument(
        "--clients",
        default="1,4,16",
        help="concurrent client threads, comma-separated (default 1,4,16)",
    )
    add_sizes(parser, ORDER_SIZES)
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    return args


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Where the benchmark runs, and which of its sections."""
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


def add_sizes(parser: argparse.ArgumentParser, sizes: dict[str, tuple[int, str]]) -> None:
    for option, (default, help_text) in sizes.items():
        parser.add_argument(option, type=int, default=default, help=help_text)


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--sections and --clients as lists; every size within its bounds, or the usage error."""
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


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    return run_benchmark("bench_data", lambda: run(args), took=f" on {os.cpu_count()} CPUs")


def run(args: argparse.Namespace) -> None:
    configure_environment(tempfile.mkdtemp(prefix="shop-bench-data-"))
    report = Report()
    customers = max(args.clients) if "orders" in args.sections else 1
    with (
        quiet_logs(),
        shop_world(
            args.database_url,
            customers=customers,
            pool_size=max(args.clients) + 2,
            keep=args.keep_database,
        ) as world,
    ):
        print(
            f"shop-api data benchmark: Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs, PostgreSQL "
            f"{'.'.join(map(str, world.engine.dialect.server_version_info))}, "
            f"database {world.engine.url.render_as_string(hide_password=True)}"
        )
        for name, bench_section in SECTIONS.items():
            if name in args.sections:
                bench_section(world, args, report)
    report.summary()


@contextmanager
def quiet_logs() -> Iterator[None]:
    """The handlers' JSON log lines (one per request) would drown the report; they are
    still formatted, as on Lambda, and written to /dev/null."""
    from shared.log import logger

    with open(os.devnull, "w") as devnull:
        previous = logger.registered_handler.setStream(devnull)
        try:
            yield
        finally:
            logger.registered_handler.setStream(previous)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
