"""Rate-limit counters: fixed windows, reserved before the attempt and released after."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.errors import TooManyAttempts
from shared.models import RateLimit
from shared.models.base import utcnow
from shared.services import rate_limits
from shared.services.rate_limits import LOGIN_FAILURES_PER_EMAIL, LOGIN_FAILURES_PER_SOURCE

ADA = "ada@example.com"
MINUTE = timedelta(minutes=1)


def hits(session, limit, client) -> int:
    session.expire_all()
    counter = session.get(RateLimit, rate_limits.key(limit, client))
    return counter.hits if counter else 0


def reserve(session, *pairs, now):
    reserved = rate_limits.reserve(session, limits=pairs, now=now)
    session.commit()
    return reserved


def test_a_limit_refuses_the_hit_past_it_until_its_window_ends(session):
    start = utcnow()
    for _ in range(10):
        reserve(session, (LOGIN_FAILURES_PER_EMAIL, ADA), now=start)

    with pytest.raises(TooManyAttempts) as refused:
        reserve(session, (LOGIN_FAILURES_PER_EMAIL, ADA), now=start + 5 * MINUTE)

    assert refused.value.retry_after == 10 * 60
    assert hits(session, LOGIN_FAILURES_PER_EMAIL, ADA) == 10


def test_a_window_that_has_ended_starts_again_at_one_hit(session):
    start = utcnow()
    for _ in range(10):
        reserve(session, (LOGIN_FAILURES_PER_EMAIL, ADA), now=start)

    reserve(session, (LOGIN_FAILURES_PER_EMAIL, ADA), now=start + 15 * MINUTE)

    assert hits(session, LOGIN_FAILURES_PER_EMAIL, ADA) == 1


def test_a_released_hit_is_given_back_to_its_window_only(session):
    start = utcnow()
    early = reserve(session, (LOGIN_FAILURES_PER_EMAIL, ADA), now=start)
    rate_limits.release(session, reservations=early)
    session.commit()
    assert hits(session, LOGIN_FAILURES_PER_EMAIL, ADA) == 0

    stale = reserve(session, (LOGIN_FAILURES_PER_EMAIL, ADA), now=start + MINUTE)
    reserve(session, (LOGIN_FAILURES_PER_EMAIL, ADA), now=start + 20 * MINUTE)
    rate_limits.release(session, reservations=stale)
    session.commit()

    assert hits(session, LOGIN_FAILURES_PER_EMAIL, ADA) == 1


def test_an_attempt_refused_by_one_limit_counts_against_none(session):
    start = utcnow()
    for _ in range(100):
        reserve(session, (LOGIN_FAILURES_PER_SOURCE, "192.0.2.1"), now=start)

    with pytest.raises(TooManyAttempts):
        reserve(
            session,
            (LOGIN_FAILURES_PER_EMAIL, ADA),
            (LOGIN_FAILURES_PER_SOURCE, "192.0.2.1"),
            now=start,
        )

    assert hits(session, LOGIN_FAILURES_PER_EMAIL, ADA) == 0


def test_counter_keys_fit_their_column_and_hold_no_address_in_clear():
    longest = "a" * 64 + "@" + "b" * 251 + ".com"

    counter = rate_limits.key(LOGIN_FAILURES_PER_EMAIL, longest)

    assert len(counter) <= RateLimit.__table__.c.key.type.length
    assert counter.startswith("login-email:") and "@" not in counter
