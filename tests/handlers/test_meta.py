"""The meta function: health, the OpenAPI document and the documentation page."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import create_engine

from shared import db
from tests.apigw import Client


def test_health_reports_ok_when_the_database_answers(meta_api):
    reply = meta_api.get("/health")

    assert reply.status == 200
    assert reply.json == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_unreachable(engine):
    from handlers.meta import handler

    db.use_engine(create_engine("postgresql+pg8000://nobody@127.0.0.1:9/none"))

    reply = Client(handler).get("/health")

    assert reply.status == 503
    assert reply.json["database"] == "unavailable"


def test_health_answers_rest_api_events_too(engine):
    from handlers.meta import handler

    reply = Client(handler, version="1.0").get("/health")

    assert reply.status == 200
    assert reply.json["status"] == "ok"


def test_the_openapi_document_is_valid_openapi_3_1(meta_api):
    document = meta_api.get("/openapi.json").json

    assert document["openapi"] == "3.1.0"
    validate(document)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/health", "get"),
        ("/openapi.json", "get"),
        ("/docs", "get"),
        ("/auth/register", "post"),
        ("/auth/login", "post"),
        ("/auth/refresh", "post"),
        ("/auth/logout", "post"),
        ("/auth/me", "get"),
        ("/users", "get"),
        ("/users/{user_id}", "get"),
        ("/users/{user_id}", "patch"),
        ("/products", "get"),
        ("/products", "post"),
        ("/products/{product_id}", "get"),
        ("/products/{product_id}", "patch"),
        ("/products/{product_id}", "delete"),
        ("/products/batch", "post"),
        ("/products/imports", "post"),
        ("/products/imports/{import_id}", "get"),
        ("/orders", "post"),
        ("/orders", "get"),
        ("/orders/{order_id}", "get"),
        ("/orders/{order_id}/cancel", "post"),
        ("/orders/{order_id}", "patch"),
    ],
)
def test_the_document_covers_every_route_of_the_contract(meta_api, path, method):
    document = meta_api.get("/openapi.json").json

    assert method in document["paths"][path]


def test_the_document_marks_bearer_routes_and_their_401(meta_api):
    me = meta_api.get("/openapi.json").json["paths"]["/auth/me"]["get"]

    assert me["security"] == [{"bearer": []}]
    assert "401" in me["responses"]


def test_the_docs_page_loads_its_assets_from_the_function_not_a_cdn(meta_api):
    page = meta_api.get("/docs")

    assert page.status == 200
    assert page.header("Content-Type").startswith("text/html")
    assert "https://" not in page.text
    assert meta_api.get("/docs/swagger-ui-bundle.js").status == 200
    assert meta_api.get("/docs/swagger-ui.css").status == 200


def test_a_missing_docs_asset_is_a_404_problem(meta_api):
    reply = meta_api.get("/docs/../../etc/passwd")

    assert reply.status == 404


def test_the_document_names_the_idempotency_key_header_of_placing_an_order(meta_api):
    place = meta_api.get("/openapi.json").json["paths"]["/orders"]["post"]

    headers = [p for p in place["parameters"] if p["in"] == "header"]
    assert [h["name"] for h in headers] == ["Idempotency-Key"]
    assert headers[0]["schema"]["maxLength"] == 255
