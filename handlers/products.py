"""products function: the catalogue, its batch creation and CSV imports."""

from __future__ import annotations

import serverless_wsgi
from flask import Response

from handlers import init_done
from shared.auth import auth_required, current_user, optional_user
from shared.config import require
from shared.openapi import operation
from shared.request_input import json_body, query
from shared.routing import Resource
from shared.schemas.products import (
    ImportCreated,
    ImportReport,
    ProductBatchIn,
    ProductBatchOut,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    ProductQuery,
)
from shared.services import products
from shared.web import create_app, db_session, respond

require("imports_bucket")  # the import routes cannot work without it: fail the cold start
routes = Resource(
    "products",
    __name__,
    url_prefix="/products",
    description="The catalogue: browsed by anyone, kept by admins, also from CSV files",
)
TAKEN = "A SKU is already taken (or repeated in the batch); `errors` names each"


@routes.get("")
@operation(
    summary="List active products: filters combine with AND, keyset paging",
    query=ProductQuery,
    responses={200: ProductPage},
)
def list_products() -> Response:
    """Active products, a page at a time. Filters combine with AND; ties of the sort are broken by
    id, so paging stays stable while products are added.
    """
    args = query(ProductQuery)
    page = products.list_products(
        db_session(),
        q=args.q,
        categories=args.categories(),
        min_price=args.min_price,
        max_price=args.max_price,
        in_stock=args.in_stock,
        sort=args.sort,
        limit=args.limit,
        cursor=args.cursor,
    )
    return respond(ProductPage, page)


@routes.get("/<id:product_id>")
@operation(
    summary="One product (an inactive one only for admins)",
    responses={
        200: ProductOut,
        401: "A bearer token was sent but is not valid",
        404: "No such product",
    },
    token_optional=True,
)
def get_product(product_id: int) -> Response:
    """A product by id. Without a token, or with a customer's, an inactive product is a 404; with
    an admin's it is shown. A token that is sent must be valid.
    """
    user = optional_user()
    admin = user is not None and user.role == "admin"
    return respond(
        ProductOut, products.get_product(db_session(), product_id, include_inactive=admin)
    )


@routes.post("")
@operation(
    summary="Create a product",
    body=ProductIn,
    responses={201: ProductOut, 409: TAKEN},
    headers={201: "Location"},
)
@auth_required(role="admin")
def create_product() -> Response:
    """Add a product to the catalogue; `Location` is its path."""
    body = json_body(ProductIn)
    product = products.create_product(db_session(), fields=body.model_dump())
    # The contract's Location has no stage prefix, so it is not built with url_for.
    return respond(ProductOut, product, 201, headers={"Location": f"/products/{product.id}"})


@routes.patch("/<id:product_id>")
@operation(
    summary="Change some fields of a product",
    body=ProductPatch,
    responses={200: ProductOut, 404: "No such product", 409: TAKEN},
)
@auth_required(role="admin")
def update_product(product_id: int) -> Response:
    """Change the fields sent, validated as on creation."""
    changes = json_body(ProductPatch).model_dump(exclude_unset=True)
    return respond(ProductOut, products.update_product(db_session(), product_id, changes=changes))


@routes.delete("/<id:product_id>")
@operation(
    summary="Take a product out of the catalogue (orders keep their lines)",
    responses={204: "Deactivated", 404: "No such product"},
)
@auth_required(role="admin")
def delete_product(product_id: int) -> Response:
    """Deactivate a product: customers no longer see it, and the orders that contain it keep their
    lines.
    """
    products.deactivate_product(db_session(), product_id)
    return Response(status=204)


@routes.post("/batch")
@operation(
    summary="Create up to 500 products, all or nothing",
    body=ProductBatchIn,
    responses={201: ProductBatchOut, 409: TAKEN},
)
@auth_required(role="admin")
def create_batch() -> Response:
    """Create 1 to 500 products in one transaction: a bad item (each named as `items[i].field`) or
    a taken SKU creates none.
    """
    body = json_body(ProductBatchIn)
    created = products.create_products(db_session(), items=[i.model_dump() for i in body.items])
    return respond(ProductBatchOut, {"created": len(created), "items": created}, 201)


@routes.post("/imports")
@operation(
    summary="Start a CSV import: a pre-signed S3 URL to PUT the file to",
    responses={201: ImportCreated},
)
@auth_required(role="admin")
def start_import() -> Response:
    """A pre-signed S3 URL to PUT a CSV file to, with `Content-Type: text/csv` and the
    `upload_headers`. Rows upsert by SKU; the report is at `GET /products/imports/{import_id}`.
    """
    # The import service (S3, its model) loads with the first import route, not with the
    # catalogue that most cold starts serve.
    from shared.services import imports

    return respond(
        ImportCreated, imports.start_import(db_session(), created_by=current_user().id), 201
    )


@routes.get("/imports/<uuid:import_id>")
@operation(
    summary="The state and report of a CSV import",
    responses={200: ImportReport, 404: "No such import"},
)
@auth_required(role="admin")
def get_import(import_id: str) -> Response:
    """Whether the import is waiting, processing, done or failed; the counts of products created
    and updated, and each rejected row with its line and reason.
    """
    from shared.services import imports

    return respond(ImportReport, imports.get_import(db_session(), import_id))


app = create_app(routes)


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)


init_done()  # last: everything above lives as long as the container
