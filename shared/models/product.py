"""A product of the catalogue; never deleted, only deactivated, so orders keep their lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.models.base import Base, UTCDateTime, utcnow


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_cents_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        # Keyset listing: each sort walks one of these in order, ties broken by id.
        Index("ix_products_active_created", "is_active", "created_at", "id"),
        Index("ix_products_active_price", "is_active", "price_cents", "id"),
        Index("ix_products_category", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    price_cents: Mapped[int]
    stock: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# An expression index needs the mapped column, so it is declared after the class.
Index("ix_products_active_name", Product.is_active, func.lower(Product.name), Product.id)
