"""SQLAlchemy models, one module per aggregate.

A name is imported from its module on first use, so a function loads only the aggregates
it touches (a third of the shop's import time at cold start went to models it never
used). `Base` imports every module first, so that its metadata is complete wherever it
is used (migrations, tests). A model module imports those its foreign keys refer to:
a flush resolves them, and a referred table must then be known.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.models.base import Base
    from shared.models.event import OutboxEvent, ProcessedEvent
    from shared.models.order import Order, OrderLine
    from shared.models.product import Product
    from shared.models.product_import import ProductImport
    from shared.models.rate_limit import RateLimit
    from shared.models.refresh_token import RefreshToken
    from shared.models.user import User

MODULE_OF = {
    "OutboxEvent": "event",
    "ProcessedEvent": "event",
    "Order": "order",
    "OrderLine": "order",
    "Product": "product",
    "ProductImport": "product_import",
    "RateLimit": "rate_limit",
    "RefreshToken": "refresh_token",
    "User": "user",
}

__all__ = [
    "Base",
    "Order",
    "OrderLine",
    "OutboxEvent",
    "ProcessedEvent",
    "Product",
    "ProductImport",
    "RateLimit",
    "RefreshToken",
    "User",
]


def __getattr__(name: str) -> Any:
    if name == "Base":
        for module in set(MODULE_OF.values()):
            importlib.import_module(f"{__name__}.{module}")
        return importlib.import_module(f"{__name__}.base").Base
    if name in MODULE_OF:
        return getattr(importlib.import_module(f"{__name__}.{MODULE_OF[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
