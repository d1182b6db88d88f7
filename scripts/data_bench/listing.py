"""The catalogue's listing at scale: walked by its cursors, timed shallow and deep, its plans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scripts.bench_report import Report, ms, p50, p99
from scripts.data_bench import BenchError, progress, timed
from scripts.data_bench.shop import World
from scripts.data_bench.trace import explain, statements

PAGE_TARGET = 2.0
SINGLE_ROW_TARGET = 2.0


def walk(api: Any, query: dict[str, Any], pages: int, report: Report) -> list[str | None]:
    """The listing walked to page `pages`, checked on the way: each page's cursor."""
    progress(f"walking GET /products?{shown(query)} to page {pages}")
    cursors, seen = walk_listing(api, query, pages)
    deep = len(cursors)
    report.line(
        f"GET /products?{shown(query)}: walked {deep} pages ({seen['rows']:,} rows) in "
        f"{seen['seconds']:.2f} s, {ms(seen['seconds'] / deep)} a page on average"
    )
    if seen["out_of_order"] or seen["wrong_rows"] or len(seen["ids"]) != seen["rows"]:
        report.line(
            f"WRONG LISTING: {seen['out_of_order']} rows out of order, {seen['wrong_rows']} "
            f"outside the filters, {seen['rows'] - len(seen['ids'])} repeated"
        )
    else:
        report.line("the walk was consistent: strictly descending (price, id), no repeats")
    if deep < pages:
        report.line(f"note: the listing has only {deep} pages; page {deep} stands for {pages}")
    return cursors


def walk_listing(api: Any, query: dict[str, Any], pages: int) -> tuple[list[str | None], dict]:
    """Follow next_cursor up to page `pages`: each page's cursor, and what the walk saw."""
    cursors: list[str | None] = [None]
    seen = {"rows": 0, "out_of_order": 0, "wrong_rows": 0, "seconds": 0.0, "ids": set()}
    previous = None
    while len(cursors) <= pages:
        cursor = cursors[-1]
        asked = {**query, "cursor": cursor} if cursor else query
        seconds, reply = timed(lambda asked=asked: api.get("/products", query=asked))
        if reply.status != 200:
            raise BenchError(f"GET /products page {len(cursors)} answered {reply.status}")
        seen["seconds"] += seconds
        page = reply.json
        for item in page["items"]:
            key = (item["price_cents"], item["id"])
            if previous is not None and not key < previous:
                seen["out_of_order"] += 1
            if item["category"] not in ("a", "b") or not item["is_active"]:
                seen["wrong_rows"] += 1
            previous = key
            seen["ids"].add(item["id"])
            seen["rows"] += 1
        if page["next_cursor"] is None:
            break
        cursors.append(page["next_cursor"])
    if len(cursors) > pages:
        cursors.pop()  # the cursor past the page asked for
    return cursors, seen


def shown(query: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in query.items())


def time_pages(
    api: Any,
    first_query: dict[str, Any],
    deep_query: dict[str, Any],
    deep: int,
    repeats: int,
    report: Report,
) -> None:
    """Page 1 and the deep page against a single-row read, warm."""
    product_id = api.get("/products", query=first_query).json["items"][0]["id"]
    requests = {
        f"GET /products?{shown(first_query)}": lambda: api.get("/products", query=first_query),
        f"  same, page {deep} (its cursor)": lambda: api.get("/products", query=deep_query),
        f"GET /products/{product_id}": lambda: api.get(f"/products/{product_id}"),
    }
    progress(f"timing page 1, page {deep} and GET /products/{{id}}, {repeats} times each")
    samples = interleaved(requests, repeats)
    first_p50, deep_p50, row_p50 = (p50(values) for values in samples.values())
    rows = [
        [name, str(len(values)), ms(p50(values)), ms(p99(values)), ms(min(values))]
        for name, values in samples.items()
    ]
    report.line()
    headers = ["request (warm, in-process)", "n", "p50", "p99", "min"]
    report.table(headers, rows, {1, 2, 3, 4})
    report.target(
        f"page {deep} vs page 1 (p50)",
        f"{deep_p50 / first_p50:.2f}x ({ms(deep_p50)} vs {ms(first_p50)})",
        f"<= {PAGE_TARGET}x",
        deep_p50 / first_p50 <= PAGE_TARGET,
    )
    report.target(
        "page 1 vs single-row read (p50)",
        f"{first_p50 / row_p50:.2f}x ({ms(first_p50)} vs {ms(row_p50)})",
        f"<= {SINGLE_ROW_TARGET}x",
        first_p50 / row_p50 <= SINGLE_ROW_TARGET,
    )


def interleaved(requests: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[float]]:
    """Each request's seconds, `repeats` times, after a warm-up."""
    for name, call in requests.items():
        for _ in range(3):
            if call().status != 200:
                raise BenchError(f"{name} did not answer 200")
    samples: dict[str, list[float]] = {name: [] for name in requests}
    # Interleaved, so that drift in machine speed falls on all of them alike.
    for _ in range(repeats):
        for name, call in requests.items():
            samples[name].append(timed(call)[0])
    return samples


def show_plans(world: World, api: Any, queries: dict[str, dict], report: Report) -> None:
    """EXPLAIN ANALYZE of the listing's own SQL, captured as the handler ran it."""
    for label, query in queries.items():
        with statements(world.engine) as captured:
            api.get("/products", query=query)
        listing = [
            (sql, params)
            for sql, params, _ in captured
            if "FROM products" in sql and sql.startswith("SELECT")
        ]
        if not listing:
            report.line(f"(no SELECT on products captured for {label})")
            continue
        plan = explain(world.engine, *listing[-1])
        flags = [
            word
            for word in ("Seq Scan", "Sort", "Bitmap Heap Scan")
            if any(word in line for line in plan)
        ]
        report.line()
        report.line(
            f"plan of {label} ({len(listing)} SELECT on products in the request; "
            + (f"has {', '.join(flags)}" if flags else "an index walk, no Seq Scan, no Sort")
            + "):"
        )
        for line in plan:
            report.line(f"  {line}")
