"""CORS on scripts/dev as on API Gateway, from the same setting (here its local default).

serverless-offline alone would reflect any origin; scripts/serverless/cors.js makes it
answer as API Gateway's HTTP API does with the policy of CORS_ALLOWED_ORIGINS.
"""

from __future__ import annotations

import pytest
import requests

TIMEOUT = 15
FRONT_END = "http://localhost:5173"  # operations.md's local default
ELSEWHERE = "https://elsewhere.example"


def preflight(http, server, origin: str, path: str = "/orders") -> requests.Response:
    return http.options(
        f"{server.base_url}{path}",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
        timeout=TIMEOUT,
    )


def cors_headers_of(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-")}


@pytest.mark.parametrize("path", ["/orders", "/orders/7/cancel", "/no/such/path"])
def test_a_preflight_from_the_front_end_is_answered_before_any_function_runs(
    local_server, http, path
):
    response = preflight(http, local_server, FRONT_END, path)

    assert response.status_code == 204, local_server.output()
    headers = cors_headers_of(response)
    assert headers["access-control-allow-origin"] == FRONT_END
    assert headers["access-control-allow-headers"] == (
        "Authorization,Content-Type,Idempotency-Key,X-Request-Id"
    )
    assert "POST" in headers["access-control-allow-methods"].split(",")
    assert int(headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in headers
    # Every answer of a function carries a request id: this one came from the gateway.
    assert "X-Request-Id" not in response.headers


def test_a_preflight_from_another_origin_gets_no_cors_headers(local_server, http):
    response = preflight(http, local_server, ELSEWHERE)

    assert response.status_code == 204
    assert cors_headers_of(response) == {}


@pytest.mark.parametrize(("path", "status"), [("/health", 200), ("/auth/me", 401), ("/x", 404)])
def test_the_front_end_may_read_every_answer_and_its_request_id(local_server, http, path, status):
    response = http.get(f"{local_server.base_url}{path}", headers={"Origin": FRONT_END})

    assert response.status_code == status, local_server.output()
    assert cors_headers_of(response) == {
        "access-control-allow-origin": FRONT_END,
        "access-control-expose-headers": "Location,X-Request-Id",
    }


@pytest.mark.parametrize(("path", "status"), [("/health", 200), ("/auth/me", 401), ("/x", 404)])
def test_another_origin_gets_answers_without_cors_headers(local_server, http, path, status):
    response = http.get(f"{local_server.base_url}{path}", headers={"Origin": ELSEWHERE})

    assert response.status_code == status, local_server.output()
    assert cors_headers_of(response) == {}
