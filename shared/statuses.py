"""The statuses an order and a CSV import move through, each list written once.

The database's CHECK constraint, the OpenAPI enum and the services' transitions all read
their list from here, so a status added in one place cannot be missing from another.
Plain text on purpose: the models, schemas and services import it at cold start.
"""

from __future__ import annotations

from typing import Literal, get_args

OrderStatus = Literal["pending", "confirmed", "shipped", "cancelled"]
ORDER_STATUSES: tuple[OrderStatus, ...] = get_args(OrderStatus)

ImportStatus = Literal["waiting", "processing", "done", "failed"]
IMPORT_STATUSES: tuple[ImportStatus, ...] = get_args(ImportStatus)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that `column` is one of `values`, as the migrations spell it."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"
