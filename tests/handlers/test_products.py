"""The products function: the catalogue as customers and admins use it."""

from __future__ import annotations

import pytest

from shared.models import Product

FUNCTION = "products"  # the handler behind the `api` fixture (tests/conftest.py)

WIDGET = {"sku": "W-1", "name": "Widget", "price_cents": 1999, "stock": 5}


def test_an_admin_creates_a_product_and_is_told_where_it_lives(api, admin_token):
    reply = api.post("/products", {**WIDGET, "category": "tools"}, token=admin_token)

    assert reply.status == 201
    product = reply.json
    assert reply.header("Location") == f"/products/{product['id']}"
    assert product["sku"] == "W-1" and product["category"] == "tools"
    assert product["description"] is None and product["is_active"] is True
    assert product["created_at"].endswith("Z") and product["updated_at"].endswith("Z")


def test_a_customer_cannot_create_products(api, customer_token):
    assert api.post("/products", WIDGET, token=customer_token).status == 403


def test_a_customer_gets_403_before_any_validation(api, customer_token):
    assert api.post("/products", {"nonsense": True}, token=customer_token).status == 403


def test_a_duplicate_sku_is_a_conflict(api, admin_token, session):
    api.post("/products", WIDGET, token=admin_token)

    reply = api.post("/products", {**WIDGET, "name": "Other"}, token=admin_token)

    assert reply.status == 409
    assert "W-1" in reply.json["detail"]
    assert [p.name for p in session.query(Product)] == [WIDGET["name"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_cents", -1),
        ("stock", -1),
        ("price_cents", 19.99),
        ("price_cents", 1.0),
        ("price_cents", "1999"),
        ("price_cents", True),
        ("stock", 2147483648),
        ("sku", ""),
        ("name", "  "),
        ("sku", None),
    ],
)
def test_a_bad_product_field_is_a_422_naming_it(api, admin_token, field, value):
    reply = api.post("/products", {**WIDGET, field: value}, token=admin_token)

    assert reply.status == 422
    assert [e["field"] for e in reply.json["errors"]] == [field]


def test_anyone_reads_an_active_product(api, admin_token):
    created = api.post("/products", WIDGET, token=admin_token).json

    reply = api.get(f"/products/{created['id']}")

    assert reply.status == 200 and reply.json == created


@pytest.mark.parametrize(
    "path",
    [
        "/products/999999",
        "/products/abc",
        "/products/-1",
        "/products/0",
        "/products/99999999999999999999",
    ],
)
def test_an_unknown_or_malformed_product_id_is_a_404(api, path):
    reply = api.get(path)

    assert reply.status == 404
    assert reply.header("Content-Type") == "application/problem+json"


def test_a_deleted_product_is_hidden_from_customers_but_not_from_admins(
    api, admin_token, customer_token
):
    created = api.post("/products", WIDGET, token=admin_token).json

    assert api.delete(f"/products/{created['id']}", token=admin_token).status == 204

    assert api.get(f"/products/{created['id']}").status == 404
    assert api.get(f"/products/{created['id']}", token=customer_token).status == 404
    seen_by_admin = api.get(f"/products/{created['id']}", token=admin_token)
    assert seen_by_admin.status == 200 and seen_by_admin.json["is_active"] is False
    assert api.get("/products").json["items"] == []


def test_deleting_keeps_the_row_so_orders_keep_their_lines(api, admin_token, session):
    created = api.post("/products", WIDGET, token=admin_token).json

    api.delete(f"/products/{created['id']}", token=admin_token)

    assert session.get(Product, created["id"]).is_active is False


def test_patch_changes_only_the_fields_sent(api, admin_token):
    created = api.post("/products", {**WIDGET, "description": "Shiny"}, token=admin_token).json

    reply = api.patch(f"/products/{created['id']}", {"price_cents": 2500}, token=admin_token)

    assert reply.status == 200
    assert reply.json["price_cents"] == 2500
    assert reply.json["description"] == "Shiny" and reply.json["stock"] == 5


def test_patch_validates_like_create(api, admin_token):
    created = api.post("/products", WIDGET, token=admin_token).json

    for body in ({"price_cents": -5}, {"stock": "3"}, {"sku": None}, {"colour": "red"}):
        assert api.patch(f"/products/{created['id']}", body, token=admin_token).status == 422


def test_patch_to_a_taken_sku_is_a_conflict(api, admin_token):
    api.post("/products", WIDGET, token=admin_token)
    other = api.post("/products", {**WIDGET, "sku": "W-2"}, token=admin_token).json

    reply = api.patch(f"/products/{other['id']}", {"sku": "W-1"}, token=admin_token)

    assert reply.status == 409
    assert api.get(f"/products/{other['id']}").json == other


def test_a_batch_creates_every_item(api, admin_token):
    items = [{**WIDGET, "sku": f"B-{i}"} for i in range(3)]

    reply = api.post("/products/batch", {"items": items}, token=admin_token)

    assert reply.status == 201
    assert reply.json["created"] == 3
    assert [p["sku"] for p in reply.json["items"]] == ["B-0", "B-1", "B-2"]


def test_a_batch_with_a_bad_item_creates_nothing_and_names_it(api, admin_token, session):
    items = [{**WIDGET, "sku": f"B-{i}"} for i in range(5)]
    items[3]["price_cents"] = -1
    items[1]["stock"] = "many"

    reply = api.post("/products/batch", {"items": items}, token=admin_token)

    assert reply.status == 422
    assert {e["field"] for e in reply.json["errors"]} == {"items[3].price_cents", "items[1].stock"}
    assert session.query(Product).count() == 0


def test_a_batch_names_skus_repeated_in_it_or_already_stored(api, admin_token, session):
    api.post("/products", {**WIDGET, "sku": "OLD"}, token=admin_token)
    items = [{**WIDGET, "sku": s} for s in ("A", "OLD", "B", "A")]

    reply = api.post("/products/batch", {"items": items}, token=admin_token)

    assert reply.status == 409
    assert {e["field"] for e in reply.json["errors"]} == {"items[1].sku", "items[3].sku"}
    assert session.query(Product).count() == 1


@pytest.mark.parametrize("count", [0, 501])
def test_a_batch_holds_one_to_500_items(api, admin_token, count):
    items = [{**WIDGET, "sku": f"B-{i}"} for i in range(count)]

    assert api.post("/products/batch", {"items": items}, token=admin_token).status == 422


def test_a_batch_of_500_is_accepted(api, admin_token):
    items = [{**WIDGET, "sku": f"B-{i}"} for i in range(500)]

    assert api.post("/products/batch", {"items": items}, token=admin_token).json["created"] == 500
