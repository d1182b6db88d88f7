"""Orders: placing them (stock reserved all or nothing), reading, cancelling, shipping.

Correctness under concurrency comes from the database: stock is taken with one conditional
UPDATE per product, in product-id order so concurrent orders never deadlock each other,
and every status change is a conditional UPDATE on the statuses it may leave.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Row, bindparam, case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import Conflict, InvalidInput, NotFound
from shared.models import Order, OrderLine, OutboxEvent, Product
from shared.models.base import utcnow
from shared.paging import Listing, Page, SortKey
from shared.services.transactions import with_retries
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
CANCELLABLE: tuple[OrderStatus, ...] = ("pending", "confirmed")
# Stock is a 32-bit INTEGER column; the contract caps it there.
STOCK_MAX = 2_147_483_647


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    # The outbox event written with a newly placed order; None for a replay.
    event_id: str | None


@dataclass(frozen=True)
class Line:
    product_id: int
    quantity: int


def place_order(
    session: Session,
    *,
    user_id: int,
    lines: list[Line],
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> PlacedOrder:
    """Reserve stock for every line or none, and record the order with its order.placed event.

    Commits the order, its event and the stock taken together. With an Idempotency-Key,
    the same key and body return the first order again; the same key with another body is
    a Conflict.
    """
    if idempotency_key and (earlier := _replay(session, user_id, idempotency_key, request_hash)):
        return earlier
    try:
        return with_retries(
            session,
            lambda: _place(session, user_id, lines, idempotency_key, request_hash),
        )
    except IntegrityError:
        # A concurrent request with the same key won the unique index: answer with its order.
        session.rollback()
        if idempotency_key and (
            earlier := _replay(session, user_id, idempotency_key, request_hash)
        ):
            return earlier
        raise


def _replay(
    session: Session, user_id: int, key: str, request_hash: str | None
) -> PlacedOrder | None:
    order = session.scalar(
        select(Order).where(Order.user_id == user_id, Order.idempotency_key == key)
    )
    if order is None:
        return None
    if order.request_hash != request_hash:
        raise Conflict("This Idempotency-Key was used for a different order.")
    return PlacedOrder(order, event_id=None)


def _place(
    session: Session,
    user_id: int,
    lines: list[Line],
    idempotency_key: str | None,
    request_hash: str | None,
) -> PlacedOrder:
    products = _active_products(session, lines)
    order = _new_order(
        session,
        user_id=user_id,
        lines=lines,
        products=products,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )
    event_id = _add_order_placed(session, order)
    # Stock is taken last, just before COMMIT, so a popular product's row stays locked
    # for as short a time as possible.
    _reserve_stock(session, lines)
    session.commit()
    return PlacedOrder(order, event_id=event_id)


def _active_products(session: Session, lines: list[Line]) -> dict[int, Row]:
    """The sku, name and price of each line's product; InvalidInput if one is not sold."""
    products = {
        row.id: row
        for row in session.execute(
            select(Product.id, Product.sku, Product.name, Product.price_cents).where(
                Product.id.in_([line.product_id for line in lines]), Product.is_active.is_(True)
            )
        )
    }
    unknown = [(i, line) for i, line in enumerate(lines) if line.product_id not in products]
    if unknown:
        raise InvalidInput(
            "Some products are unknown or no longer sold.",
            errors=[
                {"field": f"items[{i}].product_id", "message": f"no product {line.product_id}"}
                for i, line in unknown
            ],
        )
    return products


def _new_order(
    session: Session,
    *,
    user_id: int,
    lines: list[Line],
    products: dict[int, Row],
    idempotency_key: str | None,
    request_hash: str | None,
) -> Order:
    """A pending order with today's prices copied into its lines, flushed for its id."""
    items = []
    for line in lines:
        product = products[line.product_id]
        items.append(
            OrderLine(
                product_id=line.product_id,
                sku=product.sku,
                name=product.name,
                unit_price_cents=product.price_cents,
                quantity=line.quantity,
                line_total_cents=product.price_cents * line.quantity,
            )
        )
    order = Order(
        user_id=user_id,
        status="pending",
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        items=items,
        total_cents=sum(item.line_total_cents for item in items),
    )
    session.add(order)
    session.flush()
    return order


def _add_order_placed(session: Session, order: Order) -> str:
    """Write the order.placed event to the outbox, in the order's transaction; its id."""
    # pydantic only here: housekeeping cancels orders and never loads it at cold start.
    from shared.schemas.base import utc_text
    from shared.schemas.orders import OrderPlaced

    message = OrderPlaced(
        type="order.placed",
        event_id=str(uuid.uuid4()),
        order_id=order.id,
        occurred_at=utc_text(order.created_at),
    )
    session.add(
        OutboxEvent(
            id=message.event_id, type=message.type, order_id=order.id, body=message.model_dump()
        )
    )
    session.flush()
    return message.event_id


