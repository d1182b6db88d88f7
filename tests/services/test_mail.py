"""E-mails to customers: what an order confirmation says, and how it leaves through SES."""

from __future__ import annotations

import pytest
from botocore.exceptions import EndpointConnectionError

from shared.config import settings
from shared.models import Order, User
from shared.services import mail
from tests import factories, queues
from tests.faults.hung_endpoint import closed_port, service_at


@pytest.fixture
def ada(session) -> User:
    return factories.customer(session, email="ada@bücher.example", name="Ada")


@pytest.fixture
def order(session, ada) -> Order:
    """Ada's order of 2 mugs at 12.50 and a 5-cent sticker."""
    mug = factories.product(session, sku="MUG", name="Mug", price_cents=1250)
    sticker = factories.product(session, sku="STK", name="Sticker", price_cents=5)
    return factories.order(session, ada, (mug, 2), (sticker, 1))


@pytest.fixture
def confirmation(order, ada) -> dict:
    return mail.order_confirmation(order, ada)


def test_a_confirmation_lists_each_line_and_the_total_with_two_digits_of_cents(confirmation):
    text = confirmation["Message"]["Body"]["Text"]["Data"]

    assert text.startswith("Hello Ada,")
    assert "  2 x Mug (MUG): 25.00\n  1 x Sticker (STK): 0.05\n" in text
    assert "Total: 25.05" in text


def test_a_confirmation_names_its_order_and_comes_from_the_shop(order, confirmation):
    assert confirmation["Message"]["Subject"]["Data"] == f"Your order {order.id} is confirmed"
    assert f"your order {order.id} is confirmed" in confirmation["Message"]["Body"]["Text"]["Data"]
    assert confirmation["Source"] == settings().mail_from


def test_a_confirmation_goes_to_the_ascii_form_of_an_internationalized_domain(confirmation):
    assert confirmation["Destination"] == {"ToAddresses": ["ada@xn--bcher-kva.example"]}


def test_sending_hands_the_mail_to_ses_and_returns_its_message_id(aws_world, confirmation):
    message_id = mail.send(confirmation)

    [sent] = queues.sent_mails()
    assert message_id
    assert sent["to"] == ["ada@xn--bcher-kva.example"]
    assert sent["subject"] == confirmation["Message"]["Subject"]["Data"]


def test_a_mail_ses_cannot_take_fails_the_caller_and_is_not_sent(aws_world, confirmation):
    with service_at("ses", closed_port()), pytest.raises(EndpointConnectionError):
        mail.send(confirmation)

    assert queues.sent_mails() == []
