"""Running a unit of work again when PostgreSQL reports a deadlock or serialization failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared.errors import Busy
from shared.log import logger

T = TypeVar("T")
ATTEMPTS = 3
# SQLSTATEs that mean "nothing was wrong with the request; run it again".
TRANSIENT = {"40001", "40P01"}


def sqlstate(error: DBAPIError) -> str | None:
    """The SQLSTATE code of a driver error (pg8000 keeps it under "C"), if any."""
    args = getattr(error.orig, "args", ())
    if args and isinstance(args[0], dict):
        return args[0].get("C")
    return getattr(error.orig, "sqlstate", None)


def with_retries(session: Session, unit_of_work: Callable[[], T]) -> T:
    """Run `unit_of_work` (which commits), retrying a bounded number of times, then Busy."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return unit_of_work()
        except DBAPIError as error:
            session.rollback()
            if sqlstate(error) not in TRANSIENT:
                raise
            logger.warning("transaction retried", sqlstate=sqlstate(error), attempt=attempt)
    raise Busy("The shop is busy with other orders; please try again.")
