"""Housekeeping deletes what has stopped mattering, and nothing that still does."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shared.models import RateLimit
from shared.models.base import utcnow
from shared.services import housekeeping, rate_limits
from shared.services.rate_limits import LOGIN_FAILURES_PER_EMAIL, REGISTRATIONS_PER_SOURCE


def counter(limit, client: str, *, age: timedelta) -> RateLimit:
    return RateLimit(key=rate_limits.key(limit, client), window_started_at=utcnow() - age, hits=3)


def test_housekeeping_deletes_rate_limit_windows_that_have_ended_only(session):
    session.add_all(
        [
            counter(LOGIN_FAILURES_PER_EMAIL, "ended@example.com", age=timedelta(minutes=16)),
            counter(LOGIN_FAILURES_PER_EMAIL, "current@example.com", age=timedelta(minutes=14)),
            counter(REGISTRATIONS_PER_SOURCE, "192.0.2.1", age=timedelta(minutes=61)),
            counter(REGISTRATIONS_PER_SOURCE, "192.0.2.2", age=timedelta(minutes=30)),
        ]
    )
    session.commit()

    assert housekeeping.delete_ended_rate_limit_windows(session) == 2

    kept = set(session.scalars(select(RateLimit.key)))
    assert kept == {
        rate_limits.key(LOGIN_FAILURES_PER_EMAIL, "current@example.com"),
        rate_limits.key(REGISTRATIONS_PER_SOURCE, "192.0.2.2"),
    }
