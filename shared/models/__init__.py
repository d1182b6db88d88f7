"""SQLAlchemy models, one module per aggregate; imported here so metadata is complete."""

from shared.models.base import Base
from shared.models.refresh_token import RefreshToken
from shared.models.user import User

__all__ = ["Base", "RefreshToken", "User"]
