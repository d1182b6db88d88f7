"""Stock: taken for an order all or nothing, given back when it is cancelled.

Correctness under concurrency comes from the database: each product's stock is taken by
one conditional UPDATE, only if that much is there, and products are taken in id order so
that concurrent orders never deadlock each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from shared.errors import Conflict
from shared.limits import MAX_INTEGER
from shared.models import OrderLine, Product
from shared.models.base import utcnow

if TYPE_CHECKING:
    from shared.services.orders import Line


def reserve_stock(session: Session, lines: list[Line]) -> None:
    """Take every line's quantity from stock, or roll back and raise Conflict naming the short.

    Products are taken in id order, so that concurrent orders never deadlock each other.
    Does not commit: the stock is taken in the order's transaction.
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


def release_stock(session: Session, product_id: int, quantity: int) -> None:
    """Give `quantity` back to the product's stock, capped at the largest stock there is.

    An admin may have set the stock near the cap while the order was open; the sum would
    then overflow the INTEGER column (a 500 on PostgreSQL), so it stops at MAX_INTEGER.
    Does not commit: the stock comes back in the cancellation's transaction.
    """
    session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(
            stock=case(
                (Product.stock > MAX_INTEGER - quantity, MAX_INTEGER),
                else_=Product.stock + quantity,
            ),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def release_order_stock(session: Session, order_id: int) -> None:
    """Give back the stock of every line of the order, in product-id order.

    Does not commit: the stock comes back in the cancellation's transaction.
    """
    lines = session.execute(
        select(OrderLine.product_id, OrderLine.quantity)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.product_id)
    ).all()
    for product_id, quantity in lines:
        release_stock(session, product_id, quantity)
