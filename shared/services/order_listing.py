"""Listing orders: newest first, a page at a time, each with its lines, in two statements."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from shared.models import Order, OrderLine
from shared.paging import Listing, Page, SortKey
from shared.statuses import OrderStatus

if TYPE_CHECKING:
    from shared.services.users import Caller

_orders = Order.__table__
_lines = OrderLine.__table__
NEWEST_FIRST = SortKey(
    name="-created_at", expression=_orders.c.created_at, id_column=_orders.c.id, descending=True
)
# What a listing shows of an order and of its lines: the columns of OrderOut, OrderLineOut.
_LISTED = [
    _orders.c[name]
    for name in ("id", "user_id", "status", "total_cents", "created_at", "updated_at")
]
# order_id first: _attach_lines files each line under its order by it.
_LINE_COLUMNS = [
    _lines.c[name]
    for name in (
        "order_id",
        "product_id",
        "sku",
        "name",
        "unit_price_cents",
        "quantity",
        "line_total_cents",
    )
]


def list_orders(
    session: Session,
    *,
    viewer: Caller,
    status: OrderStatus | None = None,
    user_id: int | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """Newest first: a customer's own orders, or any orders for an admin; reads only.

    Each item is a dict of OrderOut's fields, its lines under "items" (in the order placed).
    """
    own = viewer.role != "admin"
    params = {"viewer_id": viewer.id if own else None, "user_id": user_id, "status": status}
    scope = {"viewer": viewer.id, "status": status, "user_id": user_id}
    page = _listing(own=own, user_id=user_id is not None, status=status is not None).fetch(
        session,
        params=params,
        scope=scope,
        limit=limit,
        cursor=cursor,
    )
    _attach_lines(session, page.items)
    return page


@cache
def _listing(*, own: bool, user_id: bool, status: bool) -> Listing:
    """The listing of one combination of filters (which are given, not their values)."""
    statement = select(*_LISTED)
    if own:
        statement = statement.where(_orders.c.user_id == bindparam("viewer_id"))
    if user_id:
        statement = statement.where(_orders.c.user_id == bindparam("user_id"))
    if status:
        statement = statement.where(_orders.c.status == bindparam("status"))
    return Listing(statement, NEWEST_FIRST)


def _attach_lines(session: Session, orders: list[dict]) -> None:
    """Each order's lines under "items", as dicts of OrderLineOut's fields, in one statement."""
    if not orders:
        return
    lines_of = {}
    for order in orders:
        order["items"] = lines_of[order["id"]] = []
    ids = list(lines_of)
    size = _padded_size(len(ids))
    ids += ids[-1:] * (size - len(ids))
    result = session.execute(_lines_of_orders(size), dict(zip(_ORDER_ID_NAMES, ids, strict=False)))
    names = list(result.keys())
    for line in result.all():
        lines_of[line[0]].append(dict(zip(names, line, strict=True)))


# Lines are read for a page of orders, at most 100: the ids go into an IN list padded to
# a power of two, so that eight statements, each compiled and prepared once, serve every
# page size. An expanding IN would render and prepare a new SQL text on every request.
_ORDER_ID_NAMES = [f"order_{n}" for n in range(128)]


def _padded_size(count: int) -> int:
    return 1 << (count - 1).bit_length()


@cache
def _lines_of_orders(count: int):
    ids = [bindparam(name) for name in _ORDER_ID_NAMES[:count]]
    return select(*_LINE_COLUMNS).where(_lines.c.order_id.in_(ids)).order_by(_lines.c.id)
