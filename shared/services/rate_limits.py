"""Fixed-window rate limits kept in the database, so they hold across every container.

A limit is reserved before the work it guards and released when that attempt turns out
not to count (a login that succeeds is not a failed login). Reserving first is what makes
a limit exact under concurrency: each reservation is one conditional upsert, so thirty
simultaneous attempts against a limit of ten get ten reservations, never more.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.orm import Session

from shared.errors import TooManyAttempts
from shared.models import RateLimit
from shared.models.base import utcnow


@dataclass(frozen=True)
class Limit:
    """At most `hits` counted attempts per client in each fixed window of `window`."""

    name: str
    hits: int
    window: timedelta


LOGIN_FAILURES_PER_EMAIL = Limit("login-email", 10, timedelta(minutes=15))
LOGIN_FAILURES_PER_SOURCE = Limit("login-ip", 100, timedelta(minutes=15))
REGISTRATIONS_PER_SOURCE = Limit("register-ip", 20, timedelta(hours=1))
LIMITS = (LOGIN_FAILURES_PER_EMAIL, LOGIN_FAILURES_PER_SOURCE, REGISTRATIONS_PER_SOURCE)


@dataclass(frozen=True)
class Reservation:
    """One counted hit: the counter's key and the window it was counted in."""

    key: str
    window_started_at: datetime


def key(limit: Limit, client: str) -> str:
    """The counter's key for `client` (an e-mail address, a source address) under `limit`.

    The client is hashed: an address may be as long as the key column, and the table
    then holds no e-mail or IP address in clear.
    """
    return f"{limit.name}:{hashlib.sha256(client.encode()).hexdigest()}"


def reserve(
    session: Session, *, limits: Iterable[tuple[Limit, str]], now: datetime | None = None
) -> list[Reservation]:
    """Count one hit against every (limit, client) pair, or none and TooManyAttempts.

    Nothing is committed: the caller commits when the hits should stand.
    """
    now = now or utcnow()
    reserved: list[Reservation] = []
    for limit, client in limits:
        counter = key(limit, client)
        window_started_at = _count_hit(session, limit, counter, now)
        if window_started_at is None:
            # All or none: an attempt refused by one limit is not counted by the others.
            release(session, reservations=reserved)
            raise TooManyAttempts(
                "Too many attempts; try again later.",
                retry_after=_seconds_left(session, limit, counter, now),
            )
        reserved.append(Reservation(counter, window_started_at))
    return reserved


def release(session: Session, *, reservations: Iterable[Reservation]) -> None:
    """Take back hits that turned out not to count; nothing is committed."""
    for reservation in reservations:
        # Only in the window it was counted in: a window restarted since owes it nothing.
        session.execute(
            update(RateLimit)
            .where(
                RateLimit.key == reservation.key,
                RateLimit.window_started_at == reservation.window_started_at,
                RateLimit.hits > 0,
            )
            .values(hits=RateLimit.hits - 1)
            .execution_options(synchronize_session=False)
        )


def delete_ended_windows(session: Session, *, at_most: int, now: datetime | None = None) -> int:
    """Delete up to `at_most` counters per limit whose window has ended; not committed."""
    now = now or utcnow()
    deleted = 0
    for limit in LIMITS:
        ended = (
            RateLimit.key.startswith(f"{limit.name}:", autoescape=True),
            RateLimit.window_started_at <= now - limit.window,
        )
        batch = select(RateLimit.key).where(*ended).limit(at_most).scalar_subquery()
        # The window condition is repeated on the DELETE itself, so a counter that an
        # attempt restarts meanwhile is re-checked and kept, not deleted with its new hit.
        deleted += session.execute(
            delete(RateLimit)
            .where(RateLimit.key.in_(batch), *ended)
            .execution_options(synchronize_session=False)
        ).rowcount
    return deleted


def _count_hit(session: Session, limit: Limit, counter: str, now: datetime) -> datetime | None:
    """Count one hit in one statement; the window it counted in, or None at the limit.

    INSERT ... ON CONFLICT DO UPDATE ... WHERE is atomic on PostgreSQL (the condition is
    checked on the latest committed row, under its lock) and on SQLite (one writer at a
    time), so concurrent attempts cannot pass the limit and a new key cannot be inserted
    twice.
    """
    # Only the dialect in use is imported: the other one would cost every cold start.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    started = literal(now, RateLimit.window_started_at.type)
    ended = RateLimit.window_started_at <= now - limit.window
    statement = (
        insert(RateLimit)
        .values(key=counter, window_started_at=now, hits=1)
        .on_conflict_do_update(
            index_elements=[RateLimit.key],
            set_={
                "hits": case((ended, 1), else_=RateLimit.hits + 1),
                "window_started_at": case((ended, started), else_=RateLimit.window_started_at),
            },
            where=or_(ended, RateLimit.hits < limit.hits),
        )
        .returning(RateLimit.window_started_at)
    )
    return session.execute(statement).scalar_one_or_none()


def _seconds_left(session: Session, limit: Limit, counter: str, now: datetime) -> int:
    started = session.scalar(select(RateLimit.window_started_at).where(RateLimit.key == counter))
    if started is None:  # deleted by housekeeping since: its window has ended
        return 1
    return max(1, math.ceil((started + limit.window - now).total_seconds()))
