"""Bodies and answers of the products routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.schemas.base import (
    Int32,
    QueryBool,
    QueryInt32,
    QueryLimit,
    QueryModel,
    RequestModel,
    ResponseModel,
    Text,
    UTCTimestamp,
    named_enum,
    text,
)
from shared.statuses import IMPORT_STATUSES

Sku = text(min_length=1, max_length=64, strip=True)
ProductName = text(min_length=1, max_length=200, strip=True)
Description = text(max_length=5000)
Category = text(min_length=1, max_length=100, strip=True)
SORTS = ("name", "-name", "price_cents", "-price_cents", "created_at", "-created_at")
ProductSort = named_enum(
    "ProductSort",
    SORTS,
    varnames=tuple(s.lstrip("-").upper() + ("_DESC" if s.startswith("-") else "") for s in SORTS),
)
ImportStatus = named_enum("ImportStatus", IMPORT_STATUSES)
# The path takes it as a UUID (shared.web.UuidConverter); clients should hold it as one too.
ImportId = Annotated[str, Field(json_schema_extra={"format": "uuid"})]


class ProductIn(RequestModel):
    sku: Sku
    name: ProductName
    description: Description | None = None
    category: Category | None = None
    price_cents: Int32
    stock: Int32


class ProductPatch(RequestModel):
    """Any subset of a product's fields; `is_active: true` brings a deleted product back."""

    sku: Sku = None
    name: ProductName = None
    description: Description | None = None
    category: Category | None = None
    price_cents: Int32 = None
    stock: Int32 = None
    is_active: bool = None


class ProductBatchIn(RequestModel):
    items: Annotated[list[ProductIn], Field(min_length=1, max_length=500)]


class ProductOut(ResponseModel):
    """A product"""

    id: int
    sku: str
    name: str
    description: str | None
    category: str | None
    price_cents: int
    stock: int
    is_active: bool
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class ProductBatchOut(ResponseModel):
    """The products created, in the order sent"""

    created: int
    items: list[ProductOut]


class ProductPage(ResponseModel):
    """One page of products and the cursor of the next, if any"""

    items: list[ProductOut]
    next_cursor: str | None


class ProductQuery(QueryModel):
    q: Annotated[Text, Field(max_length=200)] | None = None
    category: Annotated[Text, Field(max_length=1000, description="Comma-separated")] | None = None
    min_price: QueryInt32 | None = None
    max_price: QueryInt32 | None = None
    in_stock: QueryBool | None = None
    sort: ProductSort = "created_at"
    limit: QueryLimit = 20
    cursor: Annotated[str, Field(max_length=2000)] | None = None

    def categories(self) -> list[str] | None:
        if self.category is None:
            return None
        return [c.strip() for c in self.category.split(",") if c.strip()] or None


class ImportCreated(ResponseModel):
    """Where to upload the CSV file, and how"""

    import_id: ImportId
    upload_url: str
    expires_in: int
    upload_headers: dict[str, str]


class RejectedRow(ResponseModel):
    line: int
    error: str


class ImportReport(ResponseModel):
    """The state and report of a CSV import"""

    import_id: ImportId
    status: ImportStatus
    created: int
    updated: int
    rejected: list[RejectedRow]
    error: str | None
    created_at: UTCTimestamp
    updated_at: UTCTimestamp
