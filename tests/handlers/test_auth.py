"""The auth function, through API Gateway events, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from shared.models import RefreshToken, User
from tests import factories

NEW_CUSTOMER = {"email": "Ada@Example.com", "password": "correct horse battery", "name": "Ada"}


def register_and_login(api) -> dict:
    assert api.post("/auth/register", NEW_CUSTOMER).status == 201
    reply = api.post(
        "/auth/login", {"email": "ada@example.com", "password": NEW_CUSTOMER["password"]}
    )
    assert reply.status == 200
    return reply.json


def test_registering_creates_a_customer_with_a_lower_cased_email(auth_api):
    reply = auth_api.post("/auth/register", NEW_CUSTOMER)

    assert reply.status == 201
    user = reply.json
    assert set(user) == {"id", "email", "name", "role", "is_active", "created_at"}
    assert user["email"] == "ada@example.com"
    assert user["role"] == "customer" and user["is_active"] is True
    assert user["created_at"].endswith("Z")


def test_a_role_field_at_registration_is_rejected_and_grants_nothing(auth_api, session):
    reply = auth_api.post("/auth/register", {**NEW_CUSTOMER, "role": "admin"})

    assert reply.status == 422
    assert reply.json["errors"] == [{"field": "role", "message": "unknown field"}]
    assert session.query(User).count() == 0


def test_registering_an_email_twice_in_another_case_is_a_conflict(auth_api, session):
    auth_api.post("/auth/register", NEW_CUSTOMER)

    reply = auth_api.post("/auth/register", {**NEW_CUSTOMER, "email": "ADA@EXAMPLE.COM"})

    assert reply.status == 409
    assert reply.header("Content-Type") == "application/problem+json"
    assert session.query(User).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "a" * 65 + "@example.com"),
        ("email", "a@" + "b" * 250 + ".com"),
        ("email", 42),
        ("password", "short"),
        ("password", "x" * 257),
        ("password", 1234567890),
        ("name", ""),
        ("name", "   "),
        ("name", "n" * 101),
        ("name", "nul\u0000byte"),
        ("name", None),
    ],
)
def test_registration_with_a_bad_field_is_a_422_naming_it(auth_api, field, value):
    reply = auth_api.post("/auth/register", {**NEW_CUSTOMER, field: value})

    assert reply.status == 422
    assert [e["field"] for e in reply.json["errors"]] == [field]


def test_registration_counts_name_length_in_characters(auth_api):
    reply = auth_api.post("/auth/register", {**NEW_CUSTOMER, "name": "é" * 100})

    assert reply.status == 201


def test_registration_with_a_missing_field_is_a_422(auth_api):
    reply = auth_api.post("/auth/register", {"email": "ada@example.com", "name": "Ada"})

    assert reply.status == 422
    assert reply.json["errors"][0]["field"] == "password"


def test_login_answers_a_bearer_token_pair(auth_api):
    pair = register_and_login(auth_api)

    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "deactivated"])
def test_every_failed_login_gets_the_same_401(auth_api, session, case):
    register_and_login(auth_api)
    credentials = {"email": "ada@example.com", "password": NEW_CUSTOMER["password"]}
    if case == "unknown email":
        credentials["email"] = "nobody@example.com"
    elif case == "wrong password":
        credentials["password"] = "wrong password!"
    else:
        session.query(User).update({"is_active": False})
        session.commit()

    reply = auth_api.post("/auth/login", credentials)

    assert reply.status == 401
    assert reply.header("WWW-Authenticate") == "Bearer"
    assert reply.json["detail"] == "The e-mail address or password is incorrect."


def test_me_answers_the_callers_account(auth_api):
    pair = register_and_login(auth_api)

    reply = auth_api.get("/auth/me", token=pair["access_token"])

    assert reply.status == 200
    assert reply.json["email"] == "ada@example.com"
    assert "password_hash" not in reply.text


def test_refreshing_rotates_the_pair_and_the_old_refresh_token_stops_working(auth_api):
    pair = register_and_login(auth_api)

    first = auth_api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert first.status == 200
    assert auth_api.get("/auth/me", token=first.json["access_token"]).status == 200

    again = auth_api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert again.status == 401


def test_reusing_a_rotated_refresh_token_revokes_its_chain_but_not_other_logins(auth_api):
    chain = register_and_login(auth_api)
    other_login = auth_api.post(
        "/auth/login", {"email": "ada@example.com", "password": NEW_CUSTOMER["password"]}
    ).json
    rotated = auth_api.post("/auth/refresh", {"refresh_token": chain["refresh_token"]}).json

    reuse = auth_api.post("/auth/refresh", {"refresh_token": chain["refresh_token"]})

    assert reuse.status == 401
    assert auth_api.post("/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401
    assert (
        auth_api.post("/auth/refresh", {"refresh_token": other_login["refresh_token"]}).status
        == 200
    )


def test_an_access_token_is_not_a_refresh_token_and_vice_versa(auth_api):
    pair = register_and_login(auth_api)

    assert auth_api.post("/auth/refresh", {"refresh_token": pair["access_token"]}).status == 401
    assert auth_api.get("/auth/me", token=pair["refresh_token"]).status == 401


def test_logout_ends_refresh_tokens_and_earlier_access_tokens(auth_api):
    pair = register_and_login(auth_api)

    reply = auth_api.post(
        "/auth/logout", {"refresh_token": pair["refresh_token"]}, token=pair["access_token"]
    )

    assert reply.status == 204 and reply.text == ""
    assert auth_api.get("/auth/me", token=pair["access_token"]).status == 401
    assert auth_api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}).status == 401
    fresh = auth_api.post(
        "/auth/login", {"email": "ada@example.com", "password": NEW_CUSTOMER["password"]}
    ).json
    assert auth_api.get("/auth/me", token=fresh["access_token"]).status == 200


def test_logout_without_a_body_is_fine(auth_api):
    pair = register_and_login(auth_api)

    assert auth_api.request("POST", "/auth/logout", token=pair["access_token"]).status == 204


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "text/plain"]
)
def test_logout_with_an_empty_body_is_fine_whatever_its_content_type(auth_api, content_type):
    # What a generated client sends when the optional body is left out.
    pair = register_and_login(auth_api)

    reply = auth_api.request(
        "POST",
        "/auth/logout",
        body=b"",
        headers={"Content-Type": content_type},
        token=pair["access_token"],
    )

    assert reply.status == 204
    assert auth_api.get("/auth/me", token=pair["access_token"]).status == 401


def test_logout_needs_a_bearer_token(auth_api):
    reply = auth_api.post("/auth/logout", {})

    assert reply.status == 401
    assert reply.header("WWW-Authenticate") == "Bearer"


def test_a_deactivated_users_tokens_stop_working_at_once(auth_api, session):
    pair = register_and_login(auth_api)
    session.query(User).update({"is_active": False})
    session.commit()

    assert auth_api.get("/auth/me", token=pair["access_token"]).status == 401
    assert auth_api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}).status == 401


def test_refresh_tokens_are_stored_by_id_never_as_the_token(auth_api, session):
    pair = register_and_login(auth_api)

    stored = session.query(RefreshToken).one()
    assert pair["refresh_token"] not in {stored.id, stored.chain_id}


def test_an_admin_made_by_manage_logs_in_with_the_admin_role(auth_api, session):
    admin = factories.admin(session)

    pair = factories.tokens_for(session, admin)

    assert auth_api.get("/auth/me", token=pair["access_token"]).json["role"] == "admin"


def test_an_unknown_email_still_costs_a_password_check(auth_api, monkeypatch):
    from shared.services import passwords

    checked = []
    real_verify = passwords.verify_password
    monkeypatch.setattr(
        passwords, "verify_password", lambda h, p: checked.append(h) or real_verify(h, p)
    )

    auth_api.post("/auth/login", {"email": "nobody@example.com", "password": "whatever123"})

    assert checked == [passwords.dummy_hash()]


def test_passwords_are_stored_as_argon2id_hashes(auth_api, session):
    auth_api.post("/auth/register", NEW_CUSTOMER)

    stored = session.query(User).one().password_hash

    assert stored.startswith("$argon2id$")
    assert NEW_CUSTOMER["password"] not in stored
