"""One mailbox is one account, however its address is typed (Unicode forms, punycode, case)."""

from __future__ import annotations

import pytest

from handlers.manage import handler as manage
from shared.models import User
from tests import factories

PASSWORD = "correct horse battery"


def register(api, email: str):
    return api.post("/auth/register", {"email": email, "password": PASSWORD, "name": "Uli"})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("u@bücher.example", "u@xn--bcher-kva.example"),
        ("u@xn--bcher-kva.example", "U@BÜCHER.example"),
        ("zoë@example.com", "zoe\u0308@example.com"),
        ("ZOE\u0308@example.com", "zoë@example.com"),
    ],
)
def test_a_second_spelling_of_a_registered_mailbox_is_a_conflict(auth_api, first, second):
    assert register(auth_api, first).status == 201

    assert register(auth_api, second).status == 409


def test_the_stored_address_is_the_unicode_nfc_lower_cased_form(auth_api, session):
    reply = register(auth_api, "Zoe\u0308@XN--BCHER-KVA.example")

    assert reply.status == 201
    assert reply.json["email"] == "zoë@bücher.example"
    assert session.query(User.email).scalar() == "zoë@bücher.example"


@pytest.mark.parametrize(
    "typed", ["u@xn--bcher-kva.example", "U@Bücher.Example", "u@bu\u0308cher.example"]
)
def test_any_spelling_of_the_mailbox_logs_in(auth_api, typed):
    register(auth_api, "u@bücher.example")

    reply = auth_api.post("/auth/login", {"email": typed, "password": PASSWORD})

    assert reply.status == 200


@pytest.mark.parametrize("typed", ["not-an-email", "a@@b", "u@bücher", "İ" * 320, " "])
def test_logging_in_with_a_malformed_address_is_an_unknown_account(auth_api, typed):
    reply = auth_api.post("/auth/login", {"email": typed, "password": PASSWORD})

    assert reply.status == 401


def test_logging_in_with_an_address_over_320_characters_is_still_a_422(auth_api):
    reply = auth_api.post("/auth/login", {"email": "a" * 321, "password": PASSWORD})

    assert reply.status == 422


def test_a_bad_address_is_explained_in_the_shops_own_words(auth_api):
    reply = register(auth_api, "not-an-email")

    assert reply.status == 422
    [error] = reply.json["errors"]
    assert error["field"] == "email"
    assert error["message"].startswith("must be a valid e-mail address: ")
    assert "Value error" not in error["message"]


def test_create_admin_with_the_punycode_spelling_promotes_the_existing_account(engine, session):
    customer = factories.customer(session, email="root@bücher.example")

    result = manage(
        {
            "command": "create-admin",
            "email": "Root@xn--bcher-kva.example",
            "password": "a strong admin password",
            "name": "Root",
        },
        None,
    )

    assert (result["status"], result["user_id"], result["email"]) == (
        "promoted",
        customer.id,
        "root@bücher.example",
    )
    assert session.query(User).count() == 1
