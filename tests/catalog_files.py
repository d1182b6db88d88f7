"""CSV files of products as an admin uploads them, and the catalogue an import leaves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import Product

HEADER = "sku,name,description,category,price_cents,stock\n"


def rows(count: int, *, start: int = 0, price: int = 100) -> str:
    """`count` good rows, SKU-<start> on, each with the stock of its number."""
    return "".join(f"SKU-{i},Product {i},,,{price},{i}\n" for i in range(start, start + count))


def products(session: Session) -> dict[str, tuple]:
    """Every product as sku -> (name, description, category, price_cents, stock)."""
    session.expire_all()
    return {
        p.sku: (p.name, p.description, p.category, p.price_cents, p.stock)
        for p in session.scalars(select(Product))
    }
