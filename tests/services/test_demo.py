"""The demo catalogue: the same products every time, added to a shop without touching its own."""

from __future__ import annotations

from shared.models import Product
from shared.services import demo


def test_the_demo_catalogue_is_the_same_every_time_bar_its_dates():
    def without_dates(products: list[dict]) -> list[dict]:
        return [{k: v for k, v in p.items() if k != "created_at"} for p in products]

    assert without_dates(demo.demo_products()) == without_dates(demo.demo_products())


def test_every_demo_product_has_a_sku_of_its_own_that_names_its_category():
    products = demo.demo_products()

    skus = [p["sku"] for p in products]
    assert len(set(skus)) == len(skus)
    assert all(p["sku"].startswith(f"DEMO-{p['category'][:3].upper()}-") for p in products)


def test_seeding_adds_only_the_missing_demo_products_and_leaves_the_shop_s_own_alone(session):
    first = demo.demo_products()[0]
    session.add_all(
        [
            Product(sku=first["sku"], name="Renamed by an admin", price_cents=1, stock=0),
            Product(sku="MUG", name="Mug", price_cents=1250, stock=3),
        ]
    )
    session.commit()

    result = demo.seed_demo(session)

    assert (result["created"], result["already_there"]) == (len(demo.demo_products()) - 1, 1)
    session.expire_all()
    kept = session.query(Product).filter(Product.sku.in_([first["sku"], "MUG"])).all()
    assert sorted((p.sku, p.name) for p in kept) == sorted(
        [(first["sku"], "Renamed by an admin"), ("MUG", "Mug")]
    )
