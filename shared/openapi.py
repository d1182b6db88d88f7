"""The OpenAPI 3.1 document, generated from the routes and their pydantic models.

Views declare what they take and answer with `@operation(...)`; `document(apps)` walks
each Flask app's URL map, so a route that exists is a route that is documented.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from shared.web import MAX_BODY_DEPTH, REQUEST_ID

REF = "#/components/schemas/{model}"
RESPONSE_REF = "#/components/responses/{name}"
HEADER_REF = "#/components/headers/{name}"
STRING = {"type": "string"}
PROBLEM_REF = REF.format(model="Problem")
BEARER = "bearerAuth"
# What a route asks of its caller, by the role `@auth_required` set on it (or the lack of one).
PUBLIC: list[dict] = []
OPTIONAL_TOKEN = [{}, {BEARER: []}]
TOKEN = [{BEARER: []}]

# Headers every response carries, documented once and referenced from each response.
HEADERS = {
    "X-Request-Id": {
        "description": "The request's X-Request-Id when valid, else a new UUID",
        "schema": {"type": "string", "pattern": f"^{REQUEST_ID.pattern}$"},
    },
    "X-Content-Type-Options": {
        "description": "Always `nosniff`",
        "schema": {"type": "string", "const": "nosniff"},
    },
}
RESPONSE_HEADERS = {
    "WWW-Authenticate": {"description": "`Bearer`", "schema": STRING},
    "Allow": {"description": "The methods the path takes", "schema": STRING},
    "Retry-After": {"description": "Seconds to wait", "schema": STRING},
}


class Tag(NamedTuple):
    """A resource's group of operations in the document: its name and what it holds."""

    name: str
    description: str


class Shared(NamedTuple):
    """A problem+json answer that many routes share: components/responses/<name>."""

    name: str
    description: str
    headers: tuple[str, ...] = ()


SHARED_RESPONSES = {
    400: Shared(
        "BadRequest",
        f"The body is not JSON, nests arrays and objects deeper than {MAX_BODY_DEPTH} levels, "
        "or is not a JSON object",
    ),
    401: Shared(
        "Unauthorized", "Missing, malformed, expired or revoked credentials", ("WWW-Authenticate",)
    ),
    403: Shared("Forbidden", "The caller's role may not use this route"),
    404: Shared("NotFound", "No such resource (or one the caller may not see), or a malformed id"),
    405: Shared(
        "MethodNotAllowed",
        "Sent with a method the path does not take; `Allow` names the ones it does",
        ("Allow",),
    ),
    409: Shared("Conflict", "The request conflicts with the current state"),
    413: Shared("ContentTooLarge", "The body is over 1 MiB"),
    415: Shared("UnsupportedMediaType", "The body is not sent as application/json"),
    422: Shared("UnprocessableContent", "Validation failed; `errors` names each field at fault"),
    429: Shared("TooManyRequests", "Too many attempts; wait Retry-After seconds", ("Retry-After",)),
    503: Shared(
        "ServiceUnavailable",
        "The database is unreachable or busy; try again after Retry-After seconds",
        ("Retry-After",),
    ),
}
BODY_ERRORS = (400, 415, 422)


