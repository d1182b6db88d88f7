"""The OpenAPI document in the words generators, linters and documentation pages read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.apigw import Client

# Names of pydantic's constraints; JSON Schema says minimum, exclusiveMaximum, ...
PYDANTIC_KEYWORDS = {"ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length"}


@pytest.fixture(scope="module")
def document() -> dict:
    from handlers.meta import handler

    return Client(handler).get("/openapi.json").json


def _operations(document: dict) -> Iterator[tuple[str, dict]]:
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            yield f"{method.upper()} {path}", spec


def _schemas(node: object) -> Iterator[dict]:
    """Every schema object of the document: under `schema`, in components and nested."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" or (key == "items" and isinstance(value, dict)):
                yield value
            if key in ("properties", "schemas", "$defs") and isinstance(value, dict):
                yield from value.values()
            if key in ("anyOf", "oneOf", "allOf"):
                yield from value
            yield from _schemas(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schemas(item)


def _parameter(spec: dict, name: str) -> dict:
    return next(p for p in spec["parameters"] if p["name"] == name)


def test_no_schema_carries_pydantic_keywords_instead_of_json_schema_ones(document):
    for schema in _schemas(document):
        assert not PYDANTIC_KEYWORDS & set(schema), schema


def test_query_bounds_are_json_schema_minimum_and_maximum(document):
    listing = document["paths"]["/products"]["get"]
    orders = document["paths"]["/orders"]["get"]

    assert _parameter(listing, "limit")["schema"] == {
        "default": 20,
        "maximum": 100,
        "minimum": 1,
        "type": "integer",
    }
    assert _parameter(listing, "min_price")["schema"] == {
        "maximum": 2147483647,
        "minimum": 0,
        "type": "integer",
    }
    assert _parameter(orders, "user_id")["schema"]["minimum"] == 1


def test_an_optional_query_parameter_is_left_out_never_sent_as_null(document):
    for name, spec in _operations(document):
        for parameter in spec.get("parameters", []):
            schema = parameter["schema"]
            assert "anyOf" not in schema and schema.get("type") != "null", (name, parameter)
            assert "default" not in schema or schema["default"] is not None, (name, parameter)


def test_every_timestamp_is_a_date_time(document):
    schemas = document["components"]["schemas"]

    for model in ("ProductOut", "OrderOut", "UserOut", "ImportReport"):
        for field, schema in schemas[model]["properties"].items():
            if field.endswith("_at"):
                assert schema["format"] == "date-time", (model, field)


def test_enums_are_named_schemas_and_sort_values_have_member_names(document):
    schemas = document["components"]["schemas"]
    status = _parameter(document["paths"]["/orders"]["get"], "status")["schema"]

    assert schemas["OrderOut"]["properties"]["status"] == {
        "$ref": "#/components/schemas/OrderStatus"
    }
    assert status == {"$ref": "#/components/schemas/OrderStatus"}
    assert schemas["OrderStatus"]["enum"] == ["pending", "confirmed", "shipped", "cancelled"]
    sort = schemas["ProductSort"]
    assert dict(zip(sort["enum"], sort["x-enum-varnames"], strict=True)) == {
        "name": "NAME",
        "-name": "NAME_DESC",
        "price_cents": "PRICE_CENTS",
        "-price_cents": "PRICE_CENTS_DESC",
        "created_at": "CREATED_AT",
        "-created_at": "CREATED_AT_DESC",
    }


def test_every_operation_says_who_may_call_it(document):
    operations = dict(_operations(document))

    assert operations["POST /auth/login"]["security"] == []
    assert operations["GET /health"]["security"] == []
    assert operations["GET /products/{product_id}"]["security"] == [{}, {"bearerAuth": []}]
    assert operations["GET /orders"]["security"] == [{"bearerAuth": []}]
    assert all("security" in spec for spec in operations.values())


def test_a_route_that_reads_an_optional_token_documents_the_401_of_a_bad_one(document):
    product = document["paths"]["/products/{product_id}"]["get"]

    assert product["responses"]["401"]["$ref"] == "#/components/responses/Unauthorized"


def test_every_error_answer_is_a_shared_problem_response(document):
    shared = document["components"]["responses"]

    for name, spec in _operations(document):
        for status, response in spec["responses"].items():
            if name == "GET /health" and status == "503":
                continue
            if int(status) >= 400:
                assert response["$ref"].rsplit("/", 1)[1] in shared, (name, status)
    for response in shared.values():
        media = response["content"]["application/problem+json"]
        assert media["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_every_operation_documents_the_405_of_its_path_with_allow(document):
    method_not_allowed = document["components"]["responses"]["MethodNotAllowed"]

    assert "Allow" in method_not_allowed["headers"]
    for name, spec in _operations(document):
        assert spec["responses"]["405"] == {"$ref": "#/components/responses/MethodNotAllowed"}, name


def test_throttled_routes_document_their_429_with_retry_after(document):
    too_many = document["components"]["responses"]["TooManyRequests"]

    assert "Retry-After" in too_many["headers"]
    for path in ("/auth/login", "/auth/register"):
        response = document["paths"][path]["post"]["responses"]["429"]
        assert response["$ref"] == "#/components/responses/TooManyRequests"


def test_health_documents_its_503_as_the_health_answer_with_retry_after(document):
    unavailable = document["paths"]["/health"]["get"]["responses"]["503"]

    schema = unavailable["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Health"}
    assert "Retry-After" in unavailable["headers"]


def test_every_operation_has_a_description_and_a_declared_tag(document):
    declared = {tag["name"]: tag for tag in document["tags"]}

    assert set(declared) == {"auth", "meta", "users", "products", "orders"}
    assert all(tag["description"] for tag in declared.values())
    for name, spec in _operations(document):
        assert spec["description"], name
        assert set(spec["tags"]) <= set(declared), name


def test_the_document_names_its_server_contact_and_license(document):
    assert document["servers"] == [
        {"url": "/", "description": "The host and stage that serve this document"}
    ]
    assert document["info"]["contact"]["name"]
    assert document["info"]["license"]["name"]


def test_operation_ids_are_the_views_names(document):
    ids = [spec["operationId"] for _, spec in _operations(document)]

    assert len(ids) == len(set(ids))
    assert {"place_order", "list_products", "logout"} <= set(ids)
