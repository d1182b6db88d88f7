"""Orders under real parallel clients on PostgreSQL: stock is never oversold."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update

from shared import db
from shared.models import Order, OutboxEvent, Product
from shared.models.base import utcnow
from tests import factories, queues
from tests.apigw import Client, Reply, client_of
from tests.concurrency import at_once


@pytest.fixture
def api(postgres, aws_world) -> Client:
    """On PostgreSQL alone: these races need real row locks."""
    return client_of("orders")


def customers_with_tokens(count: int) -> list[str]:
    with db.session_scope() as session:
        return [
            factories.tokens_for(session, factories.customer(session))["access_token"]
            for _ in range(count)
        ]


def make_product(stock: int, sku: str = "HOT") -> int:
    with db.session_scope() as session:
        product = Product(sku=sku, name=sku.title(), price_cents=1000, stock=stock)
        session.add(product)
        session.commit()
        return product.id


def stock_of(product_id: int) -> int:
    with db.session_scope() as session:
        return session.get(Product, product_id).stock


def test_twenty_buyers_racing_for_ten_units_buy_exactly_ten(api):
    product_id = make_product(stock=10)
    tokens = customers_with_tokens(20)

    replies = at_once(
        20,
        lambda i: api.post(
            "/orders", {"items": [{"product_id": product_id, "quantity": 1}]}, token=tokens[i]
        ),
    )

    assert Counter(r.status for r in replies) == {201: 10, 409: 10}
    assert stock_of(product_id) == 0
    with db.session_scope() as session:
        assert session.query(Order).count() == 10


def test_buyers_of_several_products_in_opposite_orders_never_deadlock(api):
    first, second = make_product(stock=30, sku="A"), make_product(stock=30, sku="B")
    tokens = customers_with_tokens(12)

    def buy(i: int) -> Reply:
        lines = [{"product_id": first, "quantity": 2}, {"product_id": second, "quantity": 2}]
        return api.post("/orders", {"items": lines if i % 2 else lines[::-1]}, token=tokens[i])

    replies = at_once(12, buy)

    assert Counter(r.status for r in replies) == {201: 12}
    assert (stock_of(first), stock_of(second)) == (6, 6)


def test_ten_concurrent_replays_of_one_idempotency_key_make_one_order(api):
    product_id = make_product(stock=100)
    [token] = customers_with_tokens(1)
    body = {"items": [{"product_id": product_id, "quantity": 3}]}

    replies = at_once(
        10,
        lambda i: api.post("/orders", body, token=token, headers={"Idempotency-Key": "same-key"}),
    )

    assert {r.status for r in replies} == {201}
    assert len({r.json["id"] for r in replies}) == 1
    assert stock_of(product_id) == 97
    with db.session_scope() as session:
        assert session.query(OutboxEvent).count() == 1


def test_concurrent_cancels_release_the_stock_once(api):
    product_id = make_product(stock=10)
    [token] = customers_with_tokens(1)
    order = api.post(
        "/orders", {"items": [{"product_id": product_id, "quantity": 4}]}, token=token
    ).json

    replies = at_once(8, lambda i: api.post(f"/orders/{order['id']}/cancel", token=token))

    assert Counter(r.status for r in replies) == {200: 1, 409: 7}
    assert stock_of(product_id) == 10


def test_housekeeping_racing_the_consumer_leaves_each_order_in_one_state(
    api, aws_world, monkeypatch
):
    from handlers.housekeeping import handler as housekeeping
    from shared.config import settings

    product_id = make_product(stock=100)
    tokens = customers_with_tokens(10)
    orders = [
        api.post(
            "/orders", {"items": [{"product_id": product_id, "quantity": 1}]}, token=token
        ).json
        for token in tokens
    ]
    bodies = queues.receive_all(aws_world.sqs, aws_world.queue_url)
    # Every pending order is now "abandoned", so housekeeping tries to cancel all of them
    # while the consumer tries to confirm all of them.
    monkeypatch.setenv("PENDING_ORDER_TTL", "1")
    settings.cache_clear()
    with db.session_scope() as session:
        session.execute(update(Order).values(created_at=utcnow() - timedelta(hours=1)))
        session.commit()

    at_once(2, lambda i: queues.deliver(bodies) if i == 0 else housekeeping({}, None))

    with db.session_scope() as session:
        states = {o.id: o.status for o in session.query(Order)}
    assert set(states) == {o["id"] for o in orders}
    assert set(states.values()) <= {"confirmed", "cancelled"}
    cancelled = sum(1 for s in states.values() if s == "cancelled")
    assert stock_of(product_id) == 90 + cancelled
    assert len(queues.sent_mails()) == 10 - cancelled


def test_concurrent_housekeeping_runs_send_each_unsent_event_exactly_once(api, aws_world):
    from handlers.housekeeping import handler as housekeeping
    from tests.faults.hung_endpoint import closed_port, service_at

    product_id = make_product(stock=100)
    [token] = customers_with_tokens(1)
    with service_at("sqs", closed_port()):
        for _ in range(30):
            api.post("/orders", {"items": [{"product_id": product_id, "quantity": 1}]}, token=token)

    at_once(4, lambda i: housekeeping({}, None))

    bodies = queues.receive_all(aws_world.sqs, aws_world.queue_url)
    event_ids = [json.loads(body)["event_id"] for body in bodies]
    assert len(event_ids) == len(set(event_ids)) == 30
