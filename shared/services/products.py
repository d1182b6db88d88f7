"""The catalogue: products created, changed, deactivated and listed."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotFound
from shared.models import Product
from shared.models.base import UTCDateTime, utcnow
from shared.paging import Listing, Page, SortKey, contains, substring_pattern

_products = Product.__table__
# What a listing shows of a product: the columns of ProductOut.
_LISTED = [
    _products.c[name]
    for name in (
        "id",
        "sku",
        "name",
        "description",
        "category",
        "price_cents",
        "stock",
        "is_active",
        "created_at",
        "updated_at",
    )
]
SORT_EXPRESSIONS = {
    "name": func.lower(_products.c.name),
    "price_cents": _products.c.price_cents,
    "created_at": _products.c.created_at,
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
    """Active products matching every given filter, one keyset page at a time; reads only.

    Each item is a dict of ProductOut's fields.
    """
    params = {
        "q": substring_pattern(q) if q else None,
        "categories": categories or None,
        "min_price": min_price,
        "max_price": max_price,
    }
    listing = _listing(sort, *(value is not None for value in params.values()), in_stock=in_stock)
    scope = {
        "q": q,
        "categories": sorted(categories or []),
        "min_price": min_price,
        "max_price": max_price,
        "in_stock": in_stock,
    }
    return listing.fetch(session, params=params, scope=scope, limit=limit, cursor=cursor)


@cache
def _listing(
    sort: str,
    q: bool,
    categories: bool,
    min_price: bool,
    max_price: bool,
    *,
    in_stock: bool | None,
) -> Listing:
    """The listing of one combination of filters (which are given, not their values)."""
    statement = select(*_LISTED).where(_products.c.is_active.is_(True))
    if q:
        pattern = bindparam("q")
        statement = statement.where(
            contains(_products.c.name, pattern) | contains(_products.c.sku, pattern)
        )
    if categories:
        statement = statement.where(
            _products.c.category.in_(bindparam("categories", expanding=True))
        )
    if min_price:
        statement = statement.where(_products.c.price_cents >= bindparam("min_price"))
    if max_price:
        statement = statement.where(_products.c.price_cents <= bindparam("max_price"))
    if in_stock is not None:
        statement = statement.where(_products.c.stock > 0 if in_stock else _products.c.stock == 0)
    key = SortKey(
        name=sort,
        expression=SORT_EXPRESSIONS[sort.lstrip("-")],
        id_column=_products.c.id,
        descending=sort.startswith("-"),
    )
    return Listing(statement, key)


def get_product(session: Session, product_id: int, *, include_inactive: bool = False) -> Product:
    """The product, or NotFound (also for an inactive one unless `include_inactive`); reads only."""
    product = session.get(Product, product_id)
    if product is None or not (product.is_active or include_inactive):
        raise NotFound(f"There is no product {product_id}.")
    return product


def create_product(session: Session, *, fields: dict[str, Any]) -> Product:
    """Create one product, and commit; a SKU already taken is a Conflict."""
    _refuse_taken_skus(session, {"sku": fields["sku"]})
    product = Product(**fields)
    session.add(product)
    _commit_or_conflict(session, {"sku": fields["sku"]})
    return product


def create_products(session: Session, *, items: list[dict[str, Any]]) -> list[Product]:
    """Create every item or none, and commit; a SKU taken (in the batch or before) is a Conflict."""
    skus = {f"items[{i}].sku": item["sku"] for i, item in enumerate(items)}
    _refuse_taken_skus(session, skus)
    products = [Product(**item) for item in items]
    session.add_all(products)
    _commit_or_conflict(session, skus)
    return products


def update_product(session: Session, product_id: int, *, changes: dict[str, Any]) -> Product:
    """Apply the fields given, and commit; a new SKU must be free."""
    product = get_product(session, product_id, include_inactive=True)
    if "sku" in changes and changes["sku"] != product.sku:
        _refuse_taken_skus(session, {"sku": changes["sku"]})
    for field, value in changes.items():
        setattr(product, field, value)
    _commit_or_conflict(session, {"sku": product.sku})
    return product


def deactivate_product(session: Session, product_id: int) -> None:
    """Soft delete, committed: the product leaves the catalogue, orders keep their lines."""
    product = get_product(session, product_id, include_inactive=True)
    product.is_active = False
    session.commit()


class Upserted(NamedTuple):
    created: int
    updated: int


def upsert_products(session: Session, *, rows: list[dict[str, Any]]) -> Upserted:
    """Create the rows' new SKUs (active) and update the known ones; does not commit.

    Made for batches of hundreds of rows: one SELECT of the known SKUs, one INSERT and one
    UPDATE, whatever the number of rows.
    """
    now = utcnow()
    known = {
        sku: product_id
        for sku, product_id in session.execute(
            select(Product.sku, Product.id).where(Product.sku.in_([row["sku"] for row in rows]))
        )
    }
    new = [
        {**row, "is_active": True, "created_at": now, "updated_at": now}
        for row in rows
        if row["sku"] not in known
    ]
    changed = [
        {**row, "id": known[row["sku"]], "updated_at": now} for row in rows if row["sku"] in known
    ]
    if new:
        # RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs from one cached
        # statement ("insertmanyvalues"); without it pg8000 makes a round trip per row.
        session.execute(insert(Product).returning(Product.id), new)
    if changed:
        _update_known(session, changed, now)
    return Upserted(created=len(new), updated=len(changed))


# pg8000 runs an executemany as one round trip per row (parsing the SQL each time), which
# made updates twice as slow as inserts; on PostgreSQL one UPDATE joined to the batch as
# unnest()ed arrays does it all at once. SQLite's executemany is a loop in C: fast as is.
UPDATE_FROM_ARRAYS = text(
    """
    UPDATE products
    SET name = v.name, description = v.description, category = v.category,
        price_cents = v.price_cents, stock = v.stock, updated_at = :updated_at
    FROM unnest(
        CAST(:id AS integer[]), CAST(:name AS text[]), CAST(:description AS text[]),
        CAST(:category AS text[]), CAST(:price_cents AS integer[]), CAST(:stock AS integer[])
    ) AS v (id, name, description, category, price_cents, stock)
    WHERE products.id = v.id
    """
).bindparams(bindparam("updated_at", type_=UTCDateTime()))
UPDATED_COLUMNS = ("id", "name", "description", "category", "price_cents", "stock")


def _update_known(session: Session, changed: list[dict[str, Any]], now: datetime) -> None:
    if session.get_bind().dialect.name == "postgresql":
        columns = {name: [row[name] for row in changed] for name in UPDATED_COLUMNS}
        session.execute(UPDATE_FROM_ARRAYS, {**columns, "updated_at": now})
    else:
        session.execute(update(Product), changed)


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
