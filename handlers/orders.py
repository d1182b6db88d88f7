"""orders function: placing, reading, cancelling and shipping orders."""

from __future__ import annotations

import hashlib
import re
from contextlib import suppress

import serverless_wsgi
from flask import Response, request

from handlers import init_done
from shared import metrics
from shared.auth import auth_required, current_user
from shared.errors import InvalidInput
from shared.log import logger
from shared.openapi import operation
from shared.request_input import json_body, query
from shared.routing import Resource
from shared.schemas.orders import OrderIn, OrderOut, OrderPage, OrderQuery, OrderStatusPatch
from shared.services import order_listing, orders, outbox
from shared.web import create_app, db_session, respond

routes = Resource(
    "orders",
    __name__,
    url_prefix="/orders",
    description="Placing, reading, cancelling and shipping orders",
)
NO_SUCH_ORDER = "No such order, or not yours"
# Control characters are no text a key can be stored as (PostgreSQL refuses U+0000).
IDEMPOTENCY_KEY = re.compile(r"[^\x00-\x1f\x7f]{1,255}")

# operations.md: a queue that is down or never answers delays POST /orders by at most 2 s.
# Connecting and reading each give up after this (or AWS_CALL_TIMEOUT if shorter), so the
# queue costs 1.5 s at worst and the request's own work has the rest; SQS answers a
# SendMessage in tens of milliseconds when it is well.
QUEUE_WAIT = 0.75


@routes.post("")
@operation(
    summary="Place an order: stock reserved for every line or none",
    body=OrderIn,
    responses={
        201: OrderOut,
        409: "Not enough stock (errors name the lines), or Idempotency-Key reused with "
        "another body",
        422: "Validation failed, or unknown or inactive products",
    },
    headers={201: "Location"},
    request_headers={
        "Idempotency-Key": {
            "description": "Replays with the same key and body (same user) answer 201 with "
            "the first order and reserve nothing more; another body under the key is a 409.",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 255,
                "pattern": f"^{IDEMPOTENCY_KEY.pattern}$",
            },
        }
    },
)
@auth_required
def place_order() -> Response:
    """Reserve stock for every line or for none, and answer the order as `pending`; it is
    confirmed, and its e-mail sent, moments later. A retry with the same `Idempotency-Key` and
    body answers the same order.
    """
    body = json_body(OrderIn)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        message = "must be 1 to 255 characters, none of them a control character"
        raise InvalidInput(
            f"The Idempotency-Key header {message}.",
            errors=[{"field": "Idempotency-Key", "message": message}],
        )
    placed = orders.place_order(
        db_session(),
        user_id=current_user().id,
        lines=[orders.Line(i.product_id, i.quantity) for i in body.items],
        idempotency_key=key,
        request_hash=hashlib.sha256(body.model_dump_json().encode()).hexdigest() if key else None,
    )
    # The answer is made first: a failed publish rolls the session back, which would
    # make the order reload from a database that may be the very thing failing.
    placed_reply = respond(
        OrderOut, placed.order, 201, headers={"Location": f"/orders/{placed.order.id}"}
    )
    # A replay (event_id None) answers with an order placed before: counted then.
    if placed.event_id:
        metrics.count(metrics.ORDERS_PLACED)
        _publish_now(placed.event_id)
    return placed_reply


def _publish_now(event_id: str) -> None:
    # The order is committed with its event; sending it now only saves waiting for the
    # next housekeeping run, so no failure here may fail or hold the request. Hence one
    # attempt (retries=0) of at most QUEUE_WAIT for connecting and as much for the answer:
    # a queue that is down or never answers costs the client 1.5 s at worst, not botocore's
    # 60 s read timeout times its retries, and housekeeping (with retries) sends it later.
    try:
        outbox.publish(db_session(), event_ids=[event_id], retries=0, timeout=QUEUE_WAIT)
    except Exception:
        logger.exception("order.placed left in the outbox", event_id=event_id)
        # Ends the publish transaction (and its row locks) now; a connection too broken
        # to roll back is discarded when the request's session closes.
        with suppress(Exception):
            db_session().rollback()


@routes.get("")
@operation(
    summary="List orders, newest first: a customer's own, or all for an admin",
    query=OrderQuery,
    responses={200: OrderPage},
)
@auth_required
def list_orders() -> Response:
    """A customer's own orders, newest first; an admin sees every order and may filter by
    `user_id`.
    """
    args = query(OrderQuery)
    page = order_listing.list_orders(
        db_session(),
        viewer=current_user(),
        status=args.status,
        user_id=args.user_id,
        limit=args.limit,
        cursor=args.cursor,
    )
    return respond(OrderPage, page)


@routes.get("/<id:order_id>")
@operation(summary="One order (owner or admin)", responses={200: OrderOut, 404: NO_SUCH_ORDER})
@auth_required
def get_order(order_id: int) -> Response:
    """An order, for its owner or an admin; anyone else gets a 404."""
    return respond(OrderOut, orders.get_order(db_session(), order_id, viewer=current_user()))


@routes.post("/<id:order_id>/cancel")
@operation(
    summary="Cancel a pending or confirmed order, releasing its stock",
    responses={200: OrderOut, 404: NO_SUCH_ORDER, 409: "Already shipped or cancelled"},
)
@auth_required
def cancel_order(order_id: int) -> Response:
    """Cancel a pending or confirmed order, for its owner or an admin, and release its stock."""
    cancelled = orders.cancel_order(db_session(), order_id, viewer=current_user())
    metrics.count(metrics.ORDERS_CANCELLED)
    return respond(OrderOut, cancelled)


@routes.patch("/<id:order_id>")
@operation(
    summary="Ship a confirmed order",
    body=OrderStatusPatch,
    responses={200: OrderOut, 404: "No such order", 409: "The order is not confirmed"},
)
@auth_required(role="admin")
def ship_order(order_id: int) -> Response:
    """Mark a confirmed order shipped; admins only."""
    json_body(OrderStatusPatch)
    return respond(OrderOut, orders.ship_order(db_session(), order_id))


app = create_app(routes)


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)


init_done()  # last: everything above lives as long as the container
