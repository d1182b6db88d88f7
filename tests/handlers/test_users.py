"""The users function: admins look after accounts."""

from __future__ import annotations

import pytest

from tests import factories
from tests.apigw import Client

FUNCTION = "users"  # the handler behind the `api` fixture (tests/conftest.py)


def test_a_customer_gets_403_on_every_users_route(api, session):
    customer = factories.customer(session)
    token = factories.tokens_for(session, customer)["access_token"]

    assert api.get("/users", token=token).status == 403
    assert api.get(f"/users/{customer.id}", token=token).status == 403
    assert api.patch(f"/users/{customer.id}", {"name": "x"}, token=token).status == 403


def test_without_a_token_the_users_routes_are_401(api):
    assert api.get("/users").status == 401


def test_admins_list_users_oldest_first_with_filters(api, session, admin, admin_token):
    ada = factories.customer(session, email="ada@example.com", name="Ada Lovelace")
    factories.customer(session, email="bob@example.com", name="Bob")

    everyone = api.get("/users", token=admin_token).json
    assert [u["email"] for u in everyone["items"]] == [admin.email, ada.email, "bob@example.com"]
    assert everyone["next_cursor"] is None

    assert [
        u["id"] for u in api.get("/users", query={"q": "LOVELACE"}, token=admin_token).json["items"]
    ] == [ada.id]
    assert [
        u["id"] for u in api.get("/users", query={"q": "ADA@"}, token=admin_token).json["items"]
    ] == [ada.id]
    assert [
        u["role"]
        for u in api.get("/users", query={"role": "admin"}, token=admin_token).json["items"]
    ] == ["admin"]


def test_q_treats_like_wildcards_literally(api, session, admin_token):
    factories.customer(session, email="percent@example.com", name="100% real")
    factories.customer(session, email="plain@example.com", name="100 real")

    found = api.get("/users", query={"q": "100%"}, token=admin_token).json["items"]

    assert [u["name"] for u in found] == ["100% real"]


def test_users_page_with_a_cursor(api, session, admin_token):
    for _ in range(4):
        factories.customer(session)

    first = api.get("/users", query={"limit": 2}, token=admin_token).json
    second = api.get(
        "/users", query={"limit": 2, "cursor": first["next_cursor"]}, token=admin_token
    ).json
    third = api.get(
        "/users", query={"limit": 2, "cursor": second["next_cursor"]}, token=admin_token
    ).json

    ids = [u["id"] for page in (first, second, third) for u in page["items"]]
    assert len(ids) == len(set(ids)) == 5
    assert third["next_cursor"] is None


def test_a_cursor_for_other_filters_is_a_422(api, session, admin_token):
    for _ in range(3):
        factories.customer(session)
    cursor = api.get("/users", query={"limit": 1}, token=admin_token).json["next_cursor"]

    reply = api.get(
        "/users", query={"limit": 1, "role": "customer", "cursor": cursor}, token=admin_token
    )

    assert reply.status == 422
    assert reply.json["errors"][0]["field"] == "cursor"


def test_an_admin_renames_promotes_and_deactivates_a_user(api, session, admin_token):
    customer = factories.customer(session)

    reply = api.patch(
        f"/users/{customer.id}", {"name": "New Name", "role": "admin"}, token=admin_token
    )

    assert reply.status == 200
    assert reply.json["name"] == "New Name" and reply.json["role"] == "admin"


def test_deactivating_a_user_ends_their_tokens_at_once(api, session, admin_token):
    from handlers.auth import handler as auth_handler

    customer = factories.customer(session)
    pair = factories.tokens_for(session, customer)

    api.patch(f"/users/{customer.id}", {"is_active": False}, token=admin_token)

    auth = Client(auth_handler)
    assert auth.get("/auth/me", token=pair["access_token"]).status == 401
    assert auth.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}).status == 401
    api.patch(f"/users/{customer.id}", {"is_active": True}, token=admin_token)
    assert auth.get("/auth/me", token=pair["access_token"]).status == 401


@pytest.mark.parametrize("change", [{"role": "customer"}, {"is_active": False}])
def test_an_admin_cannot_demote_or_deactivate_themselves(api, admin, admin_token, change):
    before = api.get(f"/users/{admin.id}", token=admin_token).json

    reply = api.patch(f"/users/{admin.id}", change, token=admin_token)

    assert reply.status == 409
    assert api.get(f"/users/{admin.id}", token=admin_token).json == before


def test_an_admin_may_rename_themselves(api, admin, admin_token):
    assert api.patch(f"/users/{admin.id}", {"name": "Me"}, token=admin_token).status == 200


@pytest.mark.parametrize(
    "body",
    [
        {"role": "superuser"},
        {"is_active": "false"},
        {"email": "x@example.com"},
        {"name": ""},
        {"role": None},
        {"password_hash": "x"},
    ],
)
def test_a_bad_user_patch_is_a_422_even_on_oneself(api, admin, admin_token, body):
    assert api.patch(f"/users/{admin.id}", body, token=admin_token).status == 422


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "x"},
        {"role": "root"},
        {"is_active": "yes"},
        {"cursor": "garbage"},
        {"sort": "email"},
    ],
)
def test_bad_list_parameters_are_a_422(api, admin_token, query):
    assert api.get("/users", query=query, token=admin_token).status == 422


@pytest.mark.parametrize("path", ["/users/424242", "/users/abc", "/users/1.5"])
def test_an_unknown_or_malformed_user_id_is_a_404(api, admin_token, path):
    assert api.get(path, token=admin_token).status == 404
