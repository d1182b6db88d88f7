"""Stock: taken for every line of an order or for none, and given back without overflowing."""

from __future__ import annotations

import pytest

from shared.errors import Conflict
from shared.limits import MAX_INTEGER
from shared.models import Product
from shared.services import stock
from shared.services.orders import Line
from tests import factories


def stock_of(session, *products: Product) -> list[int]:
    session.expire_all()
    return [session.get(Product, p.id).stock for p in products]


def test_every_line_s_quantity_is_taken_from_its_product(session):
    mug, cup = factories.product(session, stock=5), factories.product(session, stock=3)

    stock.reserve_stock(session, [Line(cup.id, 3), Line(mug.id, 2)])
    session.commit()

    assert stock_of(session, mug, cup) == [3, 0]


def test_one_short_line_takes_nothing_and_names_every_short_product(session):
    mug = factories.product(session, stock=5)
    cup = factories.product(session, stock=1)
    plate = factories.product(session, stock=0)
    lines = [Line(mug.id, 2), Line(cup.id, 2), Line(plate.id, 1)]

    with pytest.raises(Conflict) as refused:
        stock.reserve_stock(session, lines)

    assert stock_of(session, mug, cup, plate) == [5, 1, 0]
    assert [e["field"] for e in refused.value.errors] == ["items[1].quantity", "items[2].quantity"]
    assert f"products {cup.id}, {plate.id}" in refused.value.detail


def test_a_product_taken_out_of_the_catalogue_gives_no_stock(session):
    mug = factories.product(session, stock=5)
    mug.is_active = False
    session.commit()

    with pytest.raises(Conflict, match=f"product {mug.id}"):
        stock.reserve_stock(session, [Line(mug.id, 1)])

    assert stock_of(session, mug) == [5]


def test_stock_given_back_is_added_to_what_is_there(session):
    mug = factories.product(session, stock=5)

    stock.release_stock(session, mug.id, 3)
    session.commit()

    assert stock_of(session, mug) == [8]


def test_stock_given_back_stops_at_the_largest_stock_a_product_can_hold(session):
    near = factories.product(session, stock=MAX_INTEGER - 2)
    full = factories.product(session, stock=MAX_INTEGER)

    stock.release_stock(session, near.id, 10)
    stock.release_stock(session, full.id, 1)
    session.commit()

    assert stock_of(session, near, full) == [MAX_INTEGER, MAX_INTEGER]


def test_an_order_s_stock_comes_back_for_every_one_of_its_lines(session, customer):
    mug, cup = factories.product(session, stock=5), factories.product(session, stock=3)
    order = factories.order(session, customer, (cup, 3), (mug, 2))

    stock.release_order_stock(session, order.id)
    session.commit()

    assert stock_of(session, mug, cup) == [5, 3]
