"""CORS at the functions: theirs to answer behind a REST API, API Gateway's behind an HTTP API.

A REST API's Lambda proxy integration hands preflights and answers over untouched, so the
app applies the policy of CORS_ALLOWED_ORIGINS itself; an HTTP API (payload 2.0) answers
preflights and sets the headers on its own (tests/packaging/test_cors.py,
tests/local/test_cors.py), and the app stays out of its way.
"""

from __future__ import annotations

import pytest

from shared.config import settings
from tests.apigw import Client

SHOP = "https://shop.example"
ELSEWHERE = "https://elsewhere.example"
PREFLIGHT = {
    "Origin": SHOP,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
}


@pytest.fixture
def shop_origin(monkeypatch):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f"{SHOP},https://admin.shop.example")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def rest_api(engine, shop_origin) -> Client:
    from handlers.orders import handler

    return Client(handler, version="1.0")


def cors_headers_of(reply) -> dict[str, str]:
    return {k.lower(): v for k, v in reply.headers.items() if k.lower().startswith("access-")}


def test_a_preflight_from_an_allowed_origin_is_answered_with_the_policy(rest_api):
    reply = rest_api.request("OPTIONS", "/orders", headers=PREFLIGHT)

    assert reply.status == 204
    headers = cors_headers_of(reply)
    assert headers["access-control-allow-origin"] == SHOP
    assert set(headers["access-control-allow-methods"].split(",")) >= {"GET", "POST", "PATCH"}
    assert headers["access-control-allow-headers"].split(",") == [
        "Authorization",
        "Content-Type",
        "Idempotency-Key",
        "X-Request-Id",
    ]
    assert int(headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in headers


def test_a_preflight_from_another_origin_gets_no_cors_headers(rest_api):
    reply = rest_api.request("OPTIONS", "/orders", headers={**PREFLIGHT, "Origin": ELSEWHERE})

    assert reply.status == 204
    assert cors_headers_of(reply) == {}


@pytest.mark.parametrize("path", ["/orders", "/orders/1", "/nothing/here"])
def test_an_allowed_origin_may_read_location_and_the_request_id_even_of_an_error(rest_api, path):
    reply = rest_api.get(path, headers={"Origin": SHOP})

    assert reply.status in (401, 404)
    assert cors_headers_of(reply) == {
        "access-control-allow-origin": SHOP,
        "access-control-expose-headers": "Location,X-Request-Id",
    }


def test_another_origin_gets_the_answer_without_cors_headers(rest_api):
    reply = rest_api.get("/orders", headers={"Origin": ELSEWHERE})

    assert reply.status == 401
    assert cors_headers_of(reply) == {}


def test_a_star_lets_any_origin_read_answers_without_credentials(engine, monkeypatch):
    from handlers.meta import handler

    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "*")
    settings.cache_clear()
    try:
        reply = Client(handler, version="1.0").get("/health", headers={"Origin": ELSEWHERE})
    finally:
        settings.cache_clear()

    assert reply.status == 200
    assert cors_headers_of(reply)["access-control-allow-origin"] == "*"


def test_behind_an_http_api_the_function_leaves_cors_to_api_gateway(engine, shop_origin):
    from handlers.orders import handler

    http_api = Client(handler, version="2.0")

    assert cors_headers_of(http_api.get("/orders", headers={"Origin": SHOP})) == {}
    # API Gateway answers preflights itself; one that reached the function is a plain OPTIONS.
    assert cors_headers_of(http_api.request("OPTIONS", "/orders", headers=PREFLIGHT)) == {}
