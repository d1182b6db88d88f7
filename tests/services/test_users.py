"""Who a token speaks for: a token accepted once is refused once expired, re-keyed or revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.config import settings
from shared.errors import NotAuthenticated
from shared.models.base import utcnow
from shared.services import tokens, users
from shared.signing_keys import signing_keys


def _access_token(user, *, ttl: int = 60) -> str:
    return tokens.issue(user_id=user.id, token_type="access", generation=0, ttl=ttl, now=utcnow())


def test_a_token_accepted_a_moment_ago_is_refused_once_it_expires(session, customer, monkeypatch):
    token = _access_token(customer, ttl=60)
    assert users.authenticate(session, access_token=token).id == customer.id

    later = utcnow() + timedelta(seconds=61)

    class _Later(users.datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    monkeypatch.setattr(users, "datetime", _Later)
    with pytest.raises(NotAuthenticated, match="expired"):
        users.authenticate(session, access_token=token)


def test_a_token_accepted_under_one_key_is_refused_once_that_key_is_retired(
    session, customer, monkeypatch
):
    token = _access_token(customer)
    assert users.authenticate(session, access_token=token).id == customer.id

    monkeypatch.setenv("JWT_SECRET", "a-brand-new-key-that-is-long-enough-for-hs256")
    settings.cache_clear()
    signing_keys.cache_clear()
    try:
        with pytest.raises(NotAuthenticated):
            users.authenticate(session, access_token=token)
    finally:
        monkeypatch.undo()
        settings.cache_clear()
        signing_keys.cache_clear()


def test_a_revoked_token_is_refused_although_it_was_accepted_before(session, customer):
    token = _access_token(customer)
    assert users.authenticate(session, access_token=token).id == customer.id

    customer.token_generation += 1
    session.commit()

    with pytest.raises(NotAuthenticated, match="revoked"):
        users.authenticate(session, access_token=token)
