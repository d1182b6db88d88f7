"""The catalogue: products found, changed and upserted by SKU, inactive ones hidden."""

from __future__ import annotations

import pytest

from shared.errors import Conflict, NotFound
from shared.models import Product
from shared.services import products
from tests import factories


def row(sku: str, *, name: str, stock: int) -> dict:
    """A product as a CSV import gives it."""
    return {
        "sku": sku,
        "name": name,
        "description": None,
        "category": "kitchen",
        "price_cents": 999,
        "stock": stock,
    }


def test_an_inactive_product_is_not_found_unless_asked_for(session):
    product = factories.product(session)
    products.deactivate_product(session, product.id)

    with pytest.raises(NotFound):
        products.get_product(session, product.id)
    assert products.get_product(session, product.id, include_inactive=True).is_active is False


def test_a_product_keeps_its_own_sku_through_a_change(session):
    product = factories.product(session, sku="MUG")

    changed = products.update_product(session, product.id, changes={"sku": "MUG", "stock": 7})

    assert (changed.sku, changed.stock) == ("MUG", 7)


def test_a_product_cannot_take_a_sku_another_product_has(session):
    factories.product(session, sku="MUG")
    tea = factories.product(session, sku="TEA")

    with pytest.raises(Conflict, match="MUG"):
        products.update_product(session, tea.id, changes={"sku": "MUG"})

    session.expire_all()
    assert session.get(Product, tea.id).sku == "TEA"


def test_upserting_creates_new_skus_active_and_updates_known_ones(session):
    factories.product(session, sku="MUG", stock=1)

    counted = products.upsert_products(
        session, rows=[row("MUG", name="Big Mug", stock=40), row("TEA", name="Tea", stock=9)]
    )
    session.commit()

    assert counted == products.Upserted(created=1, updated=1)
    session.expire_all()
    stored = {p.sku: (p.name, p.stock, p.is_active) for p in session.query(Product)}
    assert stored == {"MUG": ("Big Mug", 40, True), "TEA": ("Tea", 9, True)}


def test_an_upsert_is_left_for_the_caller_to_commit(session):
    factories.product(session, sku="MUG", stock=1)

    products.upsert_products(
        session, rows=[row("MUG", name="Big Mug", stock=40), row("TEA", name="Tea", stock=9)]
    )
    session.rollback()

    assert [(p.sku, p.stock) for p in session.query(Product)] == [("MUG", 1)]
