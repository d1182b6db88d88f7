"""Shop data for tests, made through the services the handlers use."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.models import Order, Product, ProductImport, User
from shared.models.base import utcnow
from shared.services import admins, auth, imports, orders, products
from shared.statuses import ImportStatus

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def customer(session: Session, *, email: str | None = None, name: str = "Ada Customer") -> User:
    email = email or f"customer{next(_numbers)}@example.com"
    return auth.register(session, email=email, password=PASSWORD, name=name)


def admin(session: Session, *, email: str | None = None) -> User:
    email = email or f"admin{next(_numbers)}@example.com"
    admins.create_admin(session, email=email, password=PASSWORD, name="Grace Admin")
    return session.query(User).filter_by(email=email).one()


def tokens_for(session: Session, user: User) -> dict:
    return auth.login(session, email=user.email, password=PASSWORD)


def product(
    session: Session,
    *,
    sku: str | None = None,
    name: str = "Mug",
    price_cents: int = 1250,
    stock: int = 50,
) -> Product:
    sku = sku or f"SKU-{next(_numbers)}"
    fields = {"sku": sku, "name": name, "price_cents": price_cents, "stock": stock}
    return products.create_product(session, fields=fields)


def order(session: Session, user: User, *lines: tuple[Product, int]) -> Order:
    """The user's order of (product, quantity) lines, committed with its order.placed event."""
    placed = orders.place_order(
        session, user_id=user.id, lines=[orders.Line(p.id, quantity) for p, quantity in lines]
    )
    return placed.order


def product_import(
    session: Session, *, status: ImportStatus = "waiting", changed_ago: timedelta = timedelta(0)
) -> ProductImport:
    """A started import, no file uploaded to it, in `status` since `changed_ago`."""
    import_id = imports.start_import(session, created_by=admin(session).id)["import_id"]
    session.execute(
        update(ProductImport)
        .where(ProductImport.id == import_id)
        .values(status=status, updated_at=utcnow() - changed_ago)
    )
    session.commit()
    return session.get(ProductImport, import_id, populate_existing=True)
