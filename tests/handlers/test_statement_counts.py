"""Each listing costs the same few SQL statements however long its page: no N+1 queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event

from shared.models import Product
from shared.services import orders
from tests import factories
from tests.apigw import Client


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL of every statement the database is sent while the block runs."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def shelf(session) -> list[Product]:
    products = [
        Product(sku=f"P-{i:02}", name=f"Product {i}", price_cents=100 + i, stock=50)
        for i in range(25)
    ]
    session.add_all(products)
    session.commit()
    return products


def _call(engine: Engine, handler, path: str, **kwargs) -> tuple[dict, list[str]]:
    api = Client(handler)
    with _statements(engine) as sent:
        reply = api.get(path, **kwargs)
    assert reply.status == 200, reply.text
    return reply.json, sent


def test_a_page_of_products_is_one_select(engine, shelf):
    from handlers.products import handler

    page, sent = _call(engine, handler, "/products", query={"limit": "20"})

    assert len(page["items"]) == 20
    assert len(sent) == 1, sent


def test_a_page_of_users_is_the_admin_lookup_and_one_select(engine, session):
    from handlers.users import handler

    admin = factories.admin(session)
    for _ in range(20):
        factories.customer(session)
    token = factories.tokens_for(session, admin)["access_token"]

    page, sent = _call(engine, handler, "/users", query={"limit": "20"}, token=token)

    assert len(page["items"]) == 20
    assert len(sent) == 2, sent


def test_a_page_of_orders_is_the_user_lookup_the_orders_and_all_their_lines(engine, session, shelf):
    from handlers.orders import handler

    customer = factories.customer(session)
    token = factories.tokens_for(session, customer)["access_token"]
    for number in range(20):
        lines = [orders.Line(product_id=shelf[number + k].id, quantity=1) for k in range(3)]
        orders.place_order(session, user_id=customer.id, lines=lines)

    page, sent = _call(engine, handler, "/orders", token=token)

    assert [len(order["items"]) for order in page["items"]] == [3] * 20
    assert len(sent) == 3, sent


def test_an_empty_page_of_orders_reads_no_lines(engine, session):
    from handlers.orders import handler

    token = factories.tokens_for(session, factories.customer(session))["access_token"]

    page, sent = _call(engine, handler, "/orders", token=token)

    assert page["items"] == []
    assert len(sent) == 2, sent


def test_who_am_i_is_one_select(engine, session):
    from handlers.auth import handler

    token = factories.tokens_for(session, factories.customer(session))["access_token"]

    _, sent = _call(engine, handler, "/auth/me", token=token)

    assert len(sent) == 1, sent
