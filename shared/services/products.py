"""The catalogue: products created, changed, deactivated and listed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotFound
from shared.models import Product
from shared.paging import Page, SortKey, contains, fetch_page

SORT_EXPRESSIONS = {
    "name": func.lower(Product.name),
    "price_cents": Product.price_cents,
    "created_at": Product.created_at,
}


def list_products(
    session: Session,
    *,
    q: str | None = None,
    categories: list[str] | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    in_stock: bool | None = None,
    sort: str = "created_at",
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """Active products matching every given filter, one keyset page at a time."""
    statement = select(Product).where(Product.is_active.is_(True))
    if q:
        statement = statement.where(contains(Product.name, q) | contains(Product.sku, q))
    if categories:
        statement = statement.where(Product.category.in_(categories))
    if min_price is not None:
        statement = statement.where(Product.price_cents >= min_price)
    if max_price is not None:
        statement = statement.where(Product.price_cents <= max_price)
    if in_stock is not None:
        statement = statement.where(Product.stock > 0 if in_stock else Product.stock == 0)
    scope = {
        "q": q,
        "categories": sorted(categories or []),
        "min_price": min_price,
        "max_price": max_price,
        "in_stock": in_stock,
    }
    key = SortKey(
        name=sort,
        expression=SORT_EXPRESSIONS[sort.lstrip("-")],
        id_column=Product.id,
        descending=sort.startswith("-"),
    )
    return fetch_page(session, statement, sort=key, scope=scope, limit=limit, cursor=cursor)


def get_product(session: Session, product_id: int, *, include_inactive: bool = False) -> Product:
    """The product, or NotFound (also for an inactive one unless `include_inactive`)."""
    product = session.get(Product, product_id)
    if product is None or not (product.is_active or include_inactive):
        raise NotFound(f"There is no product {product_id}.")
    return product


def create_product(session: Session, *, fields: dict[str, Any]) -> Product:
    _refuse_taken_skus(session, {"sku": fields["sku"]})
    product = Product(**fields)
    session.add(product)
    _commit_or_conflict(session, {"sku": fields["sku"]})
    return product


def create_products(session: Session, *, items: list[dict[str, Any]]) -> list[Product]:
    """Create every item or none: a SKU taken (in the batch or already) is a Conflict."""
    skus = {f"items[{i}].sku": item["sku"] for i, item in enumerate(items)}
    _refuse_taken_skus(session, skus)
    products = [Product(**item) for item in items]
    session.add_all(products)
    _commit_or_conflict(session, skus)
    return products


def update_product(session: Session, product_id: int, *, changes: dict[str, Any]) -> Product:
    """Apply the fields given; a new SKU must be free."""
    product = get_product(session, product_id, include_inactive=True)
    if "sku" in changes and changes["sku"] != product.sku:
        _refuse_taken_skus(session, {"sku": changes["sku"]})
    for field, value in changes.items():
        setattr(product, field, value)
    _commit_or_conflict(session, {"sku": product.sku})
    return product


def deactivate_product(session: Session, product_id: int) -> None:
    """Soft delete: the product leaves the catalogue, orders keep their lines."""
    product = get_product(session, product_id, include_inactive=True)
    product.is_active = False
    session.commit()


def _refuse_taken_skus(session: Session, skus: dict[str, str]) -> None:
    """Conflict naming each field whose SKU repeats an earlier one or is already stored."""
    stored = set(session.scalars(select(Product.sku).where(Product.sku.in_(set(skus.values())))))
    seen: set[str] = set()
    taken = {}
    for field, sku in skus.items():
        if sku in stored or sku in seen:
            taken[field] = sku
        seen.add(sku)
    if taken:
        raise _sku_conflict(taken)


def _commit_or_conflict(session: Session, skus: dict[str, str]) -> None:
    # The unique index has the last word when two requests race for one SKU.
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _sku_conflict(skus) from None


def _sku_conflict(taken: dict[str, str]) -> Conflict:
    names = ", ".join(sorted(set(taken.values())))
    return Conflict(
        f"These SKUs are already taken or repeated: {names}.",
        errors=[{"field": f, "message": f"SKU {sku} is already taken"} for f, sku in taken.items()],
    )
