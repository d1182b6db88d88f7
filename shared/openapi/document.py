"""`document(apps)`: the OpenAPI 3.1 document of every route of the shop's Flask apps.

It walks each app's URL map, so a route that exists is a route that is documented; each
route's tag is its resource's (`shared.routing.Resource`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from shared.openapi.operation import Operation
from shared.openapi.responses import (
    HEADERS,
    REF,
    RESPONSE_HEADERS,
    SHARED_RESPONSES,
    STRING,
    documented_answer,
    problem_response,
    shared_statuses,
)
from shared.request_input import MAX_BODY_DEPTH

BEARER = "bearerAuth"
# What a route asks of its caller, by the role `@auth_required` set on it (or the lack of one).
PUBLIC: list[dict] = []
OPTIONAL_TOKEN = [{}, {BEARER: []}]
TOKEN = [{BEARER: []}]
BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "The access token of POST /auth/login or /auth/refresh",
}

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
- 503 (with `Retry-After`) when the database cannot be reached or stays busy, or a secret
  the function needs cannot be read from Secrets Manager; that is the only 5xx a client
  should see. `GET /health` then answers
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


class Route(NamedTuple):
    """One method of one documented path: what the document says of it comes from here."""

    path: str
    method: str
    view: Callable
    spec: Operation
    tag: str
    path_parameters: list[dict]


def document(apps: Iterable[Flask], *, title: str, version: str) -> dict[str, Any]:
    """One OpenAPI 3.1 document covering every documented route of `apps`."""
    routes, tags = _routes(apps)
    refs, schemas, query_schemas = _schemas(routes)
    paths: dict[str, dict] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method] = _operation(
            route, refs, query_schemas.get(route.spec.query)
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
        "tags": [{"name": name, "description": text} for name, text in tags.items()],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "responses": {
                shared.name: problem_response(shared.description, shared.headers)
                for shared in SHARED_RESPONSES.values()
            },
            "headers": {**HEADERS, **RESPONSE_HEADERS},
            "securitySchemes": {BEARER: BEARER_SCHEME},
        },
    }


def _routes(apps: Iterable[Flask]) -> tuple[list[Route], dict[str, str]]:
    """Every documented route of `apps`, and each resource's tag with its description."""
    routes = []
    tags = {}
    for app in apps:
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            spec = getattr(view, "openapi", None)
            if spec is None:
                continue
            resource = app.blueprints[rule.endpoint.rpartition(".")[0]]
            tags.setdefault(resource.name, resource.description)
            parameters = _path_parameters(app, rule.rule)
            routes += [
                Route(_path(rule.rule), method.lower(), view, spec, resource.name, parameters)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
            ]
    return routes, tags


def _schemas(routes: list[Route]) -> tuple[dict, dict, dict]:
    """The JSON Schemas of every model the routes take or answer with.

    Returns the references to them by (model, mode), components/schemas, and each query
    model's schema, which is documented as parameters in place rather than as a component.
    """
    # Only meta builds the document; every other function imports `shared.openapi` for
    # @operation alone, and need not build the problem model at its cold start.
    from shared.schemas.problem import Problem

    models: set[tuple[type[BaseModel], str]] = {(Problem, "serialization")}
    for spec in {id(route.spec): route.spec for route in routes}.values():
        models.update((model, "validation") for model in (spec.body, spec.query) if model)
        models.update(
            (answer, "serialization")
            for answer in spec.responses.values()
            if isinstance(answer, type)
        )
    refs, schemas = models_json_schema(
        sorted(models, key=lambda m: (m[0].__name__, m[1])),
        ref_template=REF,
        schema_generator=JsonSchema,
    )
    schemas = schemas.get("$defs", {})
    queries = {route.spec.query for route in routes if route.spec.query}
    query_schemas = {
        model: schemas.pop(refs[(model, "validation")]["$ref"].rsplit("/", 1)[1])
        for model in queries
    }
    return refs, schemas, query_schemas


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


def _security(spec: Operation, view: Callable) -> list[dict]:
    if getattr(view, "auth_role", None):
        return TOKEN
    return OPTIONAL_TOKEN if spec.token_optional else PUBLIC


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


def _operation(route: Route, refs: dict, query_schema: dict | None) -> dict:
    view, spec, path_parameters = route.view, route.spec, route.path_parameters
    result: dict[str, Any] = {
        "tags": [route.tag],
        "summary": spec.summary,
        "description": inspect.getdoc(view),
        # The view's name, a verb phrase: what a generated client names its function.
        "operationId": view.__name__,
        "security": _security(spec, view),
        "parameters": list(path_parameters),
        "responses": {},
    }
    if not result["description"]:
        del result["description"]
    for name, header in spec.request_headers.items():
        result["parameters"].append({"name": name, "in": "header", "required": False, **header})
    if query_schema:
        result["parameters"] += _query_parameters(query_schema)
    if spec.body:
        result["requestBody"] = {
            "required": spec.body_required,
            "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
        }
    answers = dict.fromkeys(shared_statuses(spec, view, bool(path_parameters)))
    answers.update(spec.responses)
    for status, answer in sorted(answers.items()):
        result["responses"][str(status)] = documented_answer(status, answer, spec, refs)
    if not result["parameters"]:
        del result["parameters"]
    return result
