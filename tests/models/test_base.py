"""Timestamps go into either database as instants and come back as aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import StatementError

from shared.models import RefreshToken, User
from tests import factories

SUMMER_IN_BERLIN = timezone(timedelta(hours=2))


def test_a_timestamp_comes_back_as_the_same_instant_in_utc(session):
    user = factories.customer(session)
    moment = datetime(2026, 7, 1, 14, 30, 5, 123456, tzinfo=SUMMER_IN_BERLIN)
    session.execute(update(User).where(User.id == user.id).values(created_at=moment))
    session.commit()

    read = session.execute(select(User.created_at).where(User.id == user.id)).scalar_one()

    assert read == moment
    assert read.tzinfo is UTC
    assert read.isoformat() == "2026-07-01T12:30:05.123456+00:00"


def test_a_missing_timestamp_stays_missing(session):
    user = factories.customer(session)
    factories.tokens_for(session, user)

    revoked = session.execute(select(RefreshToken.revoked_at)).scalars().all()

    assert revoked == [None]


def test_a_naive_timestamp_is_refused_rather_than_guessed(session):
    user = factories.customer(session)

    with pytest.raises(StatementError, match="naive datetimes are not stored"):
        session.execute(
            update(User).where(User.id == user.id).values(created_at=datetime(2026, 7, 1))
        )
