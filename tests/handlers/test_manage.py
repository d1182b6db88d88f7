"""The manage function: an operator's commands, invoked with their events."""

from __future__ import annotations

import pytest

from handlers.manage import handler as manage
from shared.errors import InvalidInput
from shared.models import User
from shared.services import auth
from tests import factories

CREATE_ADMIN = {
    "command": "create-admin",
    "email": "Root@Example.com",
    "password": "a strong admin password",
    "name": "Root",
}


def test_create_admin_creates_an_admin_who_can_log_in(engine, session):
    result = manage(CREATE_ADMIN, None)

    assert result["status"] == "created"
    user = session.query(User).filter_by(email="root@example.com").one()
    assert user.role == "admin"
    pair = auth.login(session, email="root@example.com", password=CREATE_ADMIN["password"])
    assert pair["access_token"]


def test_create_admin_twice_changes_nothing_the_second_time(engine, session):
    manage(CREATE_ADMIN, None)

    again = manage(CREATE_ADMIN, None)

    assert again["status"] == "unchanged"
    assert session.query(User).count() == 1


def test_create_admin_for_an_existing_account_says_it_existed_and_kept_its_password(engine):
    manage(CREATE_ADMIN, None)

    again = manage({**CREATE_ADMIN, "password": "another strong password"}, None)

    assert again["password"] == "kept"
    assert "already existed" in again["message"]
    assert "password was kept" in again["message"]
    assert "reset_password" in again["message"]


def test_create_admin_with_reset_password_sets_the_password_given(engine, session):
    manage(CREATE_ADMIN, None)
    new_password = "another strong password"

    reset = manage({**CREATE_ADMIN, "password": new_password, "reset_password": True}, None)

    assert reset["password"] == "reset"
    assert "now the one given" in reset["message"]
    assert auth.login(session, email="root@example.com", password=new_password)["access_token"]


def test_create_admin_says_plainly_that_it_created_a_new_account(engine):
    assert manage(CREATE_ADMIN, None)["message"] == "created the admin account"


def test_create_admin_promotes_and_reactivates_an_existing_customer(engine, session):
    customer = factories.customer(session, email="root@example.com")
    customer.is_active = False
    session.commit()

    result = manage(CREATE_ADMIN, None)

    assert result["status"] == "promoted"
    session.refresh(customer)
    assert customer.role == "admin" and customer.is_active


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"command": "launch-rockets"},
        {**CREATE_ADMIN, "password": "short"},
        {**CREATE_ADMIN, "email": "nope"},
        {**CREATE_ADMIN, "extra": 1},
        {**CREATE_ADMIN, "reset_password": "yes"},
    ],
)
def test_a_bad_command_is_refused_with_a_clear_reason(engine, event):
    with pytest.raises(InvalidInput, match="invalid manage command"):
        manage(event, None)


def test_seed_demo_fills_the_catalogue_with_a_few_hundred_products(engine, session):
    from shared.models import Product

    result = manage({"command": "seed-demo"}, None)

    assert result["created"] == session.query(Product).count() >= 200
    categories = {p.category for p in session.query(Product)}
    assert len(categories) >= 5


def test_seed_demo_twice_adds_nothing_the_second_time(engine, session):
    from shared.models import Product

    manage({"command": "seed-demo"}, None)
    again = manage({"command": "seed-demo"}, None)

    assert again["created"] == 0
    assert session.query(Product).count() == again["already_there"]
