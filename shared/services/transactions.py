"""Running a unit of work again when PostgreSQL reports a deadlock or serialization failure."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared.db import sqlstate
from shared.errors import Busy
from shared.log import logger

ATTEMPTS = 3
# SQLSTATEs that mean "nothing was wrong with the request; run it again".
TRANSIENT = {"40001", "40P01"}


def with_retries[T](session: Session, unit_of_work: Callable[[], T]) -> T:
    """Run `unit_of_work` (which commits), retrying a bounded number of times, then Busy."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return unit_of_work()
        except DBAPIError as error:
            if sqlstate(error) not in TRANSIENT:
                raise  # the caller's error path rolls back, even on a dead connection
            session.rollback()
            logger.warning("transaction retried", sqlstate=sqlstate(error), attempt=attempt)
    raise Busy("The shop is busy with other orders; please try again.")
