"""The app factory every resource's Flask app is built with.

It owns the conventions of the contract: request ids and access logs, JSON bodies
(400/413/415/422), problem+json for every error, one database session per request.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any, TypeVar

import serverless_wsgi
from flask import Flask, Response, g, request
from pydantic import BaseModel
from pydantic import ValidationError as ModelValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, ValidationError

from shared import db
from shared.config import settings
from shared.errors import (
    Busy,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    ShopError,
    TooManyAttempts,
)
from shared.log import logger
from shared.problems import MEDIA_TYPE, problem_body
from shared.schemas.base import field_errors

MAX_BODY_BYTES = 1024 * 1024
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
STATUS_OF = {
    InvalidInput: 422,
    NotAuthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyAttempts: 429,
    Busy: 503,
}

Model = TypeVar("Model", bound=BaseModel)

# serverless-wsgi base64-encodes every body whose type it does not list as text; its
# list is the documented place to add ours, so problem documents stay readable in logs.
if "application/problem+json" not in serverless_wsgi.TEXT_MIME_TYPES:
    serverless_wsgi.TEXT_MIME_TYPES.append("application/problem+json")


class BadRequest(ShopError):
    """The body is not JSON, or not the JSON object the route expects."""


class UnsupportedMediaType(ShopError):
    """A body was sent with a content type other than JSON."""


STATUS_OF.update({BadRequest: 400, UnsupportedMediaType: 415})


class IdConverter(BaseConverter):
    """`<id:...>`: a positive 32-bit integer; anything else does not match (a 404)."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= 2_147_483_647:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def create_app(name: str) -> Flask:
    """A Flask app with the shop's conventions; resource modules add their routes."""
    settings()  # a bad setting fails the cold start here, not in the first request
    app = Flask(name)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    app.url_map.strict_slashes = False
    app.url_map.converters["id"] = IdConverter
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_close_session)
    app.register_error_handler(ShopError, _shop_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def session() -> Session:
    """This request's database session, opened on first use and closed after the response."""
    if "db" not in g:
        g.db = db.new_session()
    return g.db


def json_body(model: type[Model], *, optional: bool = False) -> Model | None:
    """The request body validated as `model`: 415, 400 and 422 as the contract says."""
    raw = request.get_data(cache=True)
    if not raw and optional and not request.content_type:
        return None
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("The body must be sent as application/json.")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return validate(model, data)


def query(model: type[Model]) -> Model:
    """The query string validated as `model`; empty values count as absent (422 if bad)."""
    data = {}
    for name in request.args:
        values = [v for v in request.args.getlist(name) if v != ""]
        if values:
            data[name] = ",".join(values)
    return validate(model, data)


def validate(model: type[Model], data: Any) -> Model:
    """`data` as `model`, or InvalidInput naming every field at fault."""
    try:
        return model.model_validate(data)
    except ModelValidationError as error:
        raise InvalidInput("The request has invalid fields.", errors=field_errors(error)) from None


def _reject_constant(token: str) -> None:
    raise ValueError(f"{token} is not JSON")


def _start_request() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else str(uuid.uuid4())
    g.started = time.perf_counter()
    logger.append_keys(request_id=g.request_id)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise BadRequestTooLarge()


class BadRequestTooLarge(HTTPException):
    code = 413
    description = "The body is larger than 1 MiB."


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id") or str(uuid.uuid4())
    logger.info(
        "request",
        method=request.method,
        path=request.path,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
    )
    return response


def _close_session(_error: BaseException | None) -> None:
    if (session := g.pop("db", None)) is not None:
        db.discard(session)
    logger.remove_keys(["request_id"])


def problem(status: int, detail: str, *, errors=None, headers=None) -> Response:
    response = Response(problem_body(status, detail, errors=errors), status, mimetype=MEDIA_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _shop_error(error: ShopError) -> Response:
    status = next(s for cls, s in STATUS_OF.items() if isinstance(error, cls))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "1"}
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    return problem(status, error.detail, errors=error.errors, headers=headers)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 413:
        detail = "The body is larger than 1 MiB."
    elif status == 404:
        detail = "There is nothing at this path."
    elif status == 405:
        detail = f"{request.method} is not allowed on this path."
    else:
        detail = error.description or "The request could not be handled."
    headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    return problem(status, detail, headers=headers)


def _unexpected_error(error: Exception) -> Response:
    unavailable = db.is_unavailable(error)
    if (session := g.pop("db", None)) is not None:
        db.discard(session, broken=unavailable)
    if unavailable:
        # The one 5xx a client may see: the database is down, full, unreachable or slow.
        logger.error(
            "database unavailable",
            error_type=type(error).__name__,
            sqlstate=db.sqlstate(error) if isinstance(error, DBAPIError) else None,
        )
        return problem(
            503, "The database is unavailable; try again shortly.", headers={"Retry-After": "5"}
        )
    logger.exception("unhandled error")
    return problem(500, "An unexpected error occurred.")


def respond(
    model: type[BaseModel], value: Any, status: int = 200, *, headers: dict | None = None
) -> Response:
    """`value` serialised through the response `model`, so nothing unlisted leaks out."""
    body = model.model_validate(value).model_dump_json()
    return Response(body, status, headers=headers, mimetype="application/json")
