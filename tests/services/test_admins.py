"""create-admin: an operator makes an admin of an address, new or already registered."""

from __future__ import annotations

import pytest

from shared.errors import NotAuthenticated
from shared.models import User
from shared.services import admins, auth, users
from tests import factories

NEW_PASSWORD = "a brand new admin password"


def _login(session, email: str, password: str) -> dict:
    return auth.login(session, email=email, password=password)


def test_a_new_address_becomes_an_admin_who_logs_in_with_the_password_given(session):
    result = admins.create_admin(session, email="ops@example.com", password=NEW_PASSWORD, name="O")

    assert (result["status"], result["password"]) == ("created", "set")
    assert _login(session, "ops@example.com", NEW_PASSWORD)["access_token"]


def test_an_existing_customer_is_promoted_and_keeps_the_password_they_had(session):
    customer = factories.customer(session, email="ada@example.com")

    result = admins.create_admin(session, email="ada@example.com", password=NEW_PASSWORD, name="A")

    assert (result["status"], result["password"]) == ("promoted", "kept")
    session.refresh(customer)
    assert customer.role == "admin"
    assert _login(session, "ada@example.com", factories.PASSWORD)["access_token"]
    with pytest.raises(NotAuthenticated):
        _login(session, "ada@example.com", NEW_PASSWORD)


def test_an_existing_admin_asked_again_is_unchanged_and_keeps_their_password(session):
    factories.admin(session, email="root@example.com")

    result = admins.create_admin(session, email="root@example.com", password=NEW_PASSWORD, name="R")

    assert (result["status"], result["password"]) == ("unchanged", "kept")
    assert _login(session, "root@example.com", factories.PASSWORD)["access_token"]


def test_a_reset_gives_an_existing_admin_the_new_password_and_not_the_old(session):
    factories.admin(session, email="root@example.com")

    result = admins.create_admin(
        session, email="root@example.com", password=NEW_PASSWORD, name="R", reset_password=True
    )

    assert (result["status"], result["password"]) == ("unchanged", "reset")
    assert _login(session, "root@example.com", NEW_PASSWORD)["access_token"]
    with pytest.raises(NotAuthenticated):
        _login(session, "root@example.com", factories.PASSWORD)


def test_a_reset_ends_every_session_the_old_password_opened(session):
    admin = factories.admin(session, email="root@example.com")
    before = factories.tokens_for(session, admin)

    admins.create_admin(
        session, email="root@example.com", password=NEW_PASSWORD, name="R", reset_password=True
    )

    with pytest.raises(NotAuthenticated):
        users.authenticate(session, access_token=before["access_token"])
    with pytest.raises(NotAuthenticated):
        auth.refresh(session, refresh_token=before["refresh_token"])


def test_a_reset_of_a_customer_promotes_them_with_the_new_password(session):
    factories.customer(session, email="ada@example.com")

    result = admins.create_admin(
        session, email="ada@example.com", password=NEW_PASSWORD, name="A", reset_password=True
    )

    assert (result["status"], result["password"]) == ("promoted", "reset")
    assert session.query(User).filter_by(email="ada@example.com").one().role == "admin"
    assert _login(session, "ada@example.com", NEW_PASSWORD)["access_token"]


def test_a_reset_for_an_unknown_address_simply_creates_the_admin(session):
    result = admins.create_admin(
        session, email="new@example.com", password=NEW_PASSWORD, name="N", reset_password=True
    )

    assert (result["status"], result["password"]) == ("created", "set")


def test_an_address_is_made_an_admin_in_its_one_stored_form_however_it_is_typed(session):
    result = admins.create_admin(
        session, email="Zoe\u0308@BÜCHER.example", password=NEW_PASSWORD, name="Zoë"
    )

    assert result["email"] == "zoë@bücher.example"
