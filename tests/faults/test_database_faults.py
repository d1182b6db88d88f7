"""A misbehaving PostgreSQL makes the shop answer 503 promptly, never 500, and lose nothing.

A fault proxy stands between the functions and the test database: it refuses, resets,
answers like a full server, swallows traffic, or resets connections in the middle of a
request. Short timeouts keep these tests quick; one test uses the deployed defaults.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from shared import db
from shared.models import Order, Product
from tests import factories
from tests.apigw import Client, Reply
from tests.faults.pg_proxy import FaultProxy

FAST = {"connect_timeout": 0.5, "statement_timeout": 0.5}
# What a request may take when every wait is bounded as above: a pre-ping of the pooled
# connection, a new connection, a statement, and the time to say so.
FAST_BOUND = 4.0


@pytest.fixture
def shop(postgres):
    """A customer, an admin and a product, made directly on the database."""
    with db.session_scope() as session:
        customer = factories.customer(session)
        admin = factories.admin(session)
        product = Product(sku="MUG", name="Mug", price_cents=1250, stock=1000)
        session.add(product)
        session.commit()
        return {
            "customer": factories.tokens_for(session, customer)["access_token"],
            "admin": factories.tokens_for(session, admin)["access_token"],
            "admin_id": admin.id,
            "customer_id": customer.id,
            "product_id": product.id,
            "email": customer.email,
        }


@pytest.fixture
def proxy(postgres_database):
    with FaultProxy((postgres_database.url.host, postgres_database.url.port or 5432)) as proxy:
        yield proxy


def through(proxy: FaultProxy, postgres_database, **options) -> None:
    """Point the functions at the database through `proxy`."""
    url = postgres_database.url.set(host="127.0.0.1", port=proxy.port)
    db.use_engine(db.build_engine(url, **options))


@pytest.fixture
def faulty(proxy, postgres_database, shop):
    through(proxy, postgres_database, **FAST)
    yield proxy
    proxy.mode = "pass"
    db.use_engine(postgres_database)


def handler(module: str):
    return Client(__import__(f"handlers.{module}", fromlist=["handler"]).handler)


def routes(shop: dict) -> dict[str, callable]:
    """One request per kind of work: reads, writes, with and without a token."""
    pid = shop["product_id"]
    return {
        "health": lambda: handler("meta").get("/health"),
        "list products": lambda: handler("products").get("/products"),
        "log in": lambda: handler("auth").post(
            "/auth/login", {"email": shop["email"], "password": factories.PASSWORD}
        ),
        "who am I": lambda: handler("auth").get("/auth/me", token=shop["customer"]),
        "place an order": lambda: handler("orders").post(
            "/orders", {"items": [{"product_id": pid, "quantity": 1}]}, token=shop["customer"]
        ),
        "rename a user": lambda: handler("users").patch(
            f"/users/{shop['customer_id']}", {"name": "Ada"}, token=shop["admin"]
        ),
    }


def assert_unavailable(reply: Reply) -> None:
    assert reply.status == 503, reply.text
    assert reply.header("Retry-After")
    if reply.header("Content-Type") == "application/problem+json":
        assert reply.json["status"] == 503
    else:  # /health keeps its own shape
        assert reply.json == {"status": "degraded", "database": "unavailable"}


def timed(request) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = request()
    return reply, time.monotonic() - started


NEW_CONNECTION_FAULTS = ["refuse", "reset", "too_many", "blackhole"]
LIVE_CONNECTION_FAULTS = ["blackhole", "reset_mid"]
ROUTES = ["health", "list products", "log in", "who am I", "place an order", "rename a user"]


@pytest.mark.parametrize("mode", NEW_CONNECTION_FAULTS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_database_that_fails_new_connections_makes_every_route_answer_503(
    faulty, shop, mode, route
):
    request = routes(shop)[route]
    db.engine().dispose()  # a cold container: no pooled connection yet
    faulty.mode = mode

    reply, seconds = timed(request)

    assert_unavailable(reply)
    assert seconds < FAST_BOUND


@pytest.mark.parametrize("mode", LIVE_CONNECTION_FAULTS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_database_that_dies_under_a_warm_connection_makes_every_route_answer_503(
    faulty, shop, mode, route
):
    request = routes(shop)[route]
    assert request().status < 500  # the container is warm: its connection is pooled
    faulty.mode = mode

    reply, seconds = timed(request)

    assert_unavailable(reply)
    assert seconds < FAST_BOUND


@pytest.mark.parametrize("mode", NEW_CONNECTION_FAULTS + LIVE_CONNECTION_FAULTS)
def test_the_shop_recovers_by_itself_once_the_database_is_back(faulty, shop, mode):
    request = routes(shop)["list products"]
    assert request().status == 200
    if mode in NEW_CONNECTION_FAULTS:
        db.engine().dispose()
    faulty.mode = mode
    assert request().status == 503

    faulty.mode = "pass"

    assert request().status == 200
    assert routes(shop)["place an order"]().status == 201


def test_a_warm_connection_the_server_closed_is_replaced_without_the_client_noticing(faulty, shop):
    request = routes(shop)["list products"]
    assert request().status == 200
    faulty.reset_live_connections()

    assert request().status == 200


def test_a_row_locked_for_too_long_answers_503_instead_of_waiting(faulty, shop, postgres_database):
    with postgres_database.connect() as holder:
        holder.execute(
            text("SELECT id FROM products WHERE id = :id FOR UPDATE"), {"id": shop["product_id"]}
        )
        reply, seconds = timed(routes(shop)["place an order"])
        holder.rollback()

    assert_unavailable(reply)
    assert seconds < FAST_BOUND
    with db.session_scope() as session:
        assert session.scalar(select(func.count(Order.id))) == 0


@pytest.mark.parametrize(("route", "warm"), [("health", False), ("place an order", True)])
def test_a_hung_database_answers_503_within_10_seconds_with_the_default_timeouts(
    proxy, postgres_database, shop, route, warm
):
    through(proxy, postgres_database)  # DB_CONNECT_TIMEOUT and DB_STATEMENT_TIMEOUT: 5 s
    request = routes(shop)[route]
    try:
        if warm:
            assert request().status < 500
        proxy.mode = "blackhole"

        reply, seconds = timed(request)

        assert_unavailable(reply)
        assert seconds < 10
        print(f"\n{route} ({'warm' if warm else 'cold'}): 503 after {seconds:.1f} s")
    finally:
        proxy.mode = "pass"
        db.use_engine(postgres_database)


def test_clients_retrying_with_their_idempotency_keys_through_resets_lose_and_double_nothing(
    proxy, postgres_database, shop
):
    through(proxy, postgres_database, pool_size=8, **FAST)
    orders = handler("orders")
    pid, token = shop["product_id"], shop["customer"]
    wanted = {f"key-{uuid.uuid4()}": 1 + i % 3 for i in range(24)}
    statuses: Counter[int] = Counter()
    placed: dict[str, int] = {}
    done = threading.Event()

    def client(keys: list[str]) -> None:
        for key in keys:
            for _attempt in range(100):
                reply = orders.post(
                    "/orders",
                    {"items": [{"product_id": pid, "quantity": wanted[key]}]},
                    token=token,
                    headers={"Idempotency-Key": key},
                )
                statuses[reply.status] += 1
                if reply.status == 201:
                    placed[key] = reply.json["id"]
                    break
                time.sleep(0.02)

    def chaos() -> None:
        while not done.is_set():
            proxy.mode = "reset_mid"
            time.sleep(0.02)
            proxy.mode = "reset"
            time.sleep(0.01)
            proxy.mode = "pass"
            time.sleep(0.15)

    keys = list(wanted)
    clients = [threading.Thread(target=client, args=(keys[i::8],)) for i in range(8)]
    troublemaker = threading.Thread(target=chaos)
    try:
        troublemaker.start()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=120)
    finally:
        done.set()
        troublemaker.join()
        proxy.mode = "pass"
        db.use_engine(postgres_database)

    print(f"\n{sum(statuses.values())} requests: {dict(statuses)}")
    assert set(statuses) <= {201, 503}
    assert statuses[503] > 0  # the faults did hit requests
    assert set(placed) == set(wanted)  # every client got its order in the end
    with db.session_scope() as session:
        stored = dict(session.execute(select(Order.idempotency_key, Order.id)).all())
        quantities = session.scalars(
            select(func.sum(Order.total_cents / 1250)).where(Order.status == "pending")
        ).one()
        stock = session.get(Product, pid).stock
    assert stored == placed  # one order per key, the one its client was told about
    assert quantities == sum(wanted.values())
    assert stock == 1000 - sum(wanted.values())  # no stock leaked or taken twice
