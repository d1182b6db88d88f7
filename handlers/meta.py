"""meta function: health, the merged OpenAPI document and its human-readable page."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

import serverless_wsgi
from flask import Flask, Response, jsonify

import handlers
from handlers import init_done
from shared.assets import REVALIDATE, Asset, asset_response
from shared.openapi import operation
from shared.routing import Resource
from shared.schemas.meta import Health
from shared.services import health
from shared.web import create_app, respond

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>shop-api</title>
  <link rel="stylesheet" href="{swagger-ui.css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{swagger-ui-bundle.js}"></script>
  <script src="{init.js}"></script>
</body>
</html>
"""
# The page's own script is served, not inlined, so the policy can forbid inline scripts.
# No validator badge: it would be an image from another origin.
DOCS_INIT = (
    'window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", '
    "validatorUrl: null});\n"
)
# Swagger UI's files that the page loads: nothing else of its package is served.
SWAGGER_UI_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}
DOCS_ASSETS = (*SWAGGER_UI_ASSETS, "init.js")
# Only the function's own files; Swagger UI's icons are data: URIs in its CSS.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

routes = Resource("meta", __name__, description="Health of the service, and this documentation")


@routes.get("/health")
@operation(
    summary="Health of the service and its database",
    responses={200: Health, 503: Health},
    headers={503: "Retry-After"},
)
def get_health() -> Response:
    """200 when the database answers; 503 with `"database": "unavailable"` and `Retry-After` when
    it cannot be reached.
    """
    if health.database_ok():
        return respond(Health, {"status": "ok", "database": "ok"})
    return respond(
        Health,
        {"status": "degraded", "database": "unavailable"},
        503,
        headers={"Retry-After": "5"},
    )


@routes.get("/openapi.json")
@operation(
    summary="This OpenAPI 3.1 document",
    responses={200: "The document"},
    media_types={200: "application/json"},
    uses_database=False,
)
def get_openapi() -> Response:
    """The OpenAPI 3.1 document of every route, generated from the code that serves them."""
    return jsonify(openapi_document())


@routes.get("/docs")
@operation(
    summary="The API documentation page",
    responses={200: "An HTML page"},
    media_types={200: "text/html"},
    uses_database=False,
)
def get_docs() -> Response:
    """Swagger UI rendering this document, with no asset from another origin."""
    page = DOCS_PAGE
    for asset in docs_assets().values():
        page = page.replace(f"{{{asset.name}}}", asset.url("/docs"))
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    # The page names its assets by digest: a deploy that changes one must reach browsers.
    response.headers["Cache-Control"] = REVALIDATE
    return response


ASSET_NAME = f"any({', '.join(map(repr, DOCS_ASSETS))}):name"


@routes.get(f"/docs/<{ASSET_NAME}>")
@routes.get(f"/docs/<string(length=16):digest>/<{ASSET_NAME}>")
def get_docs_asset(name: str, digest: str | None = None) -> Response:
    return asset_response(docs_assets()[name], digest=digest)


@cache
def docs_assets() -> dict[str, Asset]:
    """The docs page's files by name, read once per container."""
    # Swagger UI's files come from a pinned package in the layer, never from a CDN.
    from swagger_ui_bundle import swagger_ui_path

    assets = [
        Asset(name, (Path(swagger_ui_path) / name).read_bytes(), mimetype)
        for name, mimetype in SWAGGER_UI_ASSETS.items()
    ]
    assets.append(Asset("init.js", DOCS_INIT.encode(), "text/javascript"))
    return {asset.name: asset for asset in assets}


@cache
def openapi_document() -> dict:
    """The document of every HTTP function, built once per container on first request."""
    # The builder loads with the first request for the document, not with the health
    # checks that most of meta's cold starts serve.
    from shared.openapi.document import document

    return document(documented_apps(), title="shop-api", version="1.0.0")


def documented_apps() -> list[Flask]:
    """The Flask app of every handler module beside this one: each HTTP function's.

    meta's package carries exactly the HTTP functions' modules (serverless.yml's
    `${httpHandlers:files}`), so what is deployed is what is documented. Locally, where
    the event functions' modules lie beside them too, those have no app and are passed by.
    """
    apps = []
    for module in pkgutil.iter_modules(handlers.__path__, f"{handlers.__name__}."):
        app = getattr(importlib.import_module(module.name), "app", None)
        if isinstance(app, Flask):
            apps.append(app)
    return apps


app = create_app(routes)


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)


init_done()  # last: everything above lives as long as the container
