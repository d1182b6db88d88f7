"""A demo catalogue for a fresh local shop: a few hundred products across categories."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import Product
from shared.models.base import utcnow
from shared.services import products

# Each product's name is one of its category's adjectives and one of its nouns.
ADJECTIVES = {
    "books": ["Paperback", "Hardcover", "Illustrated", "Pocket"],
    "garden": ["Steel", "Bamboo", "Ceramic", "Cedar"],
    "kitchen": ["Cast-Iron", "Copper", "Enamel", "Glass"],
    "outdoor": ["Waterproof", "Ultralight", "Insulated", "Folding"],
    "office": ["Recycled", "Leather", "Oak", "Aluminium"],
    "toys": ["Wooden", "Plush", "Magnetic", "Glow-in-the-Dark"],
}
NOUNS = {
    "books": ["Atlas", "Cookbook", "Novel", "Field Guide", "Poetry Collection"],
    "garden": ["Trowel", "Planter", "Watering Can", "Bird Feeder", "Pruner"],
    "kitchen": ["Skillet", "Kettle", "Mixing Bowl", "Teapot", "Colander"],
    "outdoor": ["Tent", "Backpack", "Flask", "Lantern", "Camp Chair"],
    "office": ["Notebook", "Desk Lamp", "Pen Holder", "Monitor Stand", "Planner"],
    "toys": ["Puzzle", "Robot", "Train Set", "Kite", "Building Blocks"],
}
PER_CATEGORY = 50


def demo_products() -> list[dict]:
    """The same few hundred products every time (a fixed seed), SKUs DEMO-<category>-NNN."""
    rng = random.Random(20261125)  # noqa: S311 - demo data, not secrets
    now = utcnow()
    items = []
    for category, adjectives in ADJECTIVES.items():
        for number in range(1, PER_CATEGORY + 1):
            adjective, noun = rng.choice(adjectives), rng.choice(NOUNS[category])
            items.append(
                {
                    "sku": f"DEMO-{category[:3].upper()}-{number:03d}",
                    "name": f"{adjective} {noun} No. {number}",
                    "description": f"A {adjective.lower()} {noun.lower()} ({category}).",
                    "category": category,
                    "price_cents": rng.choice([499, 999, 1499, 1999, 2999, 4999, 9999, 14999]),
                    "stock": rng.choice([0, 3, 10, 25, 100]),
                    # Spread over the last 90 days, so "newest first" means something.
                    "created_at": now - timedelta(minutes=rng.randrange(90 * 24 * 60)),
                }
            )
    return items


def seed_demo(session: Session) -> dict:
    """Add, and commit, the demo products that are missing; those already there are kept."""
    wanted = demo_products()
    existing = set(session.scalars(select(Product.sku).where(Product.sku.like("DEMO-%"))))
    missing = [p for p in wanted if p["sku"] not in existing]
    products.create_products(
        session, items=[{**fields, "updated_at": fields["created_at"]} for fields in missing]
    )
    return {"status": "ok", "created": len(missing), "already_there": len(wanted) - len(missing)}
