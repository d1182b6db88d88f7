"""Orders: placing them (stock reserved all or nothing), reading, cancelling, shipping.

Correctness under concurrency comes from the database: stock is taken and given back by
conditional UPDATEs (`shared.services.stock`), and every status change is a conditional
UPDATE on the statuses it may leave. Listing orders is `shared.services.order_listing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Row, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import Conflict, InvalidInput, NotFound
from shared.models import Order, OrderLine, Product
from shared.models.base import utcnow
from shared.services import outbox, stock
from shared.services.transactions import with_retries
from shared.statuses import OrderStatus

if TYPE_CHECKING:
    from shared.services.users import Caller

CANCELLABLE: tuple[OrderStatus, ...] = ("pending", "confirmed")


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
    event_id = outbox.add_order_placed(session, order)
    # Stock is taken last, just before COMMIT, so a popular product's row stays locked
    # for as short a time as possible.
    stock.reserve_stock(session, lines)
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
            stock.release_order_stock(session, order_id)
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
    # Read from the database: the conditional UPDATE that refused bypassed the session, so
    # an order the session already holds may carry the status it had before.
    order = session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise NotFound(f"There is no order {order_id}.")
    raise Conflict(conflict.format(status=order.status))


def _fresh(session: Session, order_id: int) -> Order:
    session.expire_all()
    return session.get(Order, order_id)
