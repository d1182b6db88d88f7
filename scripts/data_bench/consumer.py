"""Section c: the order_events consumer on batches of real order.placed messages."""

from __future__ import annotations

import argparse
import time

from scripts.bench_report import Report, ms, p50, p99
from scripts.data_bench import BenchError, progress, timed
from scripts.data_bench.placing import order_products, place_orders
from scripts.data_bench.shop import World, use_queue
from scripts.data_bench.trace import aws_marks, print_trace, statements


def bench_consumer(world: World, args: argparse.Namespace, report: Report) -> None:
    from handlers.order_events import handler
    from tests.apigw import LambdaContext
    from tests.queues import receive_all, sent_mails, sqs_event

    report.section("c. The consumer: order_events on batches of 10 order.placed messages")
    # A queue of its own, so that only this section's messages are on it.
    world.queue_url = use_queue(world.sqs, f"orders-consumer-{world.tag}")
    batch = 10
    # The first batch warms the function up; the last message is delivered alone, traced.
    wanted = batch + args.consumer_messages + 1
    _hot, spread = order_products(world, 100, "CONSUMER")
    progress(f"placing {wanted} orders, publishing their events")
    placed = place_orders(world, 1, wanted, lambda rng: rng.choice(spread), "consumer")
    if set(placed.statuses) != {201}:
        raise BenchError(f"placements answered {dict(placed.statuses)}")
    bodies = receive_all(world.sqs, world.queue_url)
    if len(bodies) != wanted:
        raise BenchError(f"{wanted} orders placed, {len(bodies)} order.placed on the queue")
    bodies, traced = bodies[:-1], bodies[-1]

    mails_before = len(sent_mails())
    progress(f"delivering {len(bodies)} messages in batches of {batch}")
    samples = []
    for start in range(0, len(bodies), batch):
        event = sqs_event(bodies[start : start + batch])
        seconds, answer = timed(lambda event=event: handler(event, LambdaContext()))
        if answer != {"batchItemFailures": []}:
            raise BenchError(f"order_events reported failures: {answer}")
        if start:
            samples.append(seconds)
    with statements(world.engine) as captured, aws_marks(captured):
        started = time.perf_counter()
        answer = handler(sqs_event([traced]), LambdaContext())
        ended = time.perf_counter()
    if answer != {"batchItemFailures": []}:
        raise BenchError(f"order_events reported failures: {answer}")
    mails = len(sent_mails()) - mails_before
    messages = batch * len(samples)
    total = sum(samples)
    report.line(
        f"{messages} messages in {len(samples)} batches of {batch} (after 1 warm-up batch): "
        f"{total:.2f} s, {messages / total:.1f} messages/s; per batch p50 {ms(p50(samples))}, "
        f"p99 {ms(p99(samples))}; {ms(p50(samples) / batch)} a message"
    )
    report.line(
        f"each message: claim the event id, confirm the order, read it and its customer, "
        f"send the e-mail through moto's in-process SES, commit; {mails} e-mails sent "
        f"for {len(bodies) + 1} messages"
    )
    from sqlalchemy import text

    with world.engine.connect() as connection:
        confirmed = connection.execute(
            text("SELECT count(*) FROM orders WHERE status = 'confirmed'")
        ).scalar()
    report.line(f"orders now confirmed: {confirmed}")
    if mails != len(bodies) + 1 or confirmed < len(bodies) + 1:
        report.line("WRONG: every message should confirm one order and send one e-mail")
    report.line()
    print_trace(
        report,
        captured,
        started,
        ended,
        locks="UPDATE orders",
        what="one more message, delivered alone",
    )
