"""The orders function: customers place, list, read and cancel orders; admins ship them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.models import Order, OutboxEvent, Product
from tests import factories, queues
from tests.apigw import Client, Reply
from tests.faults.hung_endpoint import closed_port, service_at

FUNCTION = "orders"  # the handler behind the `api` fixture (tests/conftest.py)
# Its orders are announced on a queue: moto's, for every test here.
pytestmark = pytest.mark.usefixtures("aws_world")


@pytest.fixture
def products(session):
    made = [
        Product(sku="MUG", name="Mug", price_cents=1250, stock=10),
        Product(sku="TEA", name="Tea", price_cents=499, stock=3),
        Product(sku="OLD", name="Old", price_cents=100, stock=5, is_active=False),
    ]
    session.add_all(made)
    session.commit()
    return {p.sku: p for p in made}


def place(api: Client, token: str, *lines: tuple[Product, int], **options: Any) -> Reply:
    """POST /orders: a line for each (product, quantity) given."""
    items = [{"product_id": product.id, "quantity": quantity} for product, quantity in lines]
    return api.post("/orders", {"items": items}, token=token, **options)


def stock(session, product) -> int:
    session.expire_all()
    return session.get(Product, product.id).stock


def test_placing_an_order_reserves_stock_and_snapshots_prices(
    api, customer_token, products, session
):
    mug, tea = products["MUG"], products["TEA"]

    reply = place(api, customer_token, (mug, 2), (tea, 1))

    assert reply.status == 201
    order = reply.json
    assert reply.header("Location") == f"/orders/{order['id']}"
    assert order["status"] == "pending"
    assert order["total_cents"] == 2 * 1250 + 499
    assert order["items"][0] == {
        "product_id": mug.id,
        "sku": "MUG",
        "name": "Mug",
        "unit_price_cents": 1250,
        "quantity": 2,
        "line_total_cents": 2500,
    }
    assert (stock(session, mug), stock(session, tea)) == (8, 2)


def test_an_order_is_all_or_nothing_and_names_every_product_short_of_stock(
    api, customer_token, products, session
):
    mug, tea = products["MUG"], products["TEA"]

    reply = place(api, customer_token, (mug, 11), (tea, 4))

    assert reply.status == 409
    assert str(mug.id) in reply.json["detail"] and str(tea.id) in reply.json["detail"]
    assert {e["field"] for e in reply.json["errors"]} == {"items[0].quantity", "items[1].quantity"}
    assert (stock(session, mug), stock(session, tea)) == (10, 3)


def test_a_shortage_on_one_line_moves_no_stock_on_the_others(
    api, customer_token, products, session
):
    mug, tea = products["MUG"], products["TEA"]

    reply = place(api, customer_token, (mug, 1), (tea, 4))

    assert reply.status == 409
    assert stock(session, mug) == 10
    assert session.query(Order).count() == 0


@pytest.mark.parametrize("sku", ["OLD", None])
def test_unknown_or_inactive_products_are_a_422(api, customer_token, products, sku):
    product_id = products[sku].id if sku else 999_999

    reply = api.post(
        "/orders", {"items": [{"product_id": product_id, "quantity": 1}]}, token=customer_token
    )

    assert reply.status == 422
    assert reply.json["errors"][0]["field"] == "items[0].product_id"


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"product_id": 1, "quantity": 0}]},
        {"items": [{"product_id": 1, "quantity": 1001}]},
        {"items": [{"product_id": 1, "quantity": 1.0}]},
        {"items": [{"product_id": "1", "quantity": 1}]},
        {"items": [{"product_id": 1, "quantity": 1}, {"product_id": 1, "quantity": 2}]},
        {"items": [{"product_id": i, "quantity": 1} for i in range(1, 52)]},
        {"items": [{"product_id": 1, "quantity": 1, "price_cents": 1}]},
        {"items": [{"product_id": 1, "quantity": 1}], "user_id": 7},
        {"items": "all"},
    ],
)
def test_a_malformed_order_is_a_422(api, customer_token, body):
    assert api.post("/orders", body, token=customer_token).status == 422


def test_placing_an_order_needs_a_token(api):
    assert api.post("/orders", {"items": [{"product_id": 1, "quantity": 1}]}).status == 401


def test_the_same_idempotency_key_and_body_returns_the_same_order_once(
    api, customer_token, products, session
):
    body = {"items": [{"product_id": products["MUG"].id, "quantity": 2}]}

    first = api.post("/orders", body, token=customer_token, headers={"Idempotency-Key": "k-1"})
    again = api.post("/orders", body, token=customer_token, headers={"Idempotency-Key": "k-1"})

    assert first.status == again.status == 201
    assert first.json == again.json
    assert stock(session, products["MUG"]) == 8
    assert session.query(OutboxEvent).count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_409_and_moves_no_stock(
    api, customer_token, products, session
):
    mug = products["MUG"]
    place(api, customer_token, (mug, 1), headers={"Idempotency-Key": "k-2"})

    reply = place(api, customer_token, (mug, 2), headers={"Idempotency-Key": "k-2"})

    assert reply.status == 409
    assert session.query(Order).count() == 1
    assert stock(session, mug) == 9


def test_idempotency_keys_belong_to_one_user(api, customer_token, products, session):
    other = factories.tokens_for(session, factories.customer(session))["access_token"]
    body = {"items": [{"product_id": products["MUG"].id, "quantity": 1}]}

    mine = api.post("/orders", body, token=customer_token, headers={"Idempotency-Key": "shared"})
    theirs = api.post("/orders", body, token=other, headers={"Idempotency-Key": "shared"})

    assert theirs.status == 201 and theirs.json["id"] != mine.json["id"]


def test_an_idempotency_key_over_255_characters_is_a_422(api, customer_token, products):
    body = {"items": [{"product_id": products["MUG"].id, "quantity": 1}]}

    reply = api.post("/orders", body, token=customer_token, headers={"Idempotency-Key": "k" * 256})

    assert reply.status == 422


def test_a_placed_order_is_announced_on_the_queue(
    api, customer_token, products, aws_world, session
):
    order = place(api, customer_token, (products["MUG"], 1)).json

    [body] = queues.receive_all(aws_world.sqs, aws_world.queue_url)

    event = json.loads(body)
    assert set(event) == {"type", "event_id", "order_id", "occurred_at"}
    assert event["type"] == "order.placed" and event["order_id"] == order["id"]
    assert event["occurred_at"].endswith("Z")
    assert session.query(OutboxEvent).one().sent_at is not None


def test_an_order_is_placed_even_when_the_queue_is_down(
    api, customer_token, mug, aws_world, session
):
    with service_at("sqs", closed_port()):
        reply = place(api, customer_token, (mug, 1))

    assert reply.status == 201
    assert session.query(OutboxEvent).one().sent_at is None
    assert queues.receive_all(aws_world.sqs, aws_world.queue_url) == []


def test_customers_see_only_their_own_orders_and_admins_see_all(
    api, customer_token, admin_token, products, session
):
    other = factories.tokens_for(session, factories.customer(session))["access_token"]
    body = {"items": [{"product_id": products["MUG"].id, "quantity": 1}]}
    mine = [api.post("/orders", body, token=customer_token).json["id"] for _ in range(2)]
    theirs = api.post("/orders", body, token=other).json["id"]

    assert [o["id"] for o in api.get("/orders", token=customer_token).json["items"]] == mine[::-1]
    everything = api.get("/orders", token=admin_token).json["items"]
    assert [o["id"] for o in everything] == [theirs, *mine[::-1]]
    customer_id = api.get(f"/orders/{mine[0]}", token=customer_token).json["user_id"]
    filtered = api.get("/orders", query={"user_id": customer_id}, token=admin_token).json
    assert [o["id"] for o in filtered["items"]] == mine[::-1]


def test_orders_page_with_a_cursor_and_filter_by_status(api, customer_token, products):
    body = {"items": [{"product_id": products["MUG"].id, "quantity": 1}]}
    ids = [api.post("/orders", body, token=customer_token).json["id"] for _ in range(3)]
    api.post(f"/orders/{ids[0]}/cancel", token=customer_token)

    first = api.get("/orders", query={"limit": 2}, token=customer_token).json
    second = api.get(
        "/orders", query={"limit": 2, "cursor": first["next_cursor"]}, token=customer_token
    ).json
    cancelled = api.get("/orders", query={"status": "cancelled"}, token=customer_token).json

    assert [o["id"] for o in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    assert [o["id"] for o in cancelled["items"]] == [ids[0]]


def test_every_page_size_lists_each_order_with_exactly_its_own_lines(api, customer_token, products):
    mug, tea = products["MUG"], products["TEA"]
    lines_of = {}
    for n in range(5):
        items = [{"product_id": mug.id, "quantity": 1}]
        if n % 2:
            items.append({"product_id": tea.id, "quantity": 1})
        placed = api.post("/orders", {"items": items}, token=customer_token).json
        lines_of[placed["id"]] = placed["items"]

    for limit in (1, 2, 3, 4, 5):
        listed, cursor = [], None
        while True:
            query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            page = api.get("/orders", query=query, token=customer_token).json
            listed += page["items"]
            if not (cursor := page["next_cursor"]):
                break
        assert {order["id"]: order["items"] for order in listed} == lines_of


@pytest.mark.parametrize(
    "query", [{"status": "lost"}, {"limit": "0"}, {"cursor": "x"}, {"user_id": "me"}]
)
def test_bad_order_list_parameters_are_a_422(api, customer_token, query):
    assert api.get("/orders", query=query, token=customer_token).status == 422


def test_another_customers_order_is_a_404_on_every_route_and_untouched(
    api, customer_token, products, session
):
    other = factories.tokens_for(session, factories.customer(session))["access_token"]
    order = place(api, customer_token, (products["MUG"], 1)).json

    assert api.get(f"/orders/{order['id']}", token=other).status == 404
    assert api.post(f"/orders/{order['id']}/cancel", token=other).status == 404
    assert api.patch(f"/orders/{order['id']}", {"status": "shipped"}, token=other).status == 403
    assert api.get(f"/orders/{order['id']}", token=customer_token).json["status"] == "pending"


@pytest.mark.parametrize("path", ["/orders/12345", "/orders/abc", "/orders/1e3"])
def test_unknown_or_malformed_order_ids_are_a_404(api, customer_token, path):
    assert api.get(path, token=customer_token).status == 404


def test_cancelling_releases_the_stock_once(api, customer_token, products, session):
    order = place(api, customer_token, (products["MUG"], 4)).json

    first = api.post(f"/orders/{order['id']}/cancel", token=customer_token)
    second = api.post(f"/orders/{order['id']}/cancel", token=customer_token)

    assert first.status == 200 and first.json["status"] == "cancelled"
    assert second.status == 409
    assert stock(session, products["MUG"]) == 10


def test_an_admin_ships_a_confirmed_order_only(
    api, customer_token, admin_token, products, aws_world
):
    order = place(api, customer_token, (products["MUG"], 1)).json
    path = f"/orders/{order['id']}"

    assert api.patch(path, {"status": "shipped"}, token=admin_token).status == 409
    queues.deliver(queues.receive_all(aws_world.sqs, aws_world.queue_url))
    shipped = api.patch(path, {"status": "shipped"}, token=admin_token)

    assert shipped.status == 200 and shipped.json["status"] == "shipped"
    assert api.post(f"{path}/cancel", token=customer_token).status == 409
    assert api.patch(path, {"status": "shipped"}, token=admin_token).status == 409
    assert api.get(path, token=customer_token).json == shipped.json


@pytest.mark.parametrize(
    "body",
    [
        {"status": "cancelled"},
        {"status": "confirmed"},
        {"status": "shipped", "x": 1},
        {},
        {"status": None},
    ],
)
def test_any_other_order_patch_is_a_422_even_from_a_forbidden_state(
    api, customer_token, admin_token, products, body
):
    order = place(api, customer_token, (products["MUG"], 1)).json

    assert api.patch(f"/orders/{order['id']}", body, token=admin_token).status == 422


def test_a_customer_patching_any_order_gets_403(api, customer_token):
    assert api.patch("/orders/1", {"status": "shipped"}, token=customer_token).status == 403


INT32_MAX = 2_147_483_647


def test_fifty_lines_of_1000_at_the_largest_price_have_an_exact_total(api, customer_token, session):
    dear = [
        Product(sku=f"GOLD-{i}", name="Gold", price_cents=INT32_MAX, stock=1000) for i in range(50)
    ]
    session.add_all(dear)
    session.commit()

    reply = place(api, customer_token, *[(p, 1000) for p in dear])

    assert reply.status == 201
    assert reply.json["total_cents"] == 50 * 1000 * INT32_MAX == 107_374_182_350_000
    assert {line["line_total_cents"] for line in reply.json["items"]} == {1000 * INT32_MAX}
    again = api.get(f"/orders/{reply.json['id']}", token=customer_token).json
    assert again["total_cents"] == 107_374_182_350_000


def test_a_cancel_whose_release_would_pass_the_largest_stock_caps_it_there(
    api, customer_token, session
):
    near, exact, plain = (
        Product(sku=sku, name=sku.title(), price_cents=100, stock=1000)
        for sku in ("NEAR", "EXACT", "PLAIN")
    )
    session.add_all([near, exact, plain])
    session.commit()
    order = place(api, customer_token, (near, 1000), (exact, 1000), (plain, 1000)).json
    # While the order was open, an admin restocked two products close to the cap.
    near.stock, exact.stock = INT32_MAX - 10, INT32_MAX - 1000
    session.commit()

    reply = api.post(f"/orders/{order['id']}/cancel", token=customer_token)

    assert reply.status == 200
    assert [stock(session, p) for p in (near, exact, plain)] == [INT32_MAX, INT32_MAX, 1000]
