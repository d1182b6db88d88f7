"""No AWS dependency can hang the shop or lose its work (operations.md, "Timeouts and faults").

The faults are real: the queue or the mail service is a loopback socket that accepts and
never answers, or a port where nothing listens, while the rest of AWS is moto.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

import handlers.housekeeping
import handlers.order_events
import handlers.orders
from shared import aws
from shared.models import Order, OutboxEvent, ProcessedEvent, Product, RefreshToken
from shared.models.base import utcnow
from tests import factories, queues
from tests.apigw import Client, LambdaContext
from tests.faults.hung_endpoint import aws_call_timeout, closed_port, hung_endpoint, service_at
from tests.faults.lambda_time import RealTimeout, TimeRunningOut

FUNCTION = "orders"  # the handler behind the `api` fixture (tests/conftest.py)

# Each test waits on a dependency that never answers, for seconds by design, in front of
# moto's queue and mail service.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("aws_world")]

# operations.md: a queue that is down or never answers delays POST /orders by at most 2 s.
# The whole request is held to that, its own work included.
ORDER_BUDGET = 2


@contextmanager
def faulty(service: str, fault: str):
    """`service` hangs ("hung") or is not there ("unreachable") meanwhile.

    Its clients are made at once, as a warm container already has them: the wall times
    measured are the fault's, not the ~0.1 s (more on a busy machine) of loading a
    service model.
    """
    with (
        hung_endpoint() as hung,
        service_at(service, hung.url if fault == "hung" else closed_port()),
    ):
        aws.client(service, retries=0), aws.client(service)
        aws.client(service, retries=0, timeout=handlers.orders.QUEUE_WAIT)
        yield hung if fault == "hung" else None


def place(api: Client, customer_token: str, mug: Product, quantity: int = 1) -> dict:
    reply = api.post(
        "/orders", {"items": [{"product_id": mug.id, "quantity": quantity}]}, token=customer_token
    )
    assert reply.status == 201, reply.text
    return reply.json


def housekeeping(context: object | None = None) -> dict:
    return handlers.housekeeping.handler({}, context)


def consume(bodies: list[str], context: object) -> dict:
    return handlers.order_events.handler(queues.sqs_event(bodies), context)


def unsent(session) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
    )


def open_transactions(session) -> int:
    """Connections of others left inside a transaction (PostgreSQL; 0 on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return 0
    count = session.scalar(
        text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )
    )
    session.rollback()
    return count


@pytest.mark.parametrize("fault", ["hung", "unreachable"])
def test_an_order_is_placed_within_2_seconds_when_the_queue_hangs_or_is_gone(
    api, customer_token, mug, aws_world, session, fault
):
    with faulty("sqs", fault) as hung:
        started = time.monotonic()
        reply = api.post(
            "/orders", {"items": [{"product_id": mug.id, "quantity": 1}]}, token=customer_token
        )
        took = time.monotonic() - started

    print(f"POST /orders with the queue {fault}: {took:.2f} s")
    assert reply.status == 201, reply.text
    assert took < ORDER_BUDGET
    if hung is not None:
        assert hung.accepted == 1  # one attempt on the request path, no retries
    assert unsent(session) == 1
    # The request left its connection usable and no transaction open behind it.
    assert open_transactions(session) == 0
    again = api.get(f"/orders/{reply.json['id']}", token=customer_token)
    assert again.status == 200 and again.json == reply.json


@pytest.mark.parametrize("fault", ["hung", "unreachable"])
def test_the_next_housekeeping_run_sends_what_a_hung_queue_missed_exactly_once(
    api, customer_token, mug, aws_world, session, fault
):
    with faulty("sqs", fault):
        orders = [place(api, customer_token, mug) for _ in range(2)]
    assert unsent(session) == 2

    first, second = housekeeping(LambdaContext()), housekeeping(LambdaContext())

    assert (first["resend_unsent_events"], second["resend_unsent_events"]) == (2, 0)
    assert unsent(session) == 0
    bodies = queues.receive_all(aws_world.sqs, aws_world.queue_url)
    assert sorted(json.loads(b)["order_id"] for b in bodies) == sorted(o["id"] for o in orders)


def test_housekeeping_with_a_hung_queue_gives_up_in_bounded_time_and_keeps_the_events(
    api, customer_token, mug, aws_world, session
):
    with service_at("sqs", closed_port()):
        [place(api, customer_token, mug) for _ in range(3)]
    with hung_endpoint() as hung, aws_call_timeout(0.3), service_at("sqs", hung.url):
        started = time.monotonic()
        result = housekeeping(LambdaContext())
        took = time.monotonic() - started
        longest = aws.longest_call()

    assert result["resend_unsent_events"] == 0
    assert hung.accepted == 3  # the first event, with its two retries; the batch stops there
    assert took < longest + 1
    assert unsent(session) == 3
    assert housekeeping(LambdaContext())["resend_unsent_events"] == 3