def _reserve_stock(session: Session, lines: list[Line]) -> None:
    """Take every line's quantity from stock, or roll back and raise Conflict naming the short.

    Products are taken in id order, so that concurrent orders never deadlock each other.
    """
    short = [
        line.product_id
        for line in sorted(lines, key=lambda line: line.product_id)
        if not _take_stock(session, line)
    ]
    if short:
        session.rollback()
        raise Conflict(
            f"Not enough stock for product{'s' if len(short) > 1 else ''} "
            f"{', '.join(map(str, short))}.",
            errors=[
                {
                    "field": f"items[{i}].quantity",
                    "message": f"not enough stock of product {line.product_id}",
                }
                for i, line in enumerate(lines)
                if line.product_id in short
            ],
        )


def _take_stock(session: Session, line: Line) -> bool:
    """Take `line.quantity` from the product's stock if, and only if, that much is there."""
    taken = session.execute(
        update(Product)
        .where(
            Product.id == line.product_id,
            Product.is_active.is_(True),
            Product.stock >= line.quantity,
        )
        .values(stock=Product.stock - line.quantity, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(taken)


def _release_stock(session: Session, product_id: int, quantity: int) -> None:
    """Give `quantity` back to the product's stock, capped at the largest stock there is.

    An admin may have set the stock near the cap while the order was open; the sum would
    then overflow the INTEGER column (a 500 on PostgreSQL), so it stops at STOCK_MAX.
    """
    session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(
            stock=case(
                (Product.stock > STOCK_MAX - quantity, STOCK_MAX),
                else_=Product.stock + quantity,
            ),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


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


def get_order(session: Session, order_id: int, *, viewer: Caller) -> Order:
    """The order, if `viewer` owns it or is an admin; anyone else learns nothing (NotFound).

    Reads only.
    """
    order = session.get(Order, order_id)
    if order is None or (viewer.role != "admin" and order.user_id != viewer.id):
        raise NotFound(f"There is no order {order_id}.")
    return order


def cancel_order(
    session: Session,
    order_id: int,
    *,
    viewer: Caller | None,
    from_statuses: tuple[OrderStatus, ...] = CANCELLABLE,
) -> Order:
    """Cancel an order in one of `from_statuses` and release its stock, exactly once.

    Commits. `viewer` None is the shop itself (housekeeping); otherwise owner or admin only.
    """
    if viewer is not None:
        get_order(session, order_id, viewer=viewer)
        session.rollback()

    def cancel() -> bool:
        cancelled = _transition(session, order_id, from_statuses=from_statuses, to="cancelled")
        if cancelled:
            # Only the transaction that made the transition gives the stock back.
            lines = session.execute(
                select(OrderLine.product_id, OrderLine.quantity)
                .where(OrderLine.order_id == order_id)
                .order_by(OrderLine.product_id)
            ).all()
            for product_id, quantity in lines:
                _release_stock(session, product_id, quantity)
        session.commit()
        return bool(cancelled)

    if not with_retries(session, cancel):
        _refuse(session, order_id, "An order that is {status} cannot be cancelled.")
    return _fresh(session, order_id)


def ship_order(session: Session, order_id: int) -> Order:
    """Mark a confirmed order shipped, and commit; any other status is a Conflict."""
    shipped = _transition(session, order_id, from_statuses=("confirmed",), to="shipped")
    session.commit()
    if not shipped:
        _refuse(session, order_id, "Only a confirmed order can be shipped; this one is {status}.")
    return _fresh(session, order_id)


def confirm_order(session: Session, order_id: int) -> bool:
    """pending -> confirmed; False when the order is already past pending (e.g. cancelled).

    Does not commit: the consumer commits it with the event's claim and the e-mail sent.
    """
    return _transition(session, order_id, from_statuses=("pending",), to="confirmed")


def _transition(
    session: Session, order_id: int, *, from_statuses: tuple[OrderStatus, ...], to: OrderStatus
) -> bool:
    """Move the order to `to` if, and only if, it is in one of `from_statuses` now."""
    moved = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status.in_(from_statuses))
        .values(status=to, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(moved)


def _refuse(session: Session, order_id: int, conflict: str) -> None:
    """NotFound for a missing order, else Conflict with `conflict` naming its status."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"There is no order {order_id}.")
    raise Conflict(conflict.format(status=order.status))


def _fresh(session: Session, order_id: int) -> Order:
    session.expire_all()
    return session.get(Order, order_id)
