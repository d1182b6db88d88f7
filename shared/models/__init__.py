"""SQLAlchemy models, one module per aggregate; imported here so metadata is complete."""

from shared.models.base import Base
from shared.models.product import Product
from shared.models.product_import import ProductImport
from shared.models.refresh_token import RefreshToken
from shared.models.user import User

__all__ = ["Base", "Product", "ProductImport", "RefreshToken", "User"]
