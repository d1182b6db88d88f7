"""Bodies and answers of the orders routes, and the order.placed event."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from shared.limits import MAX_INTEGER
from shared.schemas.base import (
    QueryLimit,
    QueryModel,
    RequestModel,
    ResponseModel,
    UTCTimestamp,
    named_enum,
    query_int,
)
from shared.statuses import ORDER_STATUSES

OrderStatus = named_enum("OrderStatus", ORDER_STATUSES)


class OrderLineIn(RequestModel):
    product_id: Annotated[int, Field(ge=1, le=MAX_INTEGER)]
    quantity: Annotated[int, Field(ge=1, le=1000)]


def _distinct_products(items: list[OrderLineIn]) -> list[OrderLineIn]:
    ids = [item.product_id for item in items]
    if len(ids) != len(set(ids)):
        raise ValueError("each product may appear in one line only")
    return items


class OrderIn(RequestModel):
    items: Annotated[
        list[OrderLineIn], Field(min_length=1, max_length=50), AfterValidator(_distinct_products)
    ]


class OrderStatusPatch(RequestModel):
    status: Literal["shipped"]


# Sums of 32-bit prices times quantities: exact JSON integers, 64-bit in the database.
Cents64 = Annotated[int, Field(json_schema_extra={"format": "int64"})]


class OrderLineOut(ResponseModel):
    product_id: int
    sku: str
    name: str
    unit_price_cents: int
    quantity: int
    line_total_cents: Cents64


class OrderOut(ResponseModel):
    """An order"""

    id: int
    user_id: int
    status: OrderStatus
    items: list[OrderLineOut]
    total_cents: Cents64
    created_at: UTCTimestamp
    updated_at: UTCTimestamp


class OrderPage(ResponseModel):
    """One page of orders, newest first, and the cursor of the next, if any"""

    items: list[OrderOut]
    next_cursor: str | None


class OrderQuery(QueryModel):
    status: OrderStatus | None = None
    user_id: query_int(ge=1, le=MAX_INTEGER) | None = None
    limit: QueryLimit = 20
    cursor: Annotated[str, Field(max_length=2000)] | None = None


IdempotencyKey = Annotated[str, Field(min_length=1, max_length=255)]


class OrderPlaced(RequestModel):
    """The body of an order.placed message on the orders queue."""

    type: Literal["order.placed"]
    event_id: Annotated[str, Field(min_length=1, max_length=64)]
    order_id: Annotated[int, Field(ge=1)]
    occurred_at: str
