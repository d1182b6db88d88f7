"""Whether the shop's dependencies answer."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shared import aws, db


def database_ok() -> bool:
    """True when a trivial query round-trips to the database; on a connection of its own.

    The database is not reachable either when the secret it is found by cannot be read.
    """
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except (SQLAlchemyError, OSError):
        return False
    except Exception as error:
        if aws.is_unavailable(error):
            return False
        raise
