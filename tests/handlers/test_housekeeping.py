"""The housekeeping function: every five minutes, the chores that keep the shop tidy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from shared.models import Order, OutboxEvent, Product, RefreshToken
from shared.models.base import utcnow
from tests import factories, queues
from tests.faults.hung_endpoint import closed_port, service_at

# The orders it looks after are placed through the orders function, announced on moto's queue.
FUNCTION = "orders"  # the handler behind the `api` fixture (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("aws_world")


def housekeeping() -> dict:
    from handlers.housekeeping import handler

    return handler({}, None)


def test_the_next_housekeeping_run_sends_what_the_queue_missed_exactly_once(
    api, customer_token, mug, aws_world, session
):
    with service_at("sqs", closed_port()):
        orders = [
            api.post(
                "/orders", {"items": [{"product_id": mug.id, "quantity": 1}]}, token=customer_token
            ).json
            for _ in range(3)
        ]
    # An old unsent event goes out too, whatever its age.
    session.execute(update(OutboxEvent).values(created_at=utcnow() - timedelta(days=30)))
    session.commit()

    first, second = housekeeping(), housekeeping()

    assert first["resend_unsent_events"] == 3 and second["resend_unsent_events"] == 0
    bodies = queues.receive_all(aws_world.sqs, aws_world.queue_url)
    assert sorted(json.loads(b)["order_id"] for b in bodies) == sorted(o["id"] for o in orders)


def test_housekeeping_cancels_abandoned_pending_orders_and_releases_stock(
    api, customer_token, mug, aws_world, session
):
    stale = api.post(
        "/orders", {"items": [{"product_id": mug.id, "quantity": 5}]}, token=customer_token
    ).json
    fresh = api.post(
        "/orders", {"items": [{"product_id": mug.id, "quantity": 5}]}, token=customer_token
    ).json
    session.execute(
        update(Order)
        .where(Order.id == stale["id"])
        .values(created_at=utcnow() - timedelta(minutes=31))
    )
    session.commit()

    assert housekeeping()["cancel_abandoned_orders"] == 1

    session.expire_all()
    assert session.get(Order, stale["id"]).status == "cancelled"
    assert session.get(Order, fresh["id"]).status == "pending"
    assert session.get(Product, mug.id).stock == 45


def test_housekeeping_leaves_old_confirmed_orders_alone(
    api, customer_token, mug, aws_world, session
):
    order = api.post(
        "/orders", {"items": [{"product_id": mug.id, "quantity": 1}]}, token=customer_token
    ).json
    queues.deliver(queues.receive_all(aws_world.sqs, aws_world.queue_url))
    session.execute(update(Order).values(created_at=utcnow() - timedelta(days=1)))
    session.commit()

    assert housekeeping()["cancel_abandoned_orders"] == 0
    session.expire_all()
    assert session.get(Order, order["id"]).status == "confirmed"


def test_housekeeping_deletes_expired_refresh_tokens_only(engine, aws_world, session):
    user = factories.customer(session)
    factories.tokens_for(session, user)
    factories.tokens_for(session, user)
    oldest = session.query(RefreshToken).first()
    oldest.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    assert housekeeping()["delete_expired_refresh_tokens"] == 1
    assert session.query(RefreshToken).count() == 1


def test_the_scheduled_housekeeping_run_includes_the_rate_limit_chore(engine, aws_world):
    from handlers.housekeeping import handler

    assert handler({}, None)["delete_ended_rate_limit_windows"] == 0
