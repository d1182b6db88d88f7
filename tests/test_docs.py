"""The repository's own documentation: in step with the code, and whole in a fresh clone."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from handlers import catalog_import
from tests.apigw import Client, LambdaContext
from tests.uploads import event_for_upload, upload

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDE = DOCS / "api.md"
CSV_GUIDE = DOCS / "csv-import.md"
EXAMPLE_CSV = DOCS / "examples" / "products.csv"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# A row of a route table: its first cell is `METHOD /path`, the path as the document has it.
ROUTE_ROW = re.compile(rf"^\|\s*`((?:{'|'.join(HTTP_METHODS)}) /[^`\s]*)`\s*\|", re.MULTILINE)
FENCED_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)
CLIMBING_PATH = re.compile(r"(?<![\w.])\.\./[\w./-]*")
# The benchmark's floor handler lives beside a checkout, never in it (scripts/bench.py
# --floor-dir); the README names it as an external, optional input, not as a link.
EXTERNAL_INPUTS = {("README.md", "../shared/floor/")}


def documented_routes() -> list[str]:
    return sorted(ROUTE_ROW.findall(GUIDE.read_text(encoding="utf-8")))


def operations(document: dict) -> list[str]:
    return sorted(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in HTTP_METHODS
    )


@pytest.fixture(scope="module")
def openapi_operations() -> list[str]:
    from handlers.meta import handler

    reply = Client(handler).get("/openapi.json")
    assert reply.status == 200
    return operations(reply.json)


def test_every_operation_of_the_openapi_document_is_in_the_api_guide(openapi_operations):
    undocumented = sorted(set(openapi_operations) - set(documented_routes()))

    assert undocumented == []


def test_every_route_of_the_api_guide_is_an_operation_of_the_openapi_document(
    openapi_operations,
):
    unknown = sorted(set(documented_routes()) - set(openapi_operations))

    assert unknown == []


def test_the_api_guide_lists_each_route_once():
    routes = documented_routes()

    assert len(routes) == len(set(routes))


def _prose(page: Path) -> str:
    """The page without its fenced blocks, where nothing is a link or a heading."""
    return FENCED_BLOCK.sub("", page.read_text(encoding="utf-8"))


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings."""
    return {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in HEADING.findall(_prose(page))
    }


def _broken_link(page: Path, target: str) -> str | None:
    """Why a relative link `target` of `page` leads nowhere in the repository, if it does."""
    if re.match(r"[a-z][a-z0-9+.-]*:", target):
        return None  # a URL, not a path of the repository
    path, _, anchor = target.partition("#")
    resolved = (page.parent / path).resolve() if path else page
    if not resolved.is_relative_to(ROOT):
        return f"{target}: outside the repository"
    if not resolved.exists():
        return f"{target}: no such file"
    if anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
        return f"{target}: no heading #{anchor} in {resolved.relative_to(ROOT)}"
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_of_a_page_leads_to_a_file_of_the_repository(page):
    broken = [
        reason
        for target in LINK.findall(_prose(page))
        if (reason := _broken_link(page, target)) is not None
    ]

    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_no_page_sends_its_reader_to_a_path_outside_the_repository(page):
    text = LINK.sub("]", page.read_text(encoding="utf-8"))  # link targets are checked above

    outside = [
        path for path in CLIMBING_PATH.findall(text) if (page.name, path) not in EXTERNAL_INPUTS
    ]

    assert outside == []


def test_the_csv_guide_shows_the_example_file_as_it_is_committed():
    shown = re.search(r"^```csv\n(.*?)^```", CSV_GUIDE.read_text(encoding="utf-8"), re.S | re.M)

    assert shown is not None
    assert shown[1] == EXAMPLE_CSV.read_text(encoding="utf-8")


@pytest.fixture
def products_api(engine) -> Client:
    from handlers.products import handler

    return Client(handler)


def _import_example(s3, products_api: Client, token: str) -> dict:
    """The example file taken through an admin's whole import: its report."""
    started = products_api.post("/products/imports", token=token)
    assert started.status == 201, started.text
    key = upload(started.json, EXAMPLE_CSV.read_bytes())
    catalog_import.handler(event_for_upload(s3, key), LambdaContext())
    report = products_api.get(f"/products/imports/{started.json['import_id']}", token=token)
    assert report.status == 200, report.text
    return report.json


def _example_skus() -> list[str]:
    with EXAMPLE_CSV.open(encoding="utf-8", newline="") as example:
        return [row["sku"] for row in csv.DictReader(example)]


def test_the_example_csv_file_imports_every_row_with_no_rejection(s3, products_api, admin_token):
    report = _import_example(s3, products_api, admin_token)

    assert (report["status"], report["rejected"], report["error"]) == ("done", [], None)
    assert (report["created"], report["updated"]) == (len(_example_skus()), 0)
    listed = products_api.get("/products", query={"limit": 100}).json["items"]
    assert sorted(product["sku"] for product in listed) == sorted(_example_skus())


def test_the_example_csv_file_imported_again_updates_the_same_products(
    s3, products_api, admin_token
):
    _import_example(s3, products_api, admin_token)

    again = _import_example(s3, products_api, admin_token)

    assert (again["status"], again["rejected"]) == ("done", [])
    assert (again["created"], again["updated"]) == (0, len(_example_skus()))
