"""Consuming order.placed: the order is confirmed and its customer mailed once per event."""

from __future__ import annotations

import pytest
from botocore.exceptions import EndpointConnectionError

from shared import db
from shared.models import Order, OutboxEvent, ProcessedEvent
from shared.schemas.orders import OrderPlaced
from shared.services import orders
from shared.services.order_events import handle_order_placed
from tests import factories, queues
from tests.faults.hung_endpoint import closed_port, service_at

pytestmark = pytest.mark.usefixtures("aws_world")


@pytest.fixture
def order(session, customer, mug) -> Order:
    return factories.order(session, customer, (mug, 1))


@pytest.fixture
def event(session, order) -> OrderPlaced:
    """The order.placed event written with the order, as the consumer reads it."""
    return OrderPlaced.model_validate(
        session.query(OutboxEvent).filter_by(order_id=order.id).one().body
    )


def status(session, order) -> str:
    session.expire_all()
    return session.get(Order, order.id).status


def test_the_event_of_a_pending_order_confirms_it_and_mails_its_customer(
    session, customer, order, event
):
    assert handle_order_placed(session, event) == "confirmed"

    session.rollback()  # what it did is committed
    assert status(session, order) == "confirmed"
    [mail] = queues.sent_mails()
    assert mail["to"] == [customer.email]


def test_the_same_event_again_is_a_duplicate_that_changes_nothing(session, order, event):
    handle_order_placed(session, event)

    assert handle_order_placed(session, event) == "duplicate"

    assert len(queues.sent_mails()) == 1


def test_an_event_for_an_order_cancelled_meanwhile_confirms_nothing_and_mails_nobody(
    session, customer, order, event
):
    orders.cancel_order(session, order.id, viewer=None)

    assert handle_order_placed(session, event) == "not pending"
    assert handle_order_placed(session, event) == "duplicate"

    assert status(session, order) == "cancelled"
    assert queues.sent_mails() == []


def test_a_mail_that_fails_leaves_the_event_unclaimed_for_its_redelivery(session, order, event):
    # As the consumer calls it: in a session of its own, rolled back when the mail fails.
    with (
        service_at("ses", closed_port()),
        pytest.raises(EndpointConnectionError),
        db.session_scope() as own,
    ):
        handle_order_placed(own, event)

    assert status(session, order) == "pending"
    assert session.query(ProcessedEvent).count() == 0
    assert handle_order_placed(session, event) == "confirmed"
