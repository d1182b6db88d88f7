"""Keyset paging: walking every page gives the listing exactly once, even while rows arrive.

The expected listing is computed independently of shared.paging: which rows match is
decided in Python from the rows as inserted, and their order comes from one ORDER BY
over the whole table on the same database (so `lower(name)` and the collation are the
database's own, as the contract says).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.models import Product, User
from shared.paging import Page
from shared.services.products import list_products
from shared.services.users import list_users

SORTS = ("name", "-name", "price_cents", "-price_cents", "created_at", "-created_at")
ORDERED_BY = {
    "name": func.lower(Product.name),
    "price_cents": Product.price_cents,
    "created_at": Product.created_at,
}
CATEGORIES = ("tools", "toys", "Garden", "books")

# Non-ASCII letters whose lower case is never ASCII, so an ASCII `q` matches the same rows
# whether the database lower-cases them (PostgreSQL) or not (SQLite's ASCII-only lower()).
NAME_ALPHABET = "aAbBzZ éÉßøØΩω日%_\\1"
QUERY_ALPHABET = "aAbBzZ%_\\1 -"
names = st.one_of(
    st.sampled_from(
        ["apple", "Apple", "APPLE", "Äpfel", "äpfel", "zebra", "Zoë", "Émile", "émile", "ω", "Ω"]
    ),
    st.sampled_from(["100% cotton", "100 cotton", "under_score", "underscore", "back\\slash"]),
    st.text(NAME_ALPHABET, min_size=1, max_size=10),
)
prices = st.one_of(st.sampled_from([0, 1, 99, 100, 1999, 2_147_483_647]), st.integers(0, 2000))
_EPOCH = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
moments = st.one_of(
    # Few distinct instants, so created_at ties (broken by id) are common.
    st.sampled_from([_EPOCH, _EPOCH + timedelta(microseconds=1), _EPOCH + timedelta(days=1)]),
    st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1), timezones=st.just(UTC)),
)
products = st.fixed_dictionaries(
    {
        "name": names,
        "sku_stem": st.sampled_from(["AB", "ab_", "x%y", "Q\\", "zz"]),
        "category": st.sampled_from((None, *CATEGORIES)),
        "price_cents": prices,
        "stock": st.sampled_from([0, 0, 1, 7]),
        "is_active": st.sampled_from([True, True, True, False]),
        "created_at": moments,
    }
)
# Searches that often match something (SKUs all contain "-"), plus random ones.
searches = st.one_of(
    st.sampled_from(["a", "A", "p", "%", "_", "\\", "-", "ab", "AP", "0%", "r_", "k\\s"]),
    st.text(QUERY_ALPHABET, min_size=1, max_size=2),
)
product_filters = st.fixed_dictionaries(
    {},
    optional={
        "q": searches,
        "categories": st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3),
        "min_price": st.one_of(st.sampled_from([0, 1, 100, 1000]), prices),
        "max_price": st.one_of(st.sampled_from([99, 100, 1999, 2_147_483_647]), prices),
        "in_stock": st.booleans(),
    },
)
users = st.fixed_dictionaries(
    {
        "local": st.text("abAB_%.1", min_size=1, max_size=6),
        "name": names,
        "role": st.sampled_from(["customer", "customer", "admin"]),
        "is_active": st.sampled_from([True, True, False]),
        "created_at": moments,
    }
)
user_filters = st.fixed_dictionaries(
    {},
    optional={
        "q": st.one_of(searches, st.sampled_from(["@", "@EXAMPLE.com", "."])),
        "role": st.sampled_from(["customer", "admin"]),
        "is_active": st.booleans(),
    },
)
limits = st.integers(1, 7)
# Rows inserted after each page: one batch per page boundary.
arrivals = st.lists(st.lists(products, max_size=3), max_size=8)

property_test = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_unique = itertools.count()


def _empty(session: Session, model: type) -> None:
    session.rollback()
    session.execute(delete(model))
    session.commit()
    session.expunge_all()


@dataclass(frozen=True)
class Products:
    """list_products with `filters` and `sort`, and what it must list, decided independently."""

    filters: dict[str, Any]
    sort: str
    model: ClassVar[type] = Product

    def page(self, session: Session, limit: int, cursor: str | None) -> Page:
        return list_products(session, **self.filters, sort=self.sort, limit=limit, cursor=cursor)

    @staticmethod
    def insert(session: Session, rows: list[dict[str, Any]]) -> dict[int, dict]:
        stored = [
            Product(
                sku=f"{row['sku_stem']}-{next(_unique)}",
                description=None,
                **{k: v for k, v in row.items() if k != "sku_stem"},
            )
            for row in rows
        ]
        session.add_all(stored)
        session.commit()
        return {p.id: {"sku": p.sku, **row} for p, row in zip(stored, rows, strict=True)}

    def lists(self, product: dict[str, Any]) -> bool:
        filters, q = self.filters, self.filters.get("q")
        if not product["is_active"]:
            return False
        if (
            q
            and q.lower() not in product["name"].lower()
            and q.lower() not in product["sku"].lower()
        ):
            return False
        if filters.get("categories") and product["category"] not in filters["categories"]:
            return False
        if "min_price" in filters and product["price_cents"] < filters["min_price"]:
            return False
        if "max_price" in filters and product["price_cents"] > filters["max_price"]:
            return False
        return "in_stock" not in filters or (product["stock"] > 0) == filters["in_stock"]

    def in_order(self, session: Session) -> list[int]:
        """Every product id in `sort` order, ties by id, as one unpaged query sees it."""
        expression = ORDERED_BY[self.sort.lstrip("-")]
        if self.sort.startswith("-"):
            order = (expression.desc(), Product.id.desc())
        else:
            order = (expression.asc(), Product.id.asc())
        return list(session.scalars(select(Product.id).order_by(*order)))


@dataclass(frozen=True)
class Users:
    """list_users with `filters`, and what it must list (oldest first), decided independently."""

    filters: dict[str, Any]
    model: ClassVar[type] = User

    def page(self, session: Session, limit: int, cursor: str | None) -> Page:
        return list_users(session, **self.filters, limit=limit, cursor=cursor)

    @staticmethod
    def insert(session: Session, rows: list[dict[str, Any]]) -> dict[int, dict]:
        stored = [
            User(
                email=f"{row['local'].lower()}{next(_unique)}@example.com",
                name=row["name"],
                password_hash="not-a-real-hash",
                role=row["role"],
                is_active=row["is_active"],
                created_at=row["created_at"],
            )
            for row in rows
        ]
        session.add_all(stored)
        session.commit()
        return {u.id: {"email": u.email, **row} for u, row in zip(stored, rows, strict=True)}

    def lists(self, user: dict[str, Any]) -> bool:
        q = self.filters.get("q")
        if q and q.lower() not in user["email"].lower() and q.lower() not in user["name"].lower():
            return False
        if "role" in self.filters and user["role"] != self.filters["role"]:
            return False
        return "is_active" not in self.filters or user["is_active"] == self.filters["is_active"]

    @staticmethod
    def in_order(session: Session) -> list[int]:
        return list(session.scalars(select(User.id).order_by(User.created_at, User.id)))


def _walk(
    listing: Products | Users,
    session: Session,
    limit: int,
    after_page: Callable[[Page], None] = lambda _: None,
) -> list[Page]:
    """Every page from the first to the one without a next cursor; all full but the last."""
    pages = [listing.page(session, limit, None)]
    while pages[-1].next_cursor is not None:
        assert len(pages) < 100, "the cursor does not advance"
        after_page(pages[-1])
        pages.append(listing.page(session, limit, pages[-1].next_cursor))
    assert all(len(page.items) == limit for page in pages[:-1])
    assert 0 < len(pages[-1].items) <= limit or len(pages) == 1
    return pages


def _ids(pages: list[Page]) -> list[int]:
    return [item["id"] for page in pages for item in page.items]


def _assert_each_match_is_listed_once_in_order(
    session: Session, listing: Products | Users, rows: list[dict], limit: int
) -> None:
    _empty(session, listing.model)
    stored = listing.insert(session, rows)
    expected = [i for i in listing.in_order(session) if listing.lists(stored[i])]

    assert _ids(_walk(listing, session, limit)) == expected


def _assert_rows_added_appear_once_if_ahead_and_never_if_behind(
    session: Session,
    listing: Products | Users,
    rows: list[dict],
    batches: list[list[dict]],
    limit: int,
) -> None:
    """After each page, the next of `batches` is added: listed once if ahead, never if behind."""
    _empty(session, listing.model)
    stored = listing.insert(session, rows)
    original = {i for i, row in stored.items() if listing.lists(row)}
    position_when_added: dict[int, int] = {}
    pending = iter(batches)

    def add_rows(page: Page) -> None:
        added = listing.insert(session, next(pending, []))
        stored.update(added)
        position_when_added.update(dict.fromkeys(added, page.items[-1]["id"]))

    pages = _walk(listing, session, limit, add_rows)

    order = listing.in_order(session)
    rank = {row_id: place for place, row_id in enumerate(order)}
    expected = [
        i
        for i in order
        if i in original
        or (
            i in position_when_added
            and listing.lists(stored[i])
            and rank[i] > rank[position_when_added[i]]
        )
    ]
    assert _ids(pages) == expected


@pytest.mark.parametrize("sort", SORTS)
@property_test
@given(catalogue=st.lists(products, min_size=3, max_size=30), filters=product_filters, limit=limits)
def test_walking_every_page_lists_each_matching_product_once_in_order(
    session, sort, catalogue, filters, limit
):
    _assert_each_match_is_listed_once_in_order(session, Products(filters, sort), catalogue, limit)


@pytest.mark.parametrize("sort", SORTS)
@property_test
@given(
    catalogue=st.lists(products, min_size=3, max_size=25),
    filters=product_filters,
    limit=limits,
    batches=arrivals,
)
def test_products_added_while_paging_appear_once_if_ahead_and_never_if_behind(
    session, sort, catalogue, filters, limit, batches
):
    _assert_rows_added_appear_once_if_ahead_and_never_if_behind(
        session, Products(filters, sort), catalogue, batches, limit
    )


@property_test
@given(people=st.lists(users, min_size=3, max_size=30), filters=user_filters, limit=limits)
def test_walking_every_page_of_users_lists_each_matching_user_once_oldest_first(
    session, people, filters, limit
):
    _assert_each_match_is_listed_once_in_order(session, Users(filters), people, limit)


@property_test
@given(
    people=st.lists(users, min_size=3, max_size=25),
    filters=user_filters,
    limit=limits,
    batches=st.lists(st.lists(users, max_size=3), max_size=8),
)
def test_users_added_while_paging_appear_once_if_ahead_and_never_if_behind(
    session, people, filters, limit, batches
):
    _assert_rows_added_appear_once_if_ahead_and_never_if_behind(
        session, Users(filters), people, batches, limit
    )
