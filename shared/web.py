"""The app factory every resource's Flask app is built with.

It owns the conventions of the contract: request ids and access logs, the body limit
(413), problem+json for every error, one database session per request. What a request
sends is read by `shared.request_input`; routes are declared on a `shared.routing.Resource`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import serverless_wsgi
from flask import Flask, Response, g, request
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from shared import aws, db, metrics
from shared.config import settings
from shared.cors import cors_headers
from shared.errors import PROBLEM_MEDIA_TYPE, ContentTooLarge, ShopError, problem_document
from shared.log import log_request, logger
from shared.routing import CONVERTERS, Resource

# Flask's MAX_CONTENT_LENGTH: werkzeug refuses a longer body, announced or streamed.
MAX_BODY_BYTES = 1024 * 1024
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


# serverless-wsgi base64-encodes every body whose type it does not list as text; its
# list is the documented place to add ours, so problem documents stay readable in logs.
if PROBLEM_MEDIA_TYPE not in serverless_wsgi.TEXT_MIME_TYPES:
    serverless_wsgi.TEXT_MIME_TYPES.append(PROBLEM_MEDIA_TYPE)


def create_app(resource: Resource) -> Flask:
    """The Flask app of one resource, with the shop's conventions around its routes.

    Called once the resource's routes are declared: Flask takes no route on a blueprint
    after registering it.
    """
    settings()  # a bad setting fails the cold start here, not in the first request
    # No /static/<path> route: the API serves no files.
    app = Flask(resource.import_name, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    app.url_map.strict_slashes = False
    app.url_map.converters.update(CONVERTERS)
    app.before_request(_start_request)
    app.before_request(_refuse_a_body_over_the_limit)
    app.before_request(_answer_rest_api_preflight)
    app.after_request(_finish_request)
    app.teardown_request(_close_session)
    app.teardown_request(_publish_metrics)
    app.register_error_handler(ShopError, _shop_error)
    app.register_error_handler(RequestEntityTooLarge, _content_too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.register_blueprint(resource)
    return app


def db_session() -> Session:
    """This request's database session, opened on first use and closed after the response."""
    if "db" not in g:
        g.db = db.new_session()
    return g.db


def _start_request() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else str(uuid.uuid4())
    g.started = time.perf_counter()
    logger.append_keys(request_id=g.request_id)


def _refuse_a_body_over_the_limit() -> None:
    # werkzeug checks the announced length against MAX_CONTENT_LENGTH when the body's
    # stream is first opened; opening it here makes every route answer 413 before
    # routing, authentication or anything else, whether or not it reads a body.
    request.stream  # noqa: B018


def _from_rest_api() -> bool:
    # An HTTP API (payload 2.0) applies the CORS policy itself, answering preflights before
    # they reach a function; a REST API's proxy integration leaves both to the function.
    event = request.environ.get("serverless.event")
    return isinstance(event, dict) and event.get("version") != "2.0"


def _is_preflight() -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _answer_rest_api_preflight() -> Response | None:
    if _from_rest_api() and _is_preflight():
        return Response(status=204)
    return None


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id") or str(uuid.uuid4())
    response.headers.update(SECURITY_HEADERS)
    if _from_rest_api():
        response.headers.update(
            cors_headers(
                request.headers.get("Origin"),
                settings().cors_allowed_origins,
                preflight=_is_preflight(),
            )
        )
    log_request(
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


def _publish_metrics(_error: BaseException | None) -> None:
    # One request is one invocation: its counts go out with it, failed or not, since what
    # it counted (a failed login, an order placed before the reply failed) has happened.
    metrics.flush()


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response: every error the shop answers with is built here."""
    body = json.dumps(problem_document(status, detail, errors=errors))
    return Response(body, status, headers=headers, mimetype=PROBLEM_MEDIA_TYPE)


def _shop_error(error: ShopError) -> Response:
    return problem(error.status_code, error.detail, errors=error.errors, headers=error.headers())


def _content_too_large(_error: RequestEntityTooLarge) -> Response:
    return _shop_error(ContentTooLarge(f"The body is larger than {MAX_BODY_BYTES >> 20} MiB."))


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 404:
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
    if aws.is_unavailable(error):
        # Secrets Manager, when a container first needs a secret: no one's bug either.
        logger.error("AWS service unavailable", error_type=type(error).__name__)
        return problem(
            503,
            "A service the shop depends on is unavailable; try again shortly.",
            headers={"Retry-After": "5"},
        )
    logger.exception("unhandled error")
    return problem(500, "An unexpected error occurred.")


def respond(
    model: type[BaseModel], value: Any, status: int = 200, *, headers: dict | None = None
) -> Response:
    """`value` serialised through the response `model`, so nothing unlisted leaks out."""
    body = model.model_validate(value).model_dump_json()
    return Response(body, status, headers=headers, mimetype="application/json")
