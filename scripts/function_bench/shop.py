"""The shop's data, made through its own functions, and the request each function is timed on."""

from __future__ import annotations

import json
import secrets

from scripts.function_bench import BenchError, progress
from scripts.function_bench.targets import Bench, Target
from tests.apigw import api_event, reply_of
from tests.queues import sqs_event

COLD_TARGET_ORDER_EVENTS = 1.15
ORDERS, LINES_PER_ORDER = 20, 3
# order_events' timed record: an event whose id is claimed during setup (for an order that
# does not exist, so that first delivery confirms nothing and sends no e-mail). Every timed
# delivery of it is then a duplicate: claim refused, rolled back, no SES call.
PROCESSED_EVENT = {
    "type": "order.placed",
    "event_id": "bench-already-processed",
    "order_id": 2_147_483_647,
    "occurred_at": "2026-01-01T00:00:00.000000Z",
}
NO_FAILURES = {"batchItemFailures": []}


def prepare_shop(bench: Bench) -> None:
    """Migrate, seed, create the accounts and the customer's 20 orders, all through the
    functions themselves; claim the order event that order_events will see again."""
    migrate(bench)
    create_admin_and_catalogue(bench)
    create_accounts(bench)
    place_orders(bench)
    claim_processed_event(bench)


def migrate(bench: Bench) -> None:
    progress("migrating the shop's database (migrate)")
    (migrated,) = bench.call("migrate", {})
    if migrated.get("status") != "ok":
        raise BenchError(f"migrate answered {migrated}")


def create_admin_and_catalogue(bench: Bench) -> None:
    progress("creating an admin and the demo catalogue (manage)")
    bench.admin = {"email": "bench-admin@example.com", "password": secrets.token_urlsafe(18)}
    created, seeded = bench.call(
        "manage",
        {"command": "create-admin", **bench.admin, "name": "Bench Admin"},
        {"command": "seed-demo"},
    )
    if created.get("status") != "created" or not seeded.get("created"):
        raise BenchError(f"manage answered {created} and {seeded}")


def create_accounts(bench: Bench) -> None:
    """The customer registered; the customer and the admin logged in: their tokens."""
    progress("registering and logging in a customer, logging in the admin (auth)")
    bench.customer = {"email": "bench@example.com", "password": secrets.token_urlsafe(18)}
    replies = [
        reply_of(answer)
        for answer in bench.call(
            "auth",
            api_event("POST", "/auth/register", json_body={**bench.customer, "name": "Bench"}),
            api_event("POST", "/auth/login", json_body=bench.customer),
            api_event("POST", "/auth/login", json_body=bench.admin),
        )
    ]
    if [reply.status for reply in replies] != [201, 200, 200]:
        raise BenchError(f"creating the accounts failed: {[r.text for r in replies]}")
    bench.tokens = {
        "customer": replies[1].json["access_token"],
        "admin": replies[2].json["access_token"],
    }


def claim_processed_event(bench: Bench) -> None:
    progress("claiming the order event that order_events will see again")
    (answer,) = bench.call("order_events", sqs_event([json.dumps(PROCESSED_EVENT)]))
    if answer != NO_FAILURES:
        raise BenchError(f"order_events failed its first delivery: {answer}")


def place_orders(bench: Bench) -> None:
    """The customer's 20 orders of 3 lines each, of distinct products, for GET /orders."""
    progress(f"placing the customer's {ORDERS} orders of {LINES_PER_ORDER} lines (orders)")
    wanted = ORDERS * LINES_PER_ORDER
    (listing,) = bench.call(
        "products", api_event("GET", "/products", query={"in_stock": "true", "limit": wanted})
    )
    products = reply_of(listing).json.get("items", [])
    if len(products) < wanted:
        raise BenchError(f"GET /products found {len(products)} products in stock, not {wanted}")
    token = bench.tokens["customer"]
    orders = [
        api_event(
            "POST",
            "/orders",
            token=token,
            json_body={
                "items": [
                    {"product_id": product["id"], "quantity": 1}
                    for product in products[n * LINES_PER_ORDER : (n + 1) * LINES_PER_ORDER]
                ]
            },
        )
        for n in range(ORDERS)
    ]
    listing = api_event("GET", "/orders", token=token)
    # Without a queue the order.placed events stay in the outbox: no SQS call.
    *placed, listed = [
        reply_of(answer) for answer in bench.call("orders", *orders, listing, ORDERS_QUEUE_URL=None)
    ]
    failed = [reply.text for reply in placed if reply.status != 201]
    if failed:
        raise BenchError(f"POST /orders failed: {failed[0]}")
    lines = [len(order["items"]) for order in listed.json.get("items", [])]
    if lines != [LINES_PER_ORDER] * ORDERS:
        raise BenchError(
            f"GET /orders lists orders of {lines} lines, not {ORDERS} of {LINES_PER_ORDER}"
        )


def shop_targets(bench: Bench) -> list[Target]:
    customer, admin = bench.tokens["customer"], bench.tokens["admin"]
    # (function, request as reported, event, warm target as a ratio to the floor)
    http = [
        ("meta", "GET /health", api_event("GET", "/health"), None),
        ("auth", "GET /auth/me", api_event("GET", "/auth/me", token=customer), 1.5),
        ("users", "GET /users (admin)", api_event("GET", "/users", token=admin), 2.0),
        (
            "products",
            "GET /products?limit=20",
            api_event("GET", "/products", query={"limit": "20"}),
            2.0,
        ),
        (
            "orders",
            f"GET /orders ({ORDERS} orders x {LINES_PER_ORDER} lines)",
            api_event("GET", "/orders", token=customer),
            3.0,
        ),
    ]
    return [
        *(
            bench.function(name, request, event, warm_target=warm_target)
            for name, request, event, warm_target in http
        ),
        bench.function(
            "order_events",
            "SQS batch of 1, duplicate",
            sqs_event([json.dumps(PROCESSED_EVENT)]),
            cold_target=COLD_TARGET_ORDER_EVENTS,
            expect=NO_FAILURES,
            aws_free=True,
        ),
    ]
