"""Listing orders: newest first, each with its lines, a customer's own or any for an admin."""

from __future__ import annotations

import pytest

from shared.errors import InvalidInput
from shared.services import order_listing, orders, users
from tests import factories


def caller(session, user) -> users.Caller:
    token = factories.tokens_for(session, user)["access_token"]
    return users.authenticate(session, access_token=token)


def walk(session, viewer, **filters) -> list[dict]:
    """Every order the listing shows, page by page."""
    listed, cursor = [], None
    while True:
        page = order_listing.list_orders(session, viewer=viewer, limit=2, cursor=cursor, **filters)
        listed += page.items
        if not (cursor := page.next_cursor):
            return listed


def test_a_customer_sees_only_their_own_orders_newest_first(session, customer, mug):
    other = factories.customer(session, email="other@example.com")
    first = factories.order(session, customer, (mug, 1))
    factories.order(session, other, (mug, 1))
    second = factories.order(session, customer, (mug, 2))

    listed = walk(session, caller(session, customer))

    assert [o["id"] for o in listed] == [second.id, first.id]
    assert {o["user_id"] for o in listed} == {customer.id}


def test_each_listed_order_carries_its_lines_in_the_order_they_were_placed(session, customer):
    mug, cup, plate = (factories.product(session) for _ in range(3))
    placed = [
        factories.order(session, customer, (plate, 1), (mug, 2)),
        factories.order(session, customer, (cup, 3)),
        factories.order(session, customer, (mug, 1), (cup, 1), (plate, 4)),
    ]

    page = order_listing.list_orders(session, viewer=caller(session, customer), limit=3)

    lines = {o["id"]: [(i["product_id"], i["quantity"]) for i in o["items"]] for o in page.items}
    assert lines == {
        placed[0].id: [(plate.id, 1), (mug.id, 2)],
        placed[1].id: [(cup.id, 3)],
        placed[2].id: [(mug.id, 1), (cup.id, 1), (plate.id, 4)],
    }


def test_an_admin_sees_every_order_and_may_narrow_them_by_customer_and_status(
    session, customer, admin, mug
):
    other = factories.customer(session, email="other@example.com")
    theirs = factories.order(session, other, (mug, 1))
    confirmed = factories.order(session, customer, (mug, 1))
    pending = factories.order(session, customer, (mug, 1))
    orders.confirm_order(session, confirmed.id)
    session.commit()
    viewer = caller(session, admin)

    assert [o["id"] for o in walk(session, viewer)] == [pending.id, confirmed.id, theirs.id]
    assert [o["id"] for o in walk(session, viewer, user_id=customer.id)] == [
        pending.id,
        confirmed.id,
    ]
    assert [o["id"] for o in walk(session, viewer, status="confirmed")] == [confirmed.id]


def test_a_customer_cannot_see_another_s_orders_by_filtering_on_their_id(session, customer, mug):
    other = factories.customer(session, email="other@example.com")
    factories.order(session, other, (mug, 1))

    assert walk(session, caller(session, customer), user_id=other.id) == []


def test_a_cursor_from_another_listing_is_refused(session, customer, admin, mug):
    for _ in range(3):
        factories.order(session, customer, (mug, 1))
    everyone = order_listing.list_orders(session, viewer=caller(session, admin), limit=1)

    with pytest.raises(InvalidInput):
        order_listing.list_orders(
            session, viewer=caller(session, customer), limit=1, cursor=everyone.next_cursor
        )
