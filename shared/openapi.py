"""The OpenAPI 3.1 document, generated from the routes and their pydantic models.

Views declare what they take and answer with `@operation(...)`; `document(apps)` walks
each Flask app's URL map, so a route that exists is a route that is documented.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from shared.schemas.problem import Problem

REF = "#/components/schemas/{model}"
STANDARD_ERRORS = {
    400: "The body is not a JSON object",
    413: "The body is over 1 MiB",
    415: "The body is not sent as application/json",
    422: "Validation failed",
}


REQUEST_ID = {
    "X-Request-Id": {
        "description": "The request's X-Request-Id when valid, else a new UUID",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
    }
}
DESCRIPTION = """\
The shop's HTTP API. Conventions of every route:

- Request bodies are JSON objects sent as `application/json` (415 otherwise), at most
  1 MiB (413); a body that is not a JSON object is a 400.
- Validation failures are 422 and name each field at fault in `errors`; unknown fields
  are rejected. Integer fields take JSON integers only.
- Every error is an RFC 9457 problem document (`application/problem+json`), including
  404 for unknown paths and 405 for other methods on a known path.
- Every response carries `X-Request-Id` (the incoming one when valid).
- `GET /health` answers 503 with `{"status": "degraded", "database": "unavailable"}`
  when the database cannot be reached; that is the only 5xx a client should see.
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
) -> Callable:
    """Describe a view for the document: its body, query, optional request headers (name:
    {description, schema}) and answers by status (with a response header per status)."""

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
        }
        return view

    return decorate


def document(apps: Iterable[Flask], *, title: str, version: str) -> dict[str, Any]:
    """One OpenAPI 3.1 document covering every documented route of `apps`."""
    operations: list[tuple[str, str, Callable, dict]] = []
    models: set[tuple[type[BaseModel], str]] = {(Problem, "serialization")}
    for app in apps:
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            spec = getattr(view, "openapi", None)
            if spec is None:
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                operations.append((_path(rule.rule), method.lower(), view, spec))
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
    for path, method, view, spec in operations:
        paths.setdefault(path, {})[method] = _operation(path, method, view, spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": DESCRIPTION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def _operation(path: str, method: str, view: Callable, spec: dict, refs: dict) -> dict:
    def schema(model: type[BaseModel], mode: str) -> dict:
        return refs[(model, mode)]

    result: dict[str, Any] = {
        "tags": [spec["tag"]],
        "summary": spec["summary"],
        "operationId": f"{method}_{view.__name__}",
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{([^}]+)}", path)
        ],
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
    errors: dict[int, str] = {}
    if spec["body"]:
        errors.update(STANDARD_ERRORS)
    elif spec["query"]:
        errors[422] = STANDARD_ERRORS[422]
    role = getattr(view, "auth_role", None)
    if role:
        result["security"] = [{"bearer": []}]
        errors[401] = "Missing, malformed, expired or revoked credentials"
        if role != "any":
            errors[403] = f"The caller is not an {role}"
    problem_ref = schema(Problem, "serialization")
    for status, answer in {**errors, **spec["responses"]}.items():
        if isinstance(answer, type):
            content = {"application/json": {"schema": schema(answer, "serialization")}}
            description = answer.__doc__.strip().splitlines()[0] if answer.__doc__ else "OK"
        elif status >= 400:
            content = {"application/problem+json": {"schema": problem_ref}}
            description = answer or "Error"
        else:
            content, description = None, answer or "No content"
        response: dict[str, Any] = {"description": description}
        if content:
            response["content"] = content
        if status in spec["headers"]:
            response["headers"] = {spec["headers"][status]: {"schema": {"type": "string"}}}
        if status == 401:
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        result["responses"][str(status)] = response
    if not result["parameters"]:
        del result["parameters"]
    return result
