"""The shop over real HTTP, served by `serverless offline start` as scripts/dev serves it.

These requests go through serverless-offline's routing and its API Gateway events, not
through a handler called in-process: what a developer's curl or browser sees.
"""

from __future__ import annotations

import uuid

import requests

from tests.local.conftest import LocalServer

PROBLEM = "application/problem+json"
TIMEOUT = 15


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def _assert_problem(response: requests.Response, status: int, server: LocalServer) -> None:
    context = f"{response.status_code} {response.text}\n--- server output\n{server.output()}"
    assert response.status_code == status, context
    assert _media_type(response) == PROBLEM, context
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"]
    assert response.headers.get("X-Request-Id"), context


def test_the_shop_reports_itself_healthy_with_its_database(local_server, http):
    response = http.get(f"{local_server.base_url}/health", timeout=TIMEOUT)

    assert response.status_code == 200, local_server.output()
    assert _media_type(response) == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers.get("X-Request-Id")


def test_a_customer_registers_logs_in_and_sees_themselves(local_server, http):
    base = local_server.base_url
    email = f"Local.{uuid.uuid4().hex[:12]}@Example.com"
    password = "a long enough password"

    registered = http.post(
        f"{base}/auth/register",
        json={"email": email, "password": password, "name": "Local Customer"},
        timeout=TIMEOUT,
    )
    assert registered.status_code == 201, f"{registered.text}\n{local_server.output()}"
    user = registered.json()
    assert user["email"] == email.lower()
    assert user["role"] == "customer"

    login = http.post(
        f"{base}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT
    )
    assert login.status_code == 200, login.text
    tokens = login.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"]

    me = http.get(
        f"{base}/auth/me",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=TIMEOUT,
    )
    assert me.status_code == 200, me.text
    assert me.json()["id"] == user["id"]
    assert me.json()["email"] == email.lower()
    assert "password" not in me.text


def test_the_shop_wants_credentials_to_say_who_you_are(local_server, http):
    response = http.get(f"{local_server.base_url}/auth/me", timeout=TIMEOUT)

    _assert_problem(response, 401, local_server)
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_deleting_the_health_check_is_a_method_not_allowed_problem(local_server, http):
    response = http.delete(f"{local_server.base_url}/health", timeout=TIMEOUT)

    _assert_problem(response, 405, local_server)


def test_a_path_the_shop_does_not_have_is_a_not_found_problem(local_server, http):
    response = http.get(f"{local_server.base_url}/nothing/here", timeout=TIMEOUT)

    assert "Serverless-offline: route not found" not in response.text, (
        "serverless-offline answered for the shop: serverless.yml needs the catch-all "
        'route `httpApi: "*"` on the meta function\n' + response.text
    )
    _assert_problem(response, 404, local_server)


def test_the_shop_echoes_the_request_id_it_was_given(local_server, http):
    request_id = f"local-test.{uuid.uuid4().hex}:1"

    response = http.get(
        f"{local_server.base_url}/health", headers={"X-Request-Id": request_id}, timeout=TIMEOUT
    )

    assert response.status_code == 200
    assert response.headers.get("X-Request-Id") == request_id


def test_the_shop_replaces_an_invalid_request_id_with_its_own(local_server, http):
    response = http.get(
        f"{local_server.base_url}/health",
        headers={"X-Request-Id": "not a valid id!"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert str(uuid.UUID(response.headers["X-Request-Id"])) == response.headers["X-Request-Id"]
