"""Section c: the order_events consumer on batches of real order.placed messages."""

from __future__ import annotations

import argparse
import time
from typing import Any

from scripts.bench_report import Report, ms, p50, p99
from scripts.data_bench import BenchError, progress, timed
from scripts.data_bench.placing import order_products, place_orders
from scripts.data_bench.shop import World, use_queue
from scripts.data_bench.trace import aws_marks, print_trace, statements

BATCH = 10


def bench_consumer(world: World, args: argparse.Namespace, report: Report) -> None:
    from tests.queues import sent_mails

    report.section(f"c. The consumer: order_events on batches of {BATCH} order.placed messages")
    # The first batch warms the function up; the last message is delivered alone, traced.
    bodies = queued_order_events(world, BATCH + args.consumer_messages + 1)
    bodies, traced = bodies[:-1], bodies[-1]

    mails_before = len(sent_mails())
    progress(f"delivering {len(bodies)} messages in batches of {BATCH}")
    samples = deliver_in_batches(bodies)
    captured, started, ended = deliver_traced(world, traced)
    mails = len(sent_mails()) - mails_before

    report_throughput(report, samples)
    report_outcome(world, report, mails, delivered=len(bodies) + 1)
    print_trace(
        report,
        captured,
        started,
        ended,
        locks="UPDATE orders",
        what="one more message, delivered alone",
    )


def queued_order_events(world: World, wanted: int) -> list[str]:
    """`wanted` orders placed, and their order.placed messages received from the queue."""
    from tests.queues import receive_all

    # A queue of its own, so that only this section's messages are on it.
    world.queue_url = use_queue(world.sqs, f"orders-consumer-{world.tag}")
    _hot, spread = order_products(world, 100, "CONSUMER")
    progress(f"placing {wanted} orders, publishing their events")
    placed = place_orders(world, 1, wanted, lambda rng: rng.choice(spread), "consumer")
    if set(placed.statuses) != {201}:
        raise BenchError(f"placements answered {dict(placed.statuses)}")
    bodies = receive_all(world.sqs, world.queue_url)
    if len(bodies) != wanted:
        raise BenchError(f"{wanted} orders placed, {len(bodies)} order.placed on the queue")
    return bodies


def deliver_in_batches(bodies: list[str]) -> list[float]:
    """Seconds per batch handled, the first batch (the warm-up) left out."""
    from handlers.order_events import handler
    from tests.apigw import LambdaContext
    from tests.queues import sqs_event

    samples = []
    for start in range(0, len(bodies), BATCH):
        event = sqs_event(bodies[start : start + BATCH])
        seconds, answer = timed(lambda event=event: handler(event, LambdaContext()))
        check_delivered(answer)
        if start:
            samples.append(seconds)
    return samples


def deliver_traced(world: World, body: str) -> tuple[list[tuple[str, Any, float]], float, float]:
    """One message delivered alone: its round trips and AWS calls, its start and end."""
    from handlers.order_events import handler
    from tests.apigw import LambdaContext
    from tests.queues import sqs_event

    with statements(world.engine) as captured, aws_marks(captured):
        started = time.perf_counter()
        answer = handler(sqs_event([body]), LambdaContext())
        ended = time.perf_counter()
    check_delivered(answer)
    return captured, started, ended


def check_delivered(answer: Any) -> None:
    if answer != {"batchItemFailures": []}:
        raise BenchError(f"order_events reported failures: {answer}")


def report_throughput(report: Report, samples: list[float]) -> None:
    messages = BATCH * len(samples)
    total = sum(samples)
    report.line(
        f"{messages} messages in {len(samples)} batches of {BATCH} (after 1 warm-up batch): "
        f"{total:.2f} s, {messages / total:.1f} messages/s; per batch p50 {ms(p50(samples))}, "
        f"p99 {ms(p99(samples))}; {ms(p50(samples) / BATCH)} a message"
    )


def report_outcome(world: World, report: Report, mails: int, *, delivered: int) -> None:
    """What the messages did: an e-mail and a confirmed order each."""
    from sqlalchemy import text

    report.line(
        f"each message: claim the event id, confirm the order, read it and its customer, "
        f"send the e-mail through moto's in-process SES, commit; {mails} e-mails sent "
        f"for {delivered} messages"
    )
    with world.engine.connect() as connection:
        confirmed = connection.execute(
            text("SELECT count(*) FROM orders WHERE status = 'confirmed'")
        ).scalar()
    report.line(f"orders now confirmed: {confirmed}")
    if mails != delivered or confirmed < delivered:
        report.line("WRONG: every message should confirm one order and send one e-mail")
    report.line()
