"""SQLAlchemy models, one module per aggregate; imported here so metadata is complete."""

from shared.models.base import Base
from shared.models.event import OutboxEvent, ProcessedEvent
from shared.models.order import Order, OrderLine
from shared.models.product import Product
from shared.models.product_import import ProductImport
from shared.models.rate_limit import RateLimit
from shared.models.refresh_token import RefreshToken
from shared.models.user import User

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