@pytest.mark.parametrize("fault", ["hung", "unreachable"])
def test_a_mail_service_that_hangs_or_is_gone_fails_the_record_and_a_redelivery_mails_once(
    api, customer_token, mug, aws_world, session, fault
):
    order = place(api, customer_token, mug)
    [body] = queues.receive_all(aws_world.sqs, aws_world.queue_url)

    with faulty("ses", fault) as hung:
        started = time.monotonic()
        failed = consume([body], LambdaContext())
        took = time.monotonic() - started

    print(f"order_events with the mail service {fault}: {took:.2f} s")
    assert failed == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert took < aws.longest_call(retries=0)  # one attempt: 4 s at worst; three take 6 s or more
    if hung is not None:
        # One attempt: SendEmail is not idempotent, the redelivery is the retry.
        assert hung.accepted == 1
    session.expire_all()
    assert session.get(Order, order["id"]).status == "pending"
    assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
    assert queues.sent_mails() == []

    assert consume([body], LambdaContext()) == {"batchItemFailures": []}
    assert consume([body], LambdaContext()) == {"batchItemFailures": []}
    session.expire_all()
    assert session.get(Order, order["id"]).status == "confirmed"
    assert len(queues.sent_mails()) == 1


def test_records_not_started_before_time_runs_short_are_left_for_redelivery(
    api, customer_token, mug, aws_world, session
):
    orders = [place(api, customer_token, mug) for _ in range(3)]
    bodies = sorted(
        queues.receive_all(aws_world.sqs, aws_world.queue_url),
        key=lambda b: json.loads(b)["order_id"],
    )

    # An invocation of 30 s: time for two records, then a second left, less than a margin.
    result = consume(bodies, TimeRunningOut(30_000, 30_000, 30_000, 1_000))

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-2"}]}
    session.expire_all()
    assert [session.get(Order, o["id"]).status for o in orders] == [
        "confirmed",
        "confirmed",
        "pending",
    ]
    assert len(queues.sent_mails()) == 2

    assert consume(bodies, LambdaContext()) == {"batchItemFailures": []}
    session.expire_all()
    assert session.get(Order, orders[2]["id"]).status == "confirmed"
    assert len(queues.sent_mails()) == 3


def test_a_batch_meeting_a_hung_mail_service_ends_before_the_function_times_out(
    api, customer_token, mug, aws_world, session
):
    orders = [place(api, customer_token, mug) for _ in range(10)]
    bodies = queues.receive_all(aws_world.sqs, aws_world.queue_url)

    # An invocation of 3 s keeps half in reserve: time for about five records stuck for
    # 0.3 s each on the mail service, not for ten.
    with aws_call_timeout(0.3), hung_endpoint() as hung, service_at("ses", hung.url):
        context = RealTimeout(3)
        result = consume(bodies, context)
        left = context.get_remaining_time_in_millis() / 1000

    assert len(result["batchItemFailures"]) == 10
    assert left > 0  # it returned before its timeout
    assert 1 <= hung.accepted < 10  # some records tried the mail service, not all
    session.expire_all()
    assert {session.get(Order, o["id"]).status for o in orders} == {"pending"}

    assert consume(bodies, LambdaContext()) == {"batchItemFailures": []}
    assert len(queues.sent_mails()) == 10


def abandoned_and_unsent(api, customer_token, mug, session) -> list[dict]:
    """Three orders whose events the queue missed, two of them pending for over 30 minutes."""
    with service_at("sqs", closed_port()):
        orders = [place(api, customer_token, mug, quantity=5) for _ in range(3)]
    session.execute(
        update(Order)
        .where(Order.id.in_([o["id"] for o in orders[:2]]))
        .values(created_at=utcnow() - timedelta(minutes=31))
    )
    session.commit()
    return orders


def test_housekeeping_with_too_little_time_left_starts_nothing_and_the_next_run_does_it_all(
    api, customer_token, mug, aws_world, session
):
    orders = abandoned_and_unsent(api, customer_token, mug, session)
    factories.tokens_for(session, factories.customer(session))
    session.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()

    # A run of 120 s that has (by its first chore) a second left.
    short = housekeeping(TimeRunningOut(120_000, 1_000))

    assert set(short.values()) == {0}  # every chore, whatever their number
    assert unsent(session) == 3
    assert {session.get(Order, o["id"]).status for o in orders} == {"pending"}

    full = housekeeping(LambdaContext())

    assert full["resend_unsent_events"] == 3
    assert full["cancel_abandoned_orders"] == 2
    assert full["delete_expired_refresh_tokens"] >= 1
    session.expire_all()
    assert session.get(Product, mug.id).stock == 50 - 5


def test_housekeeping_that_runs_out_of_time_mid_batch_sends_the_rest_next_run_exactly_once(
    api, customer_token, mug, aws_world, session
):
    with service_at("sqs", closed_port()):
        orders = [place(api, customer_token, mug) for _ in range(6)]

    first = housekeeping(TimeRunningOut(120_000, 60_000, 60_000, 60_000, 1_000))
    sent_first = first["resend_unsent_events"]

    assert 0 < sent_first < 6
    assert unsent(session) == 6 - sent_first
    assert first["cancel_abandoned_orders"] == 0
    second = housekeeping(LambdaContext())
    assert second["resend_unsent_events"] == 6 - sent_first
    bodies = queues.receive_all(aws_world.sqs, aws_world.queue_url)
    assert sorted(json.loads(b)["order_id"] for b in bodies) == sorted(o["id"] for o in orders)
