"""Orders: placed with their event, confirmed by it, cancelled or shipped once, kept private."""

from __future__ import annotations

import pytest

from shared.errors import Conflict, NotFound
from shared.models import Order, OutboxEvent, Product
from shared.services import orders, users
from tests import factories


def fresh(session, model, id_):
    session.expire_all()
    return session.get(model, id_)


def test_an_order_is_committed_with_its_order_placed_event_waiting_to_be_sent(
    session, customer, mug
):
    placed = orders.place_order(session, user_id=customer.id, lines=[orders.Line(mug.id, 2)])

    session.rollback()
    event = session.get(OutboxEvent, placed.event_id)
    assert (event.type, event.order_id, event.sent_at) == ("order.placed", placed.order.id, None)
    assert fresh(session, Product, mug.id).stock == 48


def test_a_replayed_order_comes_back_without_a_new_event(session, customer, mug):
    def place():
        return orders.place_order(
            session,
            user_id=customer.id,
            lines=[orders.Line(mug.id, 1)],
            idempotency_key="k-1",
            request_hash="same request",
        )

    first, again = place(), place()

    assert again.order.id == first.order.id
    assert (first.event_id is not None, again.event_id) == (True, None)
    assert session.query(OutboxEvent).count() == 1


def test_confirming_a_pending_order_is_left_for_the_caller_to_commit(session, customer, mug):
    order = factories.order(session, customer, (mug, 1))

    assert orders.confirm_order(session, order.id) is True
    session.rollback()

    assert fresh(session, Order, order.id).status == "pending"


def test_an_order_cancelled_before_its_event_is_not_confirmed(session, customer, mug):
    order = factories.order(session, customer, (mug, 1))
    orders.cancel_order(session, order.id, viewer=None)

    assert orders.confirm_order(session, order.id) is False


def test_the_shop_cancelling_abandoned_orders_leaves_a_confirmed_one_and_its_stock_alone(
    session, customer, mug
):
    order = factories.order(session, customer, (mug, 3))
    orders.confirm_order(session, order.id)
    session.commit()

    with pytest.raises(Conflict, match="An order that is confirmed cannot be cancelled"):
        orders.cancel_order(session, order.id, viewer=None, from_statuses=("pending",))

    assert fresh(session, Order, order.id).status == "confirmed"
    assert fresh(session, Product, mug.id).stock == 47


def test_only_a_confirmed_order_can_be_shipped(session, customer, mug):
    order = factories.order(session, customer, (mug, 1))

    with pytest.raises(Conflict, match="this one is pending"):
        orders.ship_order(session, order.id)

    orders.confirm_order(session, order.id)
    session.commit()
    assert orders.ship_order(session, order.id).status == "shipped"


def test_an_order_that_does_not_exist_cannot_be_cancelled_or_shipped(session):
    with pytest.raises(NotFound):
        orders.cancel_order(session, 999_999, viewer=None)
    with pytest.raises(NotFound):
        orders.ship_order(session, 999_999)


def test_an_order_is_seen_by_its_customer_and_admins_and_unknown_to_anyone_else(
    session, customer, customer_token, admin_token, mug
):
    order = factories.order(session, customer, (mug, 1))
    stranger = factories.tokens_for(session, factories.customer(session))["access_token"]

    def seen_by(token: str) -> Order:
        return orders.get_order(
            session, order.id, viewer=users.authenticate(session, access_token=token)
        )

    assert seen_by(customer_token).id == seen_by(admin_token).id == order.id
    with pytest.raises(NotFound):
        seen_by(stranger)
