"""meta function: health, the merged OpenAPI document and its human-readable page."""

from __future__ import annotations

import importlib
from functools import cache

import serverless_wsgi
from flask import Response, jsonify, send_from_directory

from shared.openapi import document, operation
from shared.schemas.meta import Health
from shared.services import health
from shared.web import create_app, respond

# Every HTTP function's route module; meta's package carries them (see serverless.yml).
DOCUMENTED_FUNCTIONS = (
    "handlers.auth",
    "handlers.meta",
    "handlers.users",
    "handlers.products",
    "handlers.orders",
)
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>shop-api</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});
  </script>
</body>
</html>
"""

app = create_app(__name__)


@app.get("/health")
@operation(
    summary="Health of the service and its database",
    tag="meta",
    responses={200: Health, 503: "The database cannot be reached"},
)
def get_health() -> Response:
    if health.database_ok():
        return respond(Health, {"status": "ok", "database": "ok"})
    return respond(
        Health,
        {"status": "degraded", "database": "unavailable"},
        503,
        headers={"Retry-After": "5"},
    )


@app.get("/openapi.json")
@operation(summary="This OpenAPI 3.1 document", tag="meta", responses={200: "The document"})
def get_openapi() -> Response:
    return jsonify(openapi_document())


@app.get("/docs")
@operation(summary="The API documentation page", tag="meta", responses={200: "An HTML page"})
def get_docs() -> Response:
    return Response(DOCS_PAGE, mimetype="text/html")


@app.get("/docs/<path:asset>")
def get_docs_asset(asset: str) -> Response:
    # Swagger UI's files come from a pinned package in the layer, never from a CDN.
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(swagger_ui_path, asset, max_age=86400)


@cache
def openapi_document() -> dict:
    """The document of every HTTP function, built once per container on first request."""
    apps = [importlib.import_module(name).app for name in DOCUMENTED_FUNCTIONS]
    return document(apps, title="shop-api", version="1.0.0")


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)
