"""Accounts and sessions: how a login treats the stored password, and ending sessions."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from shared.errors import NotAuthenticated
from shared.models import User
from shared.services import auth, passwords
from tests import factories


@pytest.fixture
def hashed_at_an_older_cost(session, customer) -> str:
    """The customer's password, stored as a hash of a cost the shop no longer uses."""
    customer.password_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(
        factories.PASSWORD
    )
    session.commit()
    return customer.password_hash


def stored_hash(session, user) -> str:
    session.expire_all()
    return session.get(User, user.id).password_hash


def test_a_login_upgrades_a_hash_of_an_older_cost(session, customer, hashed_at_an_older_cost):
    auth.login(session, email=customer.email, password=factories.PASSWORD)

    upgraded = stored_hash(session, customer)
    assert upgraded != hashed_at_an_older_cost
    assert not passwords.needs_rehash(upgraded)
    assert passwords.verify_password(upgraded, factories.PASSWORD)


def test_a_failed_login_leaves_the_stored_hash_as_it_was(
    session, customer, hashed_at_an_older_cost
):
    with pytest.raises(NotAuthenticated):
        auth.login(session, email=customer.email, password="not the password")

    assert stored_hash(session, customer) == hashed_at_an_older_cost


def test_ending_sessions_is_left_for_the_caller_to_commit(session, customer):
    pair = factories.tokens_for(session, customer)

    auth.end_sessions(session, user_id=customer.id)
    session.rollback()

    assert auth.refresh(session, refresh_token=pair["refresh_token"])["access_token"]
