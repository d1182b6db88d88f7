"""The answers of the document: shared problem responses, and each operation's answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from shared.openapi.operation import Answer, Operation
from shared.request_input import MAX_BODY_DEPTH
from shared.web import REQUEST_ID

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
        "The database is unreachable or busy, or a secret cannot be read from Secrets "
        "Manager; try again after Retry-After seconds",
        ("Retry-After",),
    ),
}
BODY_ERRORS = (400, 415, 422)


def header_refs(names: Iterable[str]) -> dict[str, dict]:
    """Every response's headers and `names`, by reference where components/headers has one."""
    known = {**HEADERS, **RESPONSE_HEADERS}
    return {
        name: {"$ref": HEADER_REF.format(name=name)} if name in known else {"schema": STRING}
        for name in [*HEADERS, *names]
    }


def problem_response(description: str, extra_headers: Iterable[str] = ()) -> dict:
    return {
        "description": description,
        "headers": header_refs(extra_headers),
        "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}},
    }


def shared_statuses(spec: Operation, view: Callable, has_path_parameters: bool) -> list[int]:
    """The statuses a route gives without listing them, from what it takes and needs."""
    statuses = []
    if spec.body:
        statuses += BODY_ERRORS
    elif spec.query:
        statuses.append(422)
    role = getattr(view, "auth_role", None)
    if role or spec.token_optional:
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
    if spec.uses_database:
        statuses.append(503)
    return statuses


def documented_answer(status: int, answer: Answer, spec: Operation, refs: dict) -> dict[str, Any]:
    """One answer of an operation: its model, a description, or a shared problem."""
    shared = SHARED_RESPONSES.get(status)
    extra_headers = [spec.headers[status]] if status in spec.headers else []
    if isinstance(answer, type):
        description = answer.__doc__.strip().splitlines()[0] if answer.__doc__ else "OK"
        return {
            "description": description,
            "headers": header_refs(extra_headers),
            "content": {"application/json": {"schema": refs[(answer, "serialization")]}},
        }
    if status < 400 or status in spec.media_types:
        response = {"description": answer or "No content", "headers": header_refs(extra_headers)}
        if status in spec.media_types:
            media_type = spec.media_types[status]
            kind = "object" if media_type == "application/json" else "string"
            response["content"] = {media_type: {"schema": {"type": kind}}}
        return response
    if shared and set(extra_headers) <= set(shared.headers):
        # OpenAPI 3.1 lets a reference say in its own words when the answer happens.
        reference = {"$ref": RESPONSE_REF.format(name=shared.name)}
        return {**reference, "description": answer} if answer else reference
    shared_headers = shared.headers if shared else ()
    description = answer or (shared.description if shared else "Error")
    return problem_response(description, [*shared_headers, *extra_headers])
