"""The catalogue listing stays an index walk on a large catalogue (PostgreSQL plans).

Each test loads ~20k products, then EXPLAINs the very SQL, with the very parameters,
that the listing service runs for a first page and for later pages of each sort.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, text

from shared import db
from shared.services.products import list_products

CATALOGUE_SIZE = 20_000
INDEX_OF_SORT = {
    "name": "ix_products_active_name",
    "price_cents": "ix_products_active_price",
    "created_at": "ix_products_active_created",
}
SORTS = ("name", "-name", "price_cents", "-price_cents", "created_at", "-created_at")


def _load_catalogue(engine: Engine) -> None:
    """20k products (one in ten inactive) with tied prices and timestamps, then ANALYZE."""
    with engine.begin() as connection:
        connection.execute(
            text(
                """
                INSERT INTO products
                    (sku, name, description, category, price_cents, stock, is_active,
                     created_at, updated_at)
                SELECT 'SKU-' || i,
                       (ARRAY['Widget ', 'gadget ', 'Émile ', 'ZEBRA '])[1 + mod(i, 4)]
                           || md5(i::text),
                       NULL,
                       (ARRAY['tools', 'toys', 'garden', 'books'])[1 + mod(i, 4)],
                       mod(i * 7919, 50000),
                       mod(i, 5),
                       mod(i, 10) <> 0,
                       timestamptz '2025-01-01 00:00:00+00' + (i / 3) * interval '1 second',
                       timestamptz '2025-01-01 00:00:00+00'
                FROM generate_series(1, :size) AS i
                """
            ),
            {"size": CATALOGUE_SIZE},
        )
        # In the same transaction: its statistics are committed with the rows.
        connection.execute(text("ANALYZE products"))


@contextmanager
def _statements_run(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    """The (SQL, parameters) of every SELECT on products run while the block runs."""
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM products" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _plan(engine: Engine, statement: str, parameters: object) -> dict:
    with engine.connect() as connection:
        raw = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    document = json.loads(raw) if isinstance(raw, str) else raw
    return document[0]["Plan"]


def _nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _page_plan(engine: Engine, sort: str, cursor: str | None, limit: int = 20) -> dict:
    with db.session_scope() as session, _statements_run(engine) as captured:
        list_products(session, sort=sort, limit=limit, cursor=cursor)
    assert len(captured) == 1, captured
    return _plan(engine, *captured[0])


def _cursor_after(sort: str, pages: int, limit: int) -> str:
    cursor = None
    with db.session_scope() as session:
        for _ in range(pages):
            cursor = list_products(session, sort=sort, limit=limit, cursor=cursor).next_cursor
    assert cursor is not None
    return cursor


def _assert_walks_the_index(plan: dict, sort: str) -> None:
    nodes = list(_nodes(plan))
    summary = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes]
    assert plan["Node Type"] == "Limit", summary
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"], summary
    assert not [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")], summary
    assert any(
        n["Node Type"] in ("Index Scan", "Index Only Scan")
        and n.get("Index Name") == INDEX_OF_SORT[sort.lstrip("-")]
        for n in nodes
    ), summary


@pytest.fixture
def catalogue(postgres) -> Engine:
    _load_catalogue(postgres)
    return postgres


@pytest.mark.parametrize("sort", SORTS)
def test_the_first_page_of_a_large_catalogue_is_read_from_its_sort_index(catalogue, sort):
    _assert_walks_the_index(_page_plan(catalogue, sort, cursor=None), sort)


@pytest.mark.parametrize("sort", SORTS)
def test_a_later_page_of_a_large_catalogue_seeks_into_its_sort_index(catalogue, sort):
    second_page = _cursor_after(sort, pages=1, limit=20)
    halfway = _cursor_after(sort, pages=45, limit=200)

    for cursor in (second_page, halfway):
        plan = _page_plan(catalogue, sort, cursor=cursor)
        _assert_walks_the_index(plan, sort)
        # The cursor is an index condition (a seek), not a filter over the rows before it.
        scans = [n for n in _nodes(plan) if n["Node Type"] in ("Index Scan", "Index Only Scan")]
        assert all("ROW(" in scan.get("Index Cond", "") for scan in scans), scans
