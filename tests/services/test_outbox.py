"""The outbox: each event written with its order is sent to the orders queue once, in order."""

from __future__ import annotations

import json

import pytest

from shared.config import settings
from shared.deadline import Deadline
from shared.models import OutboxEvent
from shared.services import outbox
from tests import factories, queues
from tests.faults.hung_endpoint import closed_port, service_at
from tests.faults.lambda_time import TimeRunningOut


@pytest.fixture
def three_orders(session, customer, mug) -> list[int]:
    """Three orders placed one after the other, their events still in the outbox."""
    return [factories.order(session, customer, (mug, 1)).id for _ in range(3)]


def unsent(session) -> int:
    session.expire_all()
    return session.query(OutboxEvent).filter(OutboxEvent.sent_at.is_(None)).count()


def announced(aws_world) -> list[int]:
    """The orders whose events are on the queue, in the order they were sent."""
    bodies = queues.receive_all(aws_world.sqs, aws_world.queue_url)
    return [json.loads(body)["order_id"] for body in bodies]


def test_publishing_sends_every_unsent_event_oldest_first_and_marks_it_sent(
    session, aws_world, three_orders
):
    assert outbox.publish(session) == 3

    assert announced(aws_world) == three_orders
    assert unsent(session) == 0


def test_an_event_already_sent_is_not_sent_again(session, aws_world, three_orders):
    outbox.publish(session)
    announced(aws_world)

    assert outbox.publish(session) == 0
    assert announced(aws_world) == []


def test_publishing_named_events_sends_those_alone(session, aws_world, three_orders):
    middle = session.query(OutboxEvent).filter_by(order_id=three_orders[1]).one().id

    assert outbox.publish(session, event_ids=[middle]) == 1

    assert announced(aws_world) == [three_orders[1]]
    assert unsent(session) == 2


def test_a_limit_sends_the_oldest_events_first(session, aws_world, three_orders):
    assert outbox.publish(session, limit=2) == 2

    assert announced(aws_world) == three_orders[:2]


def test_events_stay_in_the_outbox_while_the_queue_cannot_be_reached(
    session, aws_world, three_orders
):
    with service_at("sqs", closed_port()):
        assert outbox.publish(session, retries=0) == 0

    assert unsent(session) == 3
    assert outbox.publish(session) == 3


def test_events_stay_in_the_outbox_once_the_deadline_has_passed(session, aws_world, three_orders):
    # A two-minute run with a second left by the time it publishes.
    nearly_out_of_time = Deadline(TimeRunningOut(120_000, 1_000), margin=5)

    assert outbox.publish(session, deadline=nearly_out_of_time) == 0

    assert unsent(session) == 3
    assert announced(aws_world) == []


def test_without_an_orders_queue_configured_nothing_is_sent_and_nothing_lost(
    session, aws_world, three_orders, monkeypatch
):
    monkeypatch.delenv("ORDERS_QUEUE_URL")
    settings.cache_clear()

    assert outbox.publish(session) == 0

    assert unsent(session) == 3
