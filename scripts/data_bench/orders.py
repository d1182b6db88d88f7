"""Section b: order placement from concurrent clients, its row lock, and what the outbox adds."""

from __future__ import annotations

import argparse
import os
import time
import uuid
from typing import Any

from scripts.bench_report import Report, ms, p50, p99
from scripts.data_bench import BenchError, progress
from scripts.data_bench.placing import Placements, order_products, place_orders
from scripts.data_bench.shop import World, shallow_queue
from scripts.data_bench.trace import ClientsOf, aws_marks, print_trace, statements

HOT_SPREAD_TARGET = 3.0
OUTBOX_TARGET = 0.20
TRACES = 5  # placements traced; the one of median duration is shown


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
    modes = {"hot": lambda _rng: hot, "spread": lambda rng: rng.choice(spread)}

    progress("warming up every client (one order each, all at once)")
    place_orders(world, max(args.clients), 1, modes["spread"], "warm-up")

    trace_placement(world, spread[0], report)

    results: list[Placements] = []
    for clients in args.clients:
        for mode, choose in modes.items():
            progress(f"{clients} client(s) x {args.orders_per_client} orders, {mode}")
            results.append(place_orders(world, clients, args.orders_per_client, choose, mode))
    rows = []
    for result in results:
        others = {s: n for s, n in result.statuses.items() if s != 201}
        rows.append(
            [
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
        )
    report.line(
        f"each client its own customer and token; 1-line orders of quantity 1; hot = one "
        f"product for all, spread = a random one of {len(spread):,}; stock enough for all."
    )
    report.line(
        "every placement includes its post-commit publish: moto's in-process SQS "
        "send_message is part of each latency (a real SQS call is a network round trip)."
    )
    report.line(
        "row lock = the product row's lock, from the stock UPDATE to the COMMIT of the order"
    )
    report.line()
    headers = [
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
    report.table(headers, rows, right={0, 2, 3, 4, 5, 6, 7, 8, 9})
    single = next(r for r in results if r.mode == "hot" and r.clients == min(args.clients))
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

    unexpected = sum(n for r in results for s, n in r.statuses.items() if s != 201)
    report.target(
        "answers other than 201 (enough stock)",
        str(unexpected),
        "0",
        unexpected == 0,
    )
    for clients in args.clients:
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


class StubSQS:
    """An SQS client whose send_message does nothing: the outbox's own cost, without moto."""

    def send_message(self, **_kwargs: Any) -> dict[str, str]:
        return {"MessageId": str(uuid.uuid4())}


def bench_outbox(world: World, args: argparse.Namespace, spread: list[int], report: Report) -> None:
    """p50 of one client's placements: publishing as usual, to a stub SQS, or not at all."""
    from shared.services import outbox

    original_publish, original_aws = outbox.publish, outbox.aws
    stub = ClientsOf(lambda _service, **_options: StubSQS())

    def no_publish(_session: Any, **_kwargs: Any) -> int:
        return 0

    modes = {
        "publish (moto SQS)": (original_publish, original_aws),
        "publish (SQS stubbed)": (original_publish, stub),
        "no publish": (no_publish, original_aws),
    }
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    block = 10
    progress(f"outbox overhead: {args.outbox_orders} orders each way")
    try:
        # Blocks take turns, so that drift in machine speed falls on every mode alike.
        for _ in range(-(-args.outbox_orders // block)):
            for mode, (publish, clients) in modes.items():
                outbox.publish, outbox.aws = publish, clients
                result = place_orders(world, 1, block, lambda rng: rng.choice(spread), mode)
                if set(result.statuses) != {201}:
                    raise BenchError(f"placements answered {dict(result.statuses)}")
                samples[mode].extend(result.latencies)
    finally:
        outbox.publish, outbox.aws = original_publish, original_aws
    base = p50(samples["no publish"])
    report.line()
    report.line(
        f"outbox: 1 client, {len(samples['no publish'])} placements each way, in turns of "
        f"{block}; the publish is SELECT ... FOR UPDATE SKIP LOCKED, SQS send_message, "
        "UPDATE, COMMIT, after the order's own COMMIT:"
    )
    rows = [
        [
            mode,
            ms(p50(values)),
            ms(p99(values)),
            "-" if mode == "no publish" else f"+{(p50(values) / base - 1) * 100:.1f} %",
        ]
        for mode, values in samples.items()
    ]
    report.table(["POST /orders", "p50", "p99", "vs no publish"], rows, {1, 2, 3})
    overhead = p50(samples["publish (moto SQS)"]) / base - 1
    report.target(
        "outbox publish overhead (p50)",
        f"+{overhead * 100:.1f} % (moto SQS in-process)",
        f"< +{OUTBOX_TARGET * 100:.0f} %",
        overhead < OUTBOX_TARGET,
    )
