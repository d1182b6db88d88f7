"""Deadlocks and serialization failures are retried a bounded number of times, then Busy."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.errors import Busy
from shared.services.transactions import ATTEMPTS, with_retries


class FakeSession:
    def __init__(self) -> None:
        self.rollbacks = 0

    def rollback(self) -> None:
        self.rollbacks += 1


def driver_error(code: str) -> DBAPIError:
    # pg8000 reports the SQLSTATE under "C" in the first argument of its error.
    return DBAPIError("UPDATE products ...", {}, Exception({"C": code, "M": "boom"}))


def failing(times: int, code: str):
    calls = []

    def unit_of_work() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise driver_error(code)
        return "done"

    return unit_of_work, calls


@pytest.mark.parametrize("code", ["40P01", "40001"])
def test_a_deadlock_or_serialization_failure_is_run_again(code):
    session = FakeSession()
    unit_of_work, calls = failing(ATTEMPTS - 1, code)

    assert with_retries(session, unit_of_work) == "done"
    assert len(calls) == ATTEMPTS and session.rollbacks == ATTEMPTS - 1


def test_a_transaction_that_keeps_deadlocking_ends_as_busy_not_a_500():
    unit_of_work, calls = failing(ATTEMPTS, "40P01")

    with pytest.raises(Busy):
        with_retries(FakeSession(), unit_of_work)
    assert len(calls) == ATTEMPTS


def test_other_database_errors_are_not_retried():
    def unit_of_work():
        raise IntegrityError("INSERT ...", {}, Exception({"C": "23505"}))

    with pytest.raises(IntegrityError):
        with_retries(FakeSession(), unit_of_work)
