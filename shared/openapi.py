"""The OpenAPI 3.1 document, generated from the routes and their pydantic models.

Views declare what they take and answer with `@operation(...)`; `document(apps)` walks
each Flask app's URL map, so a route that exists is a route that is documented.
"""

from __future__ import annotations

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
    405: Shared("MethodNotAllowed", "Another method on a known path", ("Allow",)),
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
    tag: str,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | str | None],
    headers: dict[int, str] | None = None,
    request_headers: dict[str, dict] | None = None,
    media_types: dict[int, str] | None = None,
    uses_database: bool = True,
) -> Callable:
    """Describe a view for the document: its body, query, optional request headers (name:
    {description, schema}) and answers by status (with a response header per status).

    An answer is a response model, a description, or None for the shared one of that
    status; `media_types` names the type of a described answer that is no problem
    document. The answers every route of its kind can give (400, 401, 403, 404, 413,
    415, 422, and 503 where `uses_database`) are added without being listed.
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
    for app in apps:
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            spec = getattr(view, "openapi", None)
            if spec is None:
                continue
            parameters = _path_parameters(app, rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                operations.append((_path(rule.rule), method.lower(), view, spec, parameters))
            if spec["body"]:
                models.add((spec["body"], "validation"))
            for answer in spec["responses"].values():
                if isinstance(answer, type):
                    models.add((answer, "serialization"))

    refs, schemas = models_json_schema(
        sorted(models, key=lambda m: (m[0].__name__, m[1])),
        ref_template=REF,
        schema_generator=JsonSchema,
    )
    paths: dict[str, dict] = {}
    for path, method, view, spec, parameters in operations:
        paths.setdefault(path, {})[method] = _operation(method, view, spec, parameters, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": DESCRIPTION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.get("$defs", {}),
            "responses": {
                shared.name: _problem_response(shared.description, shared.headers)
                for shared in SHARED_RESPONSES.values()
            },
            "headers": {**HEADERS, **RESPONSE_HEADERS},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
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


def _shared_statuses(spec: dict, view: Callable, has_path_parameters: bool) -> list[int]:
    """The statuses a route gives without listing them, from what it takes and needs."""
    statuses = []
    if spec["body"]:
        statuses += BODY_ERRORS
    elif spec["query"]:
        statuses.append(422)
    role = getattr(view, "auth_role", None)
    if role:
        statuses.append(401)
        if role != "any":
            statuses.append(403)
    if has_path_parameters:
        statuses.append(404)
    # A request of any route may carry a body, and one over the limit is refused unread.
    statuses.append(413)
    if spec["uses_database"]:
        statuses.append(503)
    return statuses


def _operation(
    method: str, view: Callable, spec: dict, path_parameters: list[dict], refs: dict
) -> dict:
    def schema(model: type[BaseModel], mode: str) -> dict:
        return refs[(model, mode)]

    result: dict[str, Any] = {
        "tags": [spec["tag"]],
        "summary": spec["summary"],
        "operationId": f"{method}_{view.__name__}",
        "parameters": list(path_parameters),
        "responses": {},
    }
    for name, header in spec["request_headers"].items():
        result["parameters"].append({"name": name, "in": "header", "required": False, **header})
    if spec["query"]:
        query_schema = spec["query"].model_json_schema(schema_generator=JsonSchema)
        for name, prop in query_schema["properties"].items():
            result["parameters"].append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in query_schema.get("required", []),
                    "schema": prop,
                }
            )
    if spec["body"]:
        result["requestBody"] = {
            "required": spec["body_required"],
            "content": {"application/json": {"schema": schema(spec["body"], "validation")}},
        }
    if getattr(view, "auth_role", None):
        result["security"] = [{"bearer": []}]
    answers = dict.fromkeys(_shared_statuses(spec, view, bool(path_parameters)))
    answers.update(spec["responses"])
    for status, answer in sorted(answers.items()):
        shared = SHARED_RESPONSES.get(status)
        extra_headers = [spec["headers"][status]] if status in spec["headers"] else []
        if answer is None and shared and not extra_headers:
            response: dict[str, Any] = {"$ref": RESPONSE_REF.format(name=shared.name)}
        elif isinstance(answer, type):
            description = answer.__doc__.strip().splitlines()[0] if answer.__doc__ else "OK"
            response = {
                "description": description,
                "headers": _headers(extra_headers),
                "content": {"application/json": {"schema": schema(answer, "serialization")}},
            }
        elif status >= 400 and status not in spec["media_types"]:
            description = answer or (shared.description if shared else "Error")
            shared_headers = shared.headers if shared else ()
            response = _problem_response(description, [*shared_headers, *extra_headers])
        else:
            response = {"description": answer or "No content", "headers": _headers(extra_headers)}
            if status in spec["media_types"]:
                media_type = spec["media_types"][status]
                kind = "object" if media_type == "application/json" else "string"
                response["content"] = {media_type: {"schema": {"type": kind}}}
        result["responses"][str(status)] = response
    if not result["parameters"]:
        del result["parameters"]
    return result
