"""Whether the shop's dependencies answer."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shared import db


def database_ok() -> bool:
    """True when a trivial query round-trips to the database; on a connection of its own."""
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except (SQLAlchemyError, OSError):
        return False
