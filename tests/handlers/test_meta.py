"""The meta function: health, the OpenAPI document and the documentation page."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from openapi_spec_validator import validate
from sqlalchemy import create_engine

from shared import db
from tests.apigw import Client, LambdaContext, api_event, reply_of


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

    assert me["security"] == [{"bearerAuth": []}]
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
    assert reply.header("Content-Type") == "application/problem+json"


def test_the_document_names_the_idempotency_key_header_of_placing_an_order(meta_api):
    place = meta_api.get("/openapi.json").json["paths"]["/orders"]["post"]

    headers = [p for p in place["parameters"] if p["in"] == "header"]
    assert [h["name"] for h in headers] == ["Idempotency-Key"]
    assert headers[0]["schema"]["maxLength"] == 255


def test_the_docs_page_is_served_with_a_policy_that_allows_only_its_own_assets(meta_api):
    page = meta_api.get("/docs")

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.header("Content-Security-Policy").split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in page.header("Content-Security-Policy")
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all('src="/docs/' in attributes for attributes in scripts)


def test_every_asset_the_docs_page_names_is_served(meta_api):
    page = meta_api.get("/docs")

    for asset in re.findall(r'(?:href|src)="(/docs/[^"]+)"', page.text):
        reply = meta_api.get(asset)
        assert reply.status == 200, asset
        assert reply.header("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(
    "asset",
    [
        "index.html",
        "swagger-initializer.js",
        "swagger-ui.css.map",
        "swagger-ui-bundle.js.map",
        "oauth2-redirect.html",
        "swagger-ui.js",
        "favicon-32x32.png",
    ],
)
def test_no_file_of_swagger_ui_but_the_two_the_page_loads_is_served(meta_api, asset):
    assert meta_api.get(f"/docs/{asset}").status == 404


def _resolved(document: dict, response: dict) -> dict:
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def _operations(document: dict):
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            yield f"{method.upper()} {path}", spec


def test_every_route_that_needs_the_database_documents_its_503(meta_api):
    document = meta_api.get("/openapi.json").json

    for name, spec in _operations(document):
        if name in ("GET /openapi.json", "GET /docs"):
            assert "503" not in spec["responses"], name
            continue
        assert "503" in spec["responses"], name
        if name != "GET /health":
            assert "Retry-After" in _resolved(document, spec["responses"]["503"])["headers"]


def test_the_document_names_the_answers_each_kind_of_route_can_give(meta_api):
    document = meta_api.get("/openapi.json").json

    for name, spec in _operations(document):
        statuses = set(spec["responses"])
        assert "413" in statuses, name
        if "requestBody" in spec:
            assert {"400", "415", "422"} <= statuses, name
        if spec["security"]:
            unauthorized = _resolved(document, spec["responses"]["401"])
            assert "WWW-Authenticate" in unauthorized["headers"], name
        if "{" in name:
            assert "404" in statuses, name
    admin_only = document["paths"]["/users/{user_id}"]["patch"]
    assert "403" in admin_only["responses"]


def test_ids_in_paths_are_documented_as_the_numbers_and_uuids_the_routes_take(meta_api):
    paths = meta_api.get("/openapi.json").json["paths"]

    order_id = paths["/orders/{order_id}"]["get"]["parameters"][0]["schema"]
    import_id = paths["/products/imports/{import_id}"]["get"]["parameters"][0]["schema"]
    assert order_id == {"type": "integer", "minimum": 1, "maximum": 2147483647}
    assert import_id == {"type": "string", "format": "uuid"}


# API Gateway's limit on what a function answers (the whole JSON of its result).
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
YEAR = 365 * 24 * 3600


def _asset_urls(meta_api) -> list[str]:
    return re.findall(r'(?:href|src)="(/docs/[^"]+)"', meta_api.get("/docs").text)


def _bundle_url(meta_api) -> str:
    return next(url for url in _asset_urls(meta_api) if url.endswith("/swagger-ui-bundle.js"))


def test_the_docs_page_names_each_asset_by_the_digest_of_its_content(meta_api):
    for url in _asset_urls(meta_api):
        _, _, digest, name = url.split("/")
        asset = meta_api.get(url)

        assert hashlib.sha256(asset.text.encode()).hexdigest()[:16] == digest, name
        assert name in ("swagger-ui.css", "swagger-ui-bundle.js", "init.js")


def test_a_browser_keeps_the_docs_assets_for_a_year_without_asking_again(meta_api):
    for url in _asset_urls(meta_api):
        cache_control = meta_api.get(url).header("Cache-Control")

        assert {part.strip() for part in cache_control.split(",")} == {
            "public",
            f"max-age={YEAR}",
            "immutable",
        }, url


def test_the_docs_page_itself_is_checked_again_on_each_visit(meta_api):
    assert meta_api.get("/docs").header("Cache-Control") == "no-cache"


@pytest.mark.parametrize("path", ["/docs/0123456789abcdef/swagger-ui.css", "/docs/swagger-ui.css"])
def test_an_asset_asked_for_without_its_current_digest_is_served_but_not_kept(meta_api, path):
    reply = meta_api.get(path)

    assert reply.status == 200
    assert reply.header("Cache-Control") == "no-cache"


def test_the_bundle_travels_gzipped_to_a_client_that_accepts_it(meta_api):
    reply = meta_api.get(_bundle_url(meta_api), headers={"Accept-Encoding": "gzip, br"})

    assert reply.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in reply.header("Vary")
    assert len(reply.sent) < len(reply.text) / 3
    assert "SwaggerUIBundle" in reply.text


@pytest.mark.parametrize("accepted", ["identity", "gzip;q=0", "br"])
def test_a_client_that_does_not_accept_gzip_gets_the_bundle_as_it_is(meta_api, accepted):
    reply = meta_api.get(_bundle_url(meta_api), headers={"Accept-Encoding": accepted})

    assert reply.header("Content-Encoding") is None
    assert reply.sent.decode() == reply.text
    assert "Accept-Encoding" in reply.header("Vary")


def test_the_tiny_init_script_is_not_worth_compressing(meta_api):
    init = next(url for url in _asset_urls(meta_api) if url.endswith("/init.js"))

    assert meta_api.get(init).header("Content-Encoding") is None


@pytest.mark.parametrize("accepted", ["gzip", "identity"])
def test_every_docs_asset_fits_in_a_lambda_response_whatever_the_client_accepts(meta_api, accepted):
    from handlers.meta import handler

    for url in _asset_urls(meta_api):
        event = api_event("GET", url, headers={"Accept-Encoding": accepted})
        result = handler(event, LambdaContext())

        assert reply_of(result).status == 200
        # Compressed bytes are not text: serverless-wsgi hands them over as base64.
        assert result["isBase64Encoded"] == (reply_of(result).header("Content-Encoding") == "gzip")
        assert len(json.dumps(result)) < LAMBDA_RESPONSE_LIMIT / 2, url
