"""GET /products: the catalogue as shoppers browse it, and what the listing refuses."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from shared import db
from shared.config import settings
from shared.models import Product
from shared.signing_keys import signing_keys
from tests import factories
from tests.apigw import Client

FUNCTION = "products"  # the handler behind the `api` fixture (tests/conftest.py)

_OPENING = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
# (sku, name, category, price_cents, stock), listed oldest first.
SHELF = [
    ("W-1", "Blue Widget", "tools", 999, 5),
    ("W-2", "red widget", "tools", 1000, 0),
    ("G-1", "Garden Gnome", "garden", 1999, 3),
    ("T-1", "Toy Train", "toys", 2000, 0),
    ("B-1", "Big Book", "books", 0, 12),
    ("X-1", "Mystery box", None, 2_147_483_647, 1),
    ("ZZ-WIDGET", "Plain thing", "toys", 1500, 2),
]
EVERYTHING = [row[0] for row in SHELF]
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _shelve(session: Session, *rows: tuple, active: bool = True) -> list[Product]:
    """Products created a second apart, in the order given."""
    start = session.query(Product).count()
    products = [
        Product(
            sku=sku,
            name=name,
            category=category,
            price_cents=price,
            stock=stock,
            is_active=active,
            created_at=_OPENING + timedelta(seconds=start + i),
        )
        for i, (sku, name, category, price, stock) in enumerate(rows)
    ]
    session.add_all(products)
    session.commit()
    return products


def _numbered(count: int, *, prefix: str = "P") -> list[tuple]:
    return [(f"{prefix}-{i:03}", f"Product {i:03}", "misc", 100 + i, 1) for i in range(count)]


@pytest.fixture
def shelf(session) -> None:
    _shelve(session, *SHELF)
    _shelve(session, ("OFF-1", "Retired Widget", "tools", 1000, 5), active=False)


def _skus(reply) -> list[str]:
    assert reply.status == 200, reply.text
    return [p["sku"] for p in reply.json["items"]]


def _all_pages(api: Client, query: dict) -> list[str]:
    skus, cursor = [], None
    while True:
        reply = api.get("/products", query={**query, **({"cursor": cursor} if cursor else {})})
        skus += _skus(reply)
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return skus


def _assert_cursor_refused(reply) -> None:
    assert reply.status == 422, reply.text
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.json["errors"][0]["field"] == "cursor"


# Browsing


def test_the_catalogue_lists_active_products_oldest_first(api, shelf):
    reply = api.get("/products")

    assert _skus(reply) == EVERYTHING
    assert reply.json["next_cursor"] is None


def test_a_listed_product_reads_as_it_does_on_its_own(api, shelf):
    listed = api.get("/products", query={"limit": 3}).json["items"]

    assert [api.get(f"/products/{item['id']}").json for item in listed] == listed


def test_the_catalogue_shows_twenty_products_a_page_by_default(api, session):
    _shelve(session, *_numbered(25))

    first = api.get("/products")
    second = api.get("/products", query={"cursor": first.json["next_cursor"]})

    assert _skus(first) == [f"P-{i:03}" for i in range(20)]
    assert first.json["next_cursor"] is not None
    assert _skus(second) == [f"P-{i:03}" for i in range(20, 25)]
    assert second.json["next_cursor"] is None


def test_products_added_at_the_same_instant_are_listed_in_id_order(api, session):
    products = _shelve(session, *_numbered(5))
    for product in products:
        product.created_at = _OPENING
    session.commit()

    assert _all_pages(api, {"limit": 2}) == [p.sku for p in products]
    assert _all_pages(api, {"limit": 2, "sort": "-created_at"}) == [
        p.sku for p in reversed(products)
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("created_at", EVERYTHING),
        ("-created_at", EVERYTHING[::-1]),
        ("price_cents", ["B-1", "W-1", "W-2", "ZZ-WIDGET", "G-1", "T-1", "X-1"]),
        ("-price_cents", ["X-1", "T-1", "G-1", "ZZ-WIDGET", "W-2", "W-1", "B-1"]),
        # Case-insensitive: "red widget" comes after "Plain thing", before "Toy Train".
        ("name", ["B-1", "W-1", "G-1", "X-1", "ZZ-WIDGET", "W-2", "T-1"]),
        ("-name", ["T-1", "W-2", "ZZ-WIDGET", "X-1", "G-1", "W-1", "B-1"]),
    ],
)
def test_each_sort_orders_the_whole_catalogue_across_pages(api, shelf, sort, expected):
    assert _skus(api.get("/products", query={"sort": sort})) == expected
    assert _all_pages(api, {"sort": sort, "limit": 2}) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "WIDGET"}, ["W-1", "W-2", "ZZ-WIDGET"]),
        ({"q": "w-"}, ["W-1", "W-2"]),
        ({"q": "gNoMe"}, ["G-1"]),
        ({"category": "tools"}, ["W-1", "W-2"]),
        ({"category": "tools,toys"}, ["W-1", "W-2", "T-1", "ZZ-WIDGET"]),
        ({"category": "toys, nowhere"}, ["T-1", "ZZ-WIDGET"]),
        ({"category": "TOOLS"}, []),
        ({"min_price": "1000"}, ["W-2", "G-1", "T-1", "X-1", "ZZ-WIDGET"]),
        ({"max_price": "1999"}, ["W-1", "W-2", "G-1", "B-1", "ZZ-WIDGET"]),
        ({"min_price": "1000", "max_price": "2000"}, ["W-2", "G-1", "T-1", "ZZ-WIDGET"]),
        ({"min_price": "1000", "max_price": "1000"}, ["W-2"]),
        ({"min_price": "2001", "max_price": "1999"}, []),
        ({"min_price": "0", "max_price": "2147483647"}, EVERYTHING),
        ({"in_stock": "true"}, ["W-1", "G-1", "B-1", "X-1", "ZZ-WIDGET"]),
        ({"in_stock": "false"}, ["W-2", "T-1"]),
        ({"q": "widget", "category": "tools", "min_price": "1000", "in_stock": "false"}, ["W-2"]),
        (
            {"category": "tools,toys", "max_price": "1500", "in_stock": "true"},
            ["W-1", "ZZ-WIDGET"],
        ),
        ({"q": "n", "category": "toys,garden", "min_price": "1999", "max_price": "1999"}, ["G-1"]),
    ],
)
def test_filters_narrow_the_catalogue_and_combine_with_and(api, shelf, query, expected):
    assert _skus(api.get("/products", query=query)) == expected
    assert _all_pages(api, {**query, "limit": 1}) == expected


def test_a_cursor_continues_whatever_order_the_categories_are_given_in(api, shelf):
    first = api.get("/products", query={"category": "toys,tools", "limit": 2}).json

    rest = api.get(
        "/products",
        query={"category": "tools,toys", "limit": 2, "cursor": first["next_cursor"]},
    )

    assert _skus(rest) == ["T-1", "ZZ-WIDGET"]


def test_the_page_size_may_change_from_one_page_to_the_next(api, session):
    _shelve(session, *_numbered(6))
    first = api.get("/products", query={"limit": 1}).json

    rest = api.get("/products", query={"limit": 10, "cursor": first["next_cursor"]})

    assert _skus(rest) == [f"P-{i:03}" for i in range(1, 6)]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("%", ["100% cotton"]),
        ("0%", ["100% cotton"]),
        ("_", ["under_score"]),
        ("r_s", ["under_score"]),
        ("\\", ["back\\slash"]),
        ("k\\s", ["back\\slash"]),
        ("%_%", []),
    ],
)
def test_a_search_takes_like_wildcards_and_backslashes_literally(api, session, q, expected):
    names = ["100% cotton", "1000 cotton", "under_score", "underXscore", "back\\slash", "backslash"]
    _shelve(session, *[(f"S-{i}", name, None, 100, 1) for i, name in enumerate(names)])

    found = api.get("/products", query={"q": q}).json["items"]

    assert [p["name"] for p in found] == expected


def test_a_search_matches_the_sku_case_insensitively(api, session):
    _shelve(session, ("abc-XYZ-9", "Thing", None, 1, 1), ("other", "Other", None, 1, 1))

    assert _skus(api.get("/products", query={"q": "C-xyZ"})) == ["abc-XYZ-9"]


def test_a_search_matches_accented_letters_case_insensitively_on_postgresql(postgres):
    # SQLite's lower() folds ASCII only, so this holds on PostgreSQL (production) alone.
    from handlers.products import handler

    with db.session_scope() as session:
        _shelve(session, ("E-1", "Émile chair", None, 1, 1), ("E-2", "Emile chair", None, 1, 1))

    assert _skus(Client(handler).get("/products", query={"q": "éMILE"})) == ["E-1"]


def test_inactive_products_are_never_listed_whatever_the_filters(api, session):
    _shelve(session, ("OFF-1", "Retired Widget", "tools", 1000, 5), active=False)
    _shelve(session, ("ON-1", "Live Widget", "tools", 1000, 5))

    for query in ({}, {"q": "retired"}, {"category": "tools"}, {"in_stock": "true"}):
        for sort in ("name", "-price_cents", "created_at"):
            assert "OFF-1" not in _all_pages(api, {**query, "sort": sort, "limit": 1})


def test_the_last_page_has_no_next_cursor_even_when_it_is_full(api, session):
    _shelve(session, *_numbered(4))

    first = api.get("/products", query={"limit": 2}).json
    last = api.get("/products", query={"limit": 2, "cursor": first["next_cursor"]}).json

    assert len(last["items"]) == 2 and last["next_cursor"] is None


def test_an_empty_catalogue_is_an_empty_page(api):
    reply = api.get("/products")

    assert reply.status == 200 and reply.json == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("limit", [1, 2, 99, 100])
def test_a_page_holds_from_one_to_a_hundred_products(api, session, limit):
    _shelve(session, *_numbered(101))

    reply = api.get("/products", query={"limit": str(limit)})

    assert _skus(reply) == [f"P-{i:03}" for i in range(limit)]
    assert reply.json["next_cursor"] is not None


def test_a_page_that_ends_on_a_long_emoji_name_still_leads_to_the_next(api, session):
    # 200 characters is the longest name a product may have.
    _shelve(session, *[(f"E-{i}", "😀" * 200, None, 1, 1) for i in range(3)])

    assert _all_pages(api, {"sort": "name", "limit": 1}) == ["E-0", "E-1", "E-2"]
    assert _all_pages(api, {"sort": "-name", "limit": 1}) == ["E-2", "E-1", "E-0"]


# Bad parameters


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "1000000"}, "limit"),
        ({"limit": "99999999999999999999999"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"min_price": "abc"}, "min_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"min_price": "1e3"}, "min_price"),
        ({"min_price": "10.00"}, "min_price"),
        ({"max_price": "2147483648"}, "max_price"),
        ({"in_stock": "yes"}, "in_stock"),
        ({"in_stock": "1"}, "in_stock"),
        ({"sort": "id"}, "sort"),
        ({"sort": "NAME"}, "sort"),
        ({"sort": "price_cents;DROP TABLE products"}, "sort"),
        ({"q": "x" * 201}, "q"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_listing_parameter_is_a_422_naming_it(api, shelf, query, field):
    reply = api.get("/products", query=query)

    assert reply.status == 422, reply.text
    assert reply.header("Content-Type") == "application/problem+json"
    assert [e["field"] for e in reply.json["errors"]] == [field]


def test_a_price_filter_that_is_no_whole_number_is_explained_in_the_shops_own_words(api, shelf):
    reply = api.get("/products", query={"min_price": "1e3"})

    assert reply.json["errors"] == [{"field": "min_price", "message": "must be a whole number"}]


@pytest.mark.parametrize("parameter", ["q", "category"])
def test_a_search_containing_u0000_is_a_422_not_a_server_error(api, shelf, parameter):
    reply = api.get("/products", query={parameter: "widget\x00"})

    assert reply.status == 422, reply.text
    assert reply.json["errors"][0]["field"] == parameter


@pytest.mark.parametrize("parameter", ["q", "category"])
@pytest.mark.parametrize(
    "attack",
    [
        "' OR 1=1 --",
        "' OR '1'='1",
        "%' UNION SELECT id, sku, name FROM users --",
        "'; DROP TABLE products; --",
        '" OR ""="',
        "widget') OR ('a'='a",
    ],
)
def test_sql_in_a_search_is_just_text_that_matches_nothing(api, shelf, parameter, attack):
    reply = api.get("/products", query={parameter: attack})

    assert reply.status == 200, reply.text
    assert reply.json == {"items": [], "next_cursor": None}
    assert _skus(api.get("/products")) == EVERYTHING


# Cursors the listing did not issue, or issued for another listing


@pytest.fixture
def issued_cursor(api, shelf) -> str:
    cursor = api.get("/products", query={"limit": 2}).json["next_cursor"]
    assert cursor is not None
    return cursor


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _flip(text: str, position: int) -> str:
    """`text` with the character at `position` replaced by its neighbour in base64url."""
    replacement = BASE64URL[BASE64URL.index(text[position]) ^ 1]
    return text[:position] + replacement + text[position + 1 :]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "a.b",
        "a.b.c",
        "....",
        ".",
        "é.é",
        "\x00",
        "eyJzIjoiY3JlYXRlZF9hdCJ9",
        "x" * 2001,
        _b64(b'{"s":"created_at","f":"0","k":{"t":"raw","v":1},"i":1}') + ".AAAA",
    ],
)
def test_a_garbage_cursor_is_a_422(api, shelf, cursor):
    _assert_cursor_refused(api.get("/products", query={"cursor": cursor}))


def test_the_issued_cursor_itself_is_accepted(api, issued_cursor):
    reply = api.get("/products", query={"limit": 2, "cursor": issued_cursor})

    assert _skus(reply) == ["G-1", "T-1"]


@pytest.mark.parametrize("part", ["payload", "signature"])
def test_a_cursor_with_one_character_changed_is_a_422(api, issued_cursor, part):
    payload, signature = issued_cursor.split(".")
    if part == "payload":
        payload = _flip(payload, len(payload) // 2)
    else:
        signature = _flip(signature, len(signature) // 2)

    _assert_cursor_refused(api.get("/products", query={"cursor": f"{payload}.{signature}"}))


def test_a_cursor_is_accepted_only_exactly_as_issued(api, issued_cursor):
    payload, signature = issued_cursor.split(".")
    variants = {
        f"character {i + 1} of {len(issued_cursor)} changed": _flip(issued_cursor, i)
        for i, c in enumerate(issued_cursor)
        if c != "."
    }
    variants["padding added to the payload"] = f"{payload}=.{signature}"
    variants["padding added to the signature"] = f"{payload}.{signature}=="

    accepted = [
        change
        for change, variant in variants.items()
        if api.get("/products", query={"limit": 2, "cursor": variant}).status != 422
    ]

    assert not accepted, f"accepted although changed: {accepted}"


def test_a_cursor_rewritten_to_point_elsewhere_keeps_its_old_signature_and_is_a_422(
    api, issued_cursor
):
    payload, signature = issued_cursor.split(".")
    data = json.loads(_unb64(payload))
    data["i"] = 1

    forged = _b64(json.dumps(data, separators=(",", ":")).encode()) + "." + signature

    _assert_cursor_refused(api.get("/products", query={"cursor": forged}))


@pytest.mark.parametrize("other_sort", ["-created_at", "name", "price_cents"])
def test_a_cursor_from_another_sort_is_a_422(api, shelf, other_sort):
    cursor = api.get("/products", query={"sort": "created_at", "limit": 2}).json["next_cursor"]

    _assert_cursor_refused(api.get("/products", query={"sort": other_sort, "cursor": cursor}))


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [
        ({"q": "widget"}, {"q": "gadget"}),
        ({}, {"category": "tools"}),
        ({"category": "tools,toys"}, {"category": "tools"}),
        ({"min_price": "0"}, {"min_price": "1"}),
        ({"min_price": "0"}, {}),
        ({"max_price": "5000"}, {"max_price": "5001"}),
        ({"in_stock": "true"}, {"in_stock": "false"}),
        ({}, {"in_stock": "true"}),
    ],
)
def test_a_cursor_from_other_filters_is_a_422(api, shelf, issued_for, used_for):
    cursor = api.get("/products", query={**issued_for, "limit": 1}).json["next_cursor"]
    assert cursor is not None

    _assert_cursor_refused(api.get("/products", query={**used_for, "cursor": cursor}))


def test_a_cursor_from_the_users_listing_is_a_422_on_products(api, shelf, session):
    from handlers.users import handler as users_handler

    admin = factories.admin(session)
    factories.customer(session)
    token = factories.tokens_for(session, admin)["access_token"]
    users_page = Client(users_handler).get("/users", query={"limit": 1}, token=token)
    cursor = users_page.json["next_cursor"]
    assert cursor is not None

    for sort in ("created_at", "-created_at", "name"):
        _assert_cursor_refused(api.get("/products", query={"sort": sort, "cursor": cursor}))


def test_a_cursor_signed_with_another_key_is_a_422(api, shelf, monkeypatch):
    def use_current_environment() -> None:
        settings.cache_clear()
        signing_keys.cache_clear()

    try:
        with monkeypatch.context() as patched:
            patched.setenv("JWT_SECRET", "another-signing-key-that-is-also-long-enough")
            use_current_environment()
            cursor = api.get("/products", query={"limit": 2}).json["next_cursor"]
        use_current_environment()
        assert cursor is not None

        _assert_cursor_refused(api.get("/products", query={"limit": 2, "cursor": cursor}))
    finally:
        use_current_environment()