SERVERS = [{"url": "/", "description": "The host and stage that serve this document"}]
CONTACT = {"name": "shop-api maintainers", "url": "https://shop-api.example.com/"}
LICENSE = {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"}
DESCRIPTION = f"""\
The shop's HTTP API. Conventions of every route:

- Request bodies are JSON objects sent as `application/json` (415 otherwise), at most
  1 MiB (413); a body that is not a JSON object is a 400, and so is one whose arrays and
  objects nest deeper than {MAX_BODY_DEPTH} levels (it is refused before it is parsed).
- Validation failures are 422 and name each field at fault in `errors`; unknown fields
  are rejected. Integer fields take JSON integers only.
- Every error is an RFC 9457 problem document (`application/problem+json`), including
  404 for unknown paths and 405 for other methods on a known path.
- Every response carries `X-Request-Id` (the incoming one when valid) and
  `X-Content-Type-Options: nosniff`.
- A malformed id in a path is a 404 whatever the method.
- 503 (with `Retry-After`) when the database cannot be reached or stays busy; that is the
  only 5xx a client should see. `GET /health` then answers
  `{{"status": "degraded", "database": "unavailable"}}`.
- Authentication: `Authorization: Bearer <access_token>`; a missing, malformed,
  expired or revoked token is a 401 carrying `WWW-Authenticate: Bearer`.
"""


class JsonSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, less a `"default": null` on a field that does not take null.

    A PATCH field declared `name: Name = None` may be left out but not sent as null; a null
    default would contradict the field's own type, which OpenAPI validators refuse.
    """

    def default_schema(self, schema: Any) -> dict[str, Any]:
        json_schema = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            types = json_schema.get("type", [])
            alternatives = json_schema.get("anyOf", [])
            takes_null = "null" in types or any(a.get("type") == "null" for a in alternatives)
            if not takes_null:
                del json_schema["default"]
        return json_schema


def operation(
    *,
    summary: str,
    tag: Tag,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | str | None],
    headers: dict[int, str] | None = None,
    request_headers: dict[str, dict] | None = None,
    media_types: dict[int, str] | None = None,
    uses_database: bool = True,
    token_optional: bool = False,
) -> Callable:
    """Describe a view for the document: its body, query, optional request headers (name:
    {description, schema}) and answers by status (with a response header per status).

    The view's docstring is the operation's description. An answer is a response model, a
    description, or None for the shared one of that status; `media_types` names the type of
    a described answer that is no problem document. The answers every route of its kind can
    give (400, 401, 403, 404, 405, 413, 415, 422, and 503 where `uses_database`) are added
    without being listed. `token_optional`: a route without `@auth_required` that reads a
    bearer token when one is sent.
    """

    def decorate(view: Callable) -> Callable:
        view.openapi = {
            "summary": summary,
            "tag": tag,
            "body": body,
            "body_required": body_required,
            "query": query,
            "responses": responses,
            "headers": headers or {},
            "request_headers": request_headers or {},
            "media_types": media_types or {},
            "uses_database": uses_database,
            "token_optional": token_optional,
        }
        return view

    return decorate


def document(apps: Iterable[Flask], *, title: str, version: str) -> dict[str, Any]:
    """One OpenAPI 3.1 document covering every documented route of `apps`."""
    # Only meta builds the document; every other function imports this module for
    # @operation alone, and need not build the problem model at its cold start.
    from shared.schemas.problem import Problem

    operations: list[tuple[str, str, Callable, dict, list[dict]]] = []
    models: set[tuple[type[BaseModel], str]] = {(Problem, "serialization")}
    queries: set[type[BaseModel]] = set()
    tags: dict[str, Tag] = {}
    for app in apps:
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            spec = getattr(view, "openapi", None)
            if spec is None:
                continue
            parameters = _path_parameters(app, rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                operations.append((_path(rule.rule), method.lower(), view, spec, parameters))
            tags.setdefault(spec["tag"].name, spec["tag"])
            if spec["body"]:
                models.add((spec["body"], "validation"))
            if spec["query"]:
                models.add((spec["query"], "validation"))
                queries.add(spec["query"])
            for answer in spec["responses"].values():
                if isinstance(answer, type):
                    models.add((answer, "serialization"))

    refs, schemas = models_json_schema(
        sorted(models, key=lambda m: (m[0].__name__, m[1])),
        ref_template=REF,
        schema_generator=JsonSchema,
    )
    schemas = schemas.get("$defs", {})
    # A query model is documented as its parameters, each in place: no schema of its own.
    query_schemas = {
        model: schemas.pop(refs[(model, "validation")]["$ref"].rsplit("/", 1)[1])
        for model in queries
    }
    paths: dict[str, dict] = {}
    for path, method, view, spec, parameters in operations:
        paths.setdefault(path, {})[method] = _operation(
            view, spec, parameters, refs, query_schemas.get(spec["query"])
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": DESCRIPTION,
            "contact": CONTACT,
            "license": LICENSE,
        },
        "servers": SERVERS,
        "tags": [tag._asdict() for tag in tags.values()],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "responses": {
                shared.name: _problem_response(shared.description, shared.headers)
                for shared in SHARED_RESPONSES.values()
            },
            "headers": {**HEADERS, **RESPONSE_HEADERS},
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The access token of POST /auth/login or /auth/refresh",
                }
            },
        },
    }


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def _path_parameters(app: Flask, rule: str) -> list[dict]:
    """The rule's variables, each with the schema its converter declares (else a string)."""
    parameters = []
    for converter, name in re.findall(r"<(?:([^:>]+):)?([^>]+)>", rule):
        found = app.url_map.converters[converter or "default"]
        schema = getattr(found, "openapi", STRING)
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _headers(names: Iterable[str]) -> dict[str, dict]:
    """Every response's headers and `names`, by reference where components/headers has one."""
    known = {**HEADERS, **RESPONSE_HEADERS}
    return {
        name: {"$ref": HEADER_REF.format(name=name)} if name in known else {"schema": STRING}
        for name in [*HEADERS, *names]
    }


def _problem_response(description: str, headers: Iterable[str] = ()) -> dict:
    return {
        "description": description,
        "headers": _headers(headers),
        "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}},
    }


def _security(spec: dict, view: Callable) -> list[dict]:
    if getattr(view, "auth_role", None):
        return TOKEN
    return OPTIONAL_TOKEN if spec["token_optional"] else PUBLIC


def _shared_statuses(spec: dict, view: Callable, has_path_parameters: bool) -> list[int]:
    """The statuses a route gives without listing them, from what it takes and needs."""
    statuses = []
    if spec["body"]:
        statuses += BODY_ERRORS
    elif spec["query"]:
        statuses.append(422)
    role = getattr(view, "auth_role", None)
    if role or spec["token_optional"]:
        statuses.append(401)
    if role and role != "any":
        statuses.append(403)
    if has_path_parameters:
        statuses.append(404)
    # Every path answers a method it does not take so: a client generated from this
    # document never sends one, but a client written by hand may.
    statuses.append(405)
    # A request of any route may carry a body, and one over the limit is refused unread.
    statuses.append(413)
    if spec["uses_database"]:
        statuses.append(503)
    return statuses


def _query_parameters(query_schema: dict) -> list[dict]:
    """Each field of a query model as a parameter: left out, never null, where optional."""
    parameters = []
    for name, field in query_schema["properties"].items():
        alternatives = [a for a in field.get("anyOf", []) if a.get("type") != "null"]
        schema = {k: v for k, v in field.items() if k not in ("anyOf", "title")}
        schema.update(alternatives[0] if len(alternatives) == 1 else {})
        if schema.get("default", 0) is None:
            del schema["default"]
        parameter = {
            "name": name,
            "in": "query",
            "required": name in query_schema.get("required", []),
        }
        if "description" in schema:
            parameter["description"] = schema.pop("description")
        parameters.append({**parameter, "schema": schema})
    return parameters


def _operation(
    view: Callable,
    spec: dict,
    path_parameters: list[dict],
    refs: dict,
    query_schema: dict | None,
) -> dict:
    result: dict[str, Any] = {
        "tags": [spec["tag"].name],
        "summary": spec["summary"],
        "description": inspect.getdoc(view),
        # The view's name, a verb phrase: what a generated client names its function.
        "operationId": view.__name__,
        "security": _security(spec, view),
        "parameters": list(path_parameters),
        "responses": {},
    }
    if not result["description"]:
        del result["description"]
    for name, header in spec["request_headers"].items():
        result["parameters"].append({"name": name, "in": "header", "required": False, **header})
    if query_schema:
        result["parameters"] += _query_parameters(query_schema)
    if spec["body"]:
        result["requestBody"] = {
            "required": spec["body_required"],
            "content": {"application/json": {"schema": refs[(spec["body"], "validation")]}},
        }
    answers = dict.fromkeys(_shared_statuses(spec, view, bool(path_parameters)))
    answers.update(spec["responses"])
    for status, answer in sorted(answers.items()):
        result["responses"][str(status)] = _response(status, answer, spec, refs)
    if not result["parameters"]:
        del result["parameters"]
    return result


def _response(
    status: int, answer: type[BaseModel] | str | None, spec: dict, refs: dict
) -> dict[str, Any]:
    """One answer of an operation: its model, a description, or a shared problem."""
    shared = SHARED_RESPONSES.get(status)
    extra_headers = [spec["headers"][status]] if status in spec["headers"] else []
    if isinstance(answer, type):
        description = answer.__doc__.strip().splitlines()[0] if answer.__doc__ else "OK"
        return {
            "description": description,
            "headers": _headers(extra_headers),
            "content": {"application/json": {"schema": refs[(answer, "serialization")]}},
        }
    if status < 400 or status in spec["media_types"]:
        response = {"description": answer or "No content", "headers": _headers(extra_headers)}
        if status in spec["media_types"]:
            media_type = spec["media_types"][status]
            kind = "object" if media_type == "application/json" else "string"
            response["content"] = {media_type: {"schema": {"type": kind}}}
        return response
    if shared and set(extra_headers) <= set(shared.headers):
        # OpenAPI 3.1 lets a reference say in its own words when the answer happens.
        reference = {"$ref": RESPONSE_REF.format(name=shared.name)}
        return {**reference, "description": answer} if answer else reference
    shared_headers = shared.headers if shared else ()
    description = answer or (shared.description if shared else "Error")
    return _problem_response(description, [*shared_headers, *extra_headers])
