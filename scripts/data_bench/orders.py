"""Section b: order placement from concurrent clients, its row lock, and what the outbox adds."""

from __future__ import annotations

import argparse
import os
import time

from scripts.bench_report import Report, ms, p50, p99
from scripts.data_bench import BenchError, progress
from scripts.data_bench.placing import Placements, order_products, place_orders
from scripts.data_bench.publishing import bench_outbox
from scripts.data_bench.shop import World, shallow_queue
from scripts.data_bench.trace import aws_marks, print_trace, statements

HOT_SPREAD_TARGET = 3.0
TRACES = 5  # placements traced; the one of median duration is shown
PLACEMENT_HEADERS = [
    "clients",
    "product",
    "orders",
    "orders/s",
    "p50",
    "p99",
    "non-201",
    "row lock p50",
    "p99",
    "CPU/order",
]


def bench_orders(world: World, args: argparse.Namespace, report: Report) -> None:
    report.section("b. Orders: POST /orders on PostgreSQL, moto SQS for the outbox")
    progress(f"creating the hot product and {args.spread_products} spread products")
    hot, spread = order_products(world, args.spread_products, "ORDERS")
    with shallow_queue(world):
        place_all(world, args, hot, spread, report)
        bench_outbox(world, args, spread, report)


def place_all(
    world: World, args: argparse.Namespace, hot: int, spread: list[int], report: Report
) -> None:
    """Every client count placing orders, all on the hot product, then each on a spread one."""
    modes = {"hot": lambda _rng: hot, "spread": lambda rng: rng.choice(spread)}
    progress("warming up every client (one order each, all at once)")
    place_orders(world, max(args.clients), 1, modes["spread"], "warm-up")
    trace_placement(world, spread[0], report)

    results: list[Placements] = []
    for clients in args.clients:
        for mode, choose in modes.items():
            progress(f"{clients} client(s) x {args.orders_per_client} orders, {mode}")
            results.append(place_orders(world, clients, args.orders_per_client, choose, mode))
    report_placements(report, results, len(spread))
    report_what_bounds_throughput(report, results, min(args.clients))
    judge_placements(report, results, args.clients)


def report_placements(report: Report, results: list[Placements], spread: int) -> None:
    report.line(
        f"each client its own customer and token; 1-line orders of quantity 1; hot = one "
        f"product for all, spread = a random one of {spread:,}; stock enough for all."
    )
    report.line(
        "every placement includes its post-commit publish: moto's in-process SQS "
        "send_message is part of each latency (a real SQS call is a network round trip)."
    )
    report.line(
        "row lock = the product row's lock, from the stock UPDATE to the COMMIT of the order"
    )
    report.line()
    rows = [placement_row(result) for result in results]
    report.table(PLACEMENT_HEADERS, rows, right={0, 2, 3, 4, 5, 6, 7, 8, 9})


def placement_row(result: Placements) -> list[str]:
    others = {s: n for s, n in result.statuses.items() if s != 201}
    return [
        str(result.clients),
        result.mode,
        str(len(result.latencies)),
        f"{result.per_second:.1f}",
        ms(p50(result.latencies)),
        ms(p99(result.latencies)),
        ", ".join(f"{n}x{s}" for s, n in sorted(others.items())) or "0",
        ms(p50(result.holds)) if result.holds else "-",
        ms(p99(result.holds)) if result.holds else "-",
        ms(result.cpu / len(result.latencies)),
    ]


def report_what_bounds_throughput(
    report: Report, results: list[Placements], fewest_clients: int
) -> None:
    """Here this process's CPU; on Lambda, for one hot product, its row lock."""
    single = next(r for r in results if r.mode == "hot" and r.clients == fewest_clients)
    cpu = p50([r.cpu / len(r.latencies) for r in results])
    report.line()
    report.line(
        f"note: the client threads share one interpreter (one GIL) and the {os.cpu_count()} "
        f"CPUs with the PostgreSQL server, and each placement costs ~{ms(cpu)} of this "
        f"process's CPU (CPU/order): throughput tops out near {1 / cpu:.0f}/s whatever "
        "the product mix, so hot vs spread here cannot show the database's limit. On Lambda "
        "each request is its own container; what bounds one hot product there is its row "
        f"lock: at most ~1 / {ms(p50(single.holds))} = {1 / p50(single.holds):.0f} orders/s "
        "(row lock p50 of one client, before its COMMIT's own time)."
    )


def judge_placements(report: Report, results: list[Placements], client_counts: list[int]) -> None:
    unexpected = sum(n for r in results for s, n in r.statuses.items() if s != 201)
    report.target(
        "answers other than 201 (enough stock)",
        str(unexpected),
        "0",
        unexpected == 0,
    )
    for clients in client_counts:
        pair = {r.mode: r for r in results if r.clients == clients}
        ratio = pair["spread"].per_second / pair["hot"].per_second
        report.target(
            f"{clients} client(s): spread vs hot throughput",
            f"{ratio:.2f}x ({pair['spread'].per_second:.1f} vs {pair['hot'].per_second:.1f}/s)",
            f"<= {HOT_SPREAD_TARGET}x",
            ratio <= HOT_SPREAD_TARGET,
        )


def trace_placement(world: World, product_id: int, report: Report) -> None:
    """The round trips of one POST /orders, in order: what runs under the row lock."""
    api = world.client("orders", world.customer_tokens[0])
    body = {"items": [{"product_id": product_id, "quantity": 1}]}
    for _ in range(3):  # warm
        api.post("/orders", json=body)
    traces = []
    for _ in range(TRACES):
        with statements(world.engine) as captured, aws_marks(captured):
            started = time.perf_counter()
            reply = api.post("/orders", json=body)
            ended = time.perf_counter()
        if reply.status != 201:
            raise BenchError(f"POST /orders answered {reply.status}: {reply.text[:300]}")
        traces.append((ended - started, captured, started, ended))
    _, captured, started, ended = sorted(traces, key=lambda trace: trace[0])[TRACES // 2]
    print_trace(
        report,
        captured,
        started,
        ended,
        locks="UPDATE products",
        what=f"one POST /orders (1 client, warm; the median of {TRACES})",
    )
