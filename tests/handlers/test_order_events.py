"""The order_events function: each order.placed event confirms its order and mails once."""

from __future__ import annotations

import json
from typing import NamedTuple

import pytest

from tests import queues
from tests.faults.hung_endpoint import closed_port, service_at

# The events come from orders placed through the orders function, onto moto's queue.
FUNCTION = "orders"  # the handler behind the `api` fixture (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("aws_world")


class Placed(NamedTuple):
    order: dict
    event: str  # the body of its order.placed message, as the queue delivers it


@pytest.fixture
def placed(api, customer_token, mug, aws_world) -> Placed:
    """The customer's order of one mug, and its order.placed event taken off the queue."""
    order = api.post(
        "/orders", {"items": [{"product_id": mug.id, "quantity": 1}]}, token=customer_token
    ).json
    [event] = queues.receive_all(aws_world.sqs, aws_world.queue_url)
    return Placed(order, event)


def test_the_event_confirms_the_order_and_mails_the_customer_once(
    api, customer_token, customer, placed
):
    order, body = placed

    assert queues.deliver([body]) == {"batchItemFailures": []}
    assert queues.deliver([body]) == {"batchItemFailures": []}

    assert api.get(f"/orders/{order['id']}", token=customer_token).json["status"] == "confirmed"
    mails = queues.sent_mails()
    assert len(mails) == 1
    assert mails[0]["to"] == [customer.email] and str(order["id"]) in mails[0]["subject"]


def test_a_poison_message_fails_alone_and_the_rest_of_the_batch_succeeds(
    api, customer_token, placed
):
    order, good = placed

    answer = queues.deliver(["not json", good, json.dumps({"type": "order.placed"})])

    assert answer == {
        "batchItemFailures": [{"itemIdentifier": "message-0"}, {"itemIdentifier": "message-2"}]
    }
    assert api.get(f"/orders/{order['id']}", token=customer_token).json["status"] == "confirmed"


def test_a_late_event_for_a_cancelled_order_changes_nothing(api, customer_token, placed):
    order, body = placed
    api.post(f"/orders/{order['id']}/cancel", token=customer_token)

    assert queues.deliver([body]) == {"batchItemFailures": []}

    assert api.get(f"/orders/{order['id']}", token=customer_token).json["status"] == "cancelled"
    assert queues.sent_mails() == []


def test_a_mail_failure_fails_the_record_and_the_retry_mails_once(api, customer_token, placed):
    order, body = placed

    with service_at("ses", closed_port()):
        failed = queues.deliver([body])

    assert failed == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert api.get(f"/orders/{order['id']}", token=customer_token).json["status"] == "pending"

    assert queues.deliver([body]) == {"batchItemFailures": []}
    assert queues.deliver([body]) == {"batchItemFailures": []}
    assert api.get(f"/orders/{order['id']}", token=customer_token).json["status"] == "confirmed"
    assert len(queues.sent_mails()) == 1
