"""The contract's conventions, on every route of every HTTP function so far."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.apigw import Client, client_of

BODY_ROUTES = ["/auth/register", "/auth/login", "/auth/refresh"]


@pytest.fixture(params=["2.0", "1.0"], ids=["http-api", "rest-api"])
def api(request, engine) -> Client:
    return client_of("auth", version=request.param)


@pytest.mark.parametrize("path", BODY_ROUTES)
@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"a": NaN}', b"\xff\xfe", b""])
def test_a_body_that_is_not_json_is_a_400(api, path, raw):
    reply = api.request("POST", path, body=raw, headers={"Content-Type": "application/json"})

    assert reply.status == 400
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.json["status"] == 400


@pytest.mark.parametrize("path", BODY_ROUTES)
@pytest.mark.parametrize("document", [[], "text", 42, None, True])
def test_json_that_is_not_an_object_is_a_400(api, path, document):
    reply = api.request(
        "POST",
        path,
        body=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
    )

    assert reply.status == 400


@pytest.mark.parametrize("path", BODY_ROUTES)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_sent_as_another_content_type_is_a_415(api, path, content_type):
    headers = {"Content-Type": content_type} if content_type else {}

    reply = api.request("POST", path, body=b'{"email": "a@example.com"}', headers=headers)

    assert reply.status == 415


def test_a_json_content_type_with_a_charset_is_accepted(api):
    reply = api.request(
        "POST",
        "/auth/login",
        body=b'{"email": "a@example.com", "password": "whatever12"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert reply.status == 401


@pytest.mark.parametrize("path", [*BODY_ROUTES, "/auth/logout"])
def test_a_body_over_one_mebibyte_is_a_413(api, path):
    big = json.dumps({"name": "x" * (1024 * 1024)}).encode()

    reply = api.request("POST", path, body=big, headers={"Content-Type": "application/json"})

    assert reply.status == 413
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.json["detail"] == "The body is larger than 1 MiB."


def test_a_body_over_one_mebibyte_is_a_413_even_on_a_path_that_does_not_exist(api):
    big = json.dumps({"name": "x" * (1024 * 1024)}).encode()

    reply = api.request(
        "POST", "/auth/nowhere", body=big, headers={"Content-Type": "application/json"}
    )

    assert reply.status == 413
    assert reply.json["status"] == 413


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/auth/login", {"email": "a@example.com", "password": 1234567890}, "password"),
        ("/auth/login", {"email": "a@example.com", "password": "x" * 20, "extra": 1}, "extra"),
        ("/auth/login", {"email": "a@example.com"}, "password"),
        ("/auth/refresh", {"refresh_token": 1}, "refresh_token"),
        ("/auth/refresh", {"refresh_token": ""}, "refresh_token"),
        ("/auth/refresh", {}, "refresh_token"),
        ("/auth/refresh", {"refresh_token": "t", "user": "me"}, "user"),
        (
            "/auth/register",
            {"email": "a@example.com", "password": "p" * 12, "name": "\ud800"},
            "name",
        ),
    ],
)
def test_well_formed_json_that_fails_validation_is_a_422_naming_the_field(api, path, body, field):
    raw = json.dumps(body).encode()

    reply = api.request("POST", path, body=raw, headers={"Content-Type": "application/json"})

    assert reply.status == 422
    assert field in [error["field"] for error in reply.json["errors"]]


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        (
            "/auth/register",
            {"email": "a@example.com", "password": "p" * 12, "name": "A\u0000"},
            "name",
            "must not contain U+0000",
        ),
        (
            "/auth/register",
            {"email": "a@", "password": "p" * 12, "name": "A"},
            "email",
            "must be a valid e-mail address: There must be something after the @-sign.",
        ),
    ],
)
def test_a_validation_message_is_in_the_shops_own_words(api, path, body, field, message):
    reply = api.post(path, body)

    assert reply.status == 422
    assert {"field": field, "message": message} in reply.json["errors"]


def test_a_base64_encoded_body_is_read_like_any_other(engine):
    from handlers.auth import handler

    reply = Client(handler).request(
        "POST",
        "/auth/register",
        base64_body=True,
        body=json.dumps({"email": "b64@example.com", "password": "p" * 12, "name": "B"}).encode(),
        headers={"Content-Type": "application/json"},
    )

    assert reply.status == 201


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_another_method_on_a_known_path_is_a_405_problem(api, method):
    reply = api.request(method, "/auth/login")

    assert reply.status == 405
    assert reply.header("Content-Type") == "application/problem+json"
    assert "POST" in reply.header("Allow")


def test_an_unknown_path_is_a_404_problem(api):
    reply = api.get("/auth/nothing-here")

    assert reply.status == 404
    assert reply.json == {
        "type": "https://shop-api.example.com/problems/not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing at this path.",
    }


def test_a_valid_request_id_is_echoed(api):
    reply = api.get("/auth/me", headers={"X-Request-Id": "trace-42.a:b_c-d"})

    assert reply.header("X-Request-Id") == "trace-42.a:b_c-d"


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 129, "semi;colon", "ü"])
def test_an_invalid_request_id_is_replaced_by_a_new_uuid(api, incoming):
    reply = api.get("/auth/me", headers={"X-Request-Id": incoming})

    assert reply.header("X-Request-Id") != incoming
    uuid.UUID(reply.header("X-Request-Id"))


def test_every_request_logs_a_json_line_carrying_its_request_id(api, log_lines):
    reply = api.get("/auth/me", headers={"X-Request-Id": "log-me-1"})

    records = [json.loads(line) for line in log_lines()]
    mine = [r for r in records if r.get("request_id") == "log-me-1"]
    assert mine and mine[-1]["status"] == reply.status == 401
    assert all("Bearer" not in json.dumps(r) for r in records)


def test_no_error_reveals_internals(api):
    reply = api.request(
        "POST", "/auth/login", body=b"{", headers={"Content-Type": "application/json"}
    )

    assert "Traceback" not in reply.text and "sqlalchemy" not in reply.text.lower()


def test_the_default_stage_of_an_http_api_serves_paths_as_they_are(engine):
    from handlers.auth import handler
    from tests.apigw import http_v2_event

    event = http_v2_event("GET", "/auth/me")
    assert event["requestContext"]["stage"] == "$default"

    assert handler(event, None)["statusCode"] == 401
