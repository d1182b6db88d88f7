"""Routing as the contract states it, on every route of every HTTP function: a malformed
id is a 404 whatever the method, a known path with another method is a 405 naming the
methods it takes, and every answer carries X-Content-Type-Options: nosniff."""

from __future__ import annotations

import importlib
import re

import pytest

from tests.apigw import Client

FUNCTIONS = (
    "handlers.auth",
    "handlers.users",
    "handlers.products",
    "handlers.orders",
    "handlers.meta",
)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
VARIABLE = re.compile(r"<(?:([^:>]+):)?([^>]+)>")
MALFORMED = {
    "id": ["0", "-1", "01", "abc", "1.5", "1e3", "2147483648", "99999999999", "%20"],
    "uuid": ["nope", "0b8a1f6e8d4c4c4e9d8e2f1b6c3a9e71", "0b8a1f6e-8d4c-4c4e-9d8e-2f1b6c3a9e7"],
}
WELL_FORMED = {"id": "7", "uuid": "0b8a1f6e-8d4c-4c4e-9d8e-2f1b6c3a9e71"}


def _routes_with_ids() -> dict[str, tuple[str, set[str]]]:
    """Each rule with a variable → (its function's module, the methods it takes)."""
    routes: dict[str, tuple[str, set[str]]] = {}
    for module in FUNCTIONS:
        for rule in importlib.import_module(module).app.url_map.iter_rules():
            if VARIABLE.search(rule.rule) and not rule.rule.startswith("/docs/"):
                methods = routes.setdefault(rule.rule, (module, set()))[1]
                methods.update(rule.methods - {"HEAD", "OPTIONS"})
    return routes


ROUTES = _routes_with_ids()


def _path(rule: str, values: dict[str, str]) -> str:
    """`rule` with each variable replaced by the value given for its converter."""
    return VARIABLE.sub(lambda match: values[match.group(1) or "default"], rule)


def _client(module: str) -> Client:
    return Client(importlib.import_module(module).handler)


def test_every_resource_with_an_id_is_checked_here():
    assert set(ROUTES) >= {
        "/users/<id:user_id>",
        "/products/<id:product_id>",
        "/products/imports/<uuid:import_id>",
        "/orders/<id:order_id>",
        "/orders/<id:order_id>/cancel",
    }


@pytest.mark.parametrize("rule", sorted(ROUTES))
@pytest.mark.parametrize("method", METHODS)
def test_a_malformed_id_is_a_404_whatever_the_method(rule, method):
    module, _methods = ROUTES[rule]
    converter = VARIABLE.search(rule).group(1)
    for malformed in MALFORMED[converter]:
        path = _path(rule, {converter: malformed})

        reply = _client(module).request(method, path, token="not-even-looked-at")

        assert reply.status == 404, f"{method} {path}: {reply.status} {reply.text}"
        assert reply.header("Content-Type") == "application/problem+json"
        assert reply.header("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("rule", sorted(ROUTES))
def test_another_method_on_a_path_with_a_good_id_is_a_405_naming_the_methods_it_takes(rule):
    module, methods = ROUTES[rule]
    path = _path(rule, WELL_FORMED)
    for method in sorted(set(METHODS) - methods):
        reply = _client(module).request(method, path)

        assert reply.status == 405, f"{method} {path}: {reply.status}"
        allowed = {m.strip() for m in reply.header("Allow").split(",")}
        assert allowed >= methods
        assert reply.header("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(
    ("module", "method", "path", "status"),
    [
        ("handlers.meta", "GET", "/health", 200),
        ("handlers.meta", "GET", "/openapi.json", 200),
        ("handlers.meta", "GET", "/docs", 200),
        ("handlers.meta", "GET", "/docs/init.js", 200),
        ("handlers.meta", "GET", "/docs/swagger-ui.css", 200),
        ("handlers.meta", "GET", "/docs/swagger-ui-bundle.js", 200),
        ("handlers.meta", "GET", "/docs/index.html", 404),
        ("handlers.meta", "GET", "/nothing/here", 404),
        ("handlers.auth", "GET", "/auth/me", 401),
        ("handlers.auth", "DELETE", "/auth/login", 405),
        ("handlers.auth", "POST", "/auth/login", 415),
        ("handlers.products", "GET", "/products", 200),
        ("handlers.products", "GET", "/products", 422),
        ("handlers.orders", "PATCH", "/orders/0", 404),
    ],
)
def test_every_answer_says_nosniff(engine, module, method, path, status):
    query = {"limit": "0"} if status == 422 else None

    reply = _client(module).request(method, path, query=query)

    assert reply.status == status
    assert reply.header("X-Content-Type-Options") == "nosniff"


def test_a_204_says_nosniff_too(engine, admin_token):
    products = _client("handlers.products")
    created = products.post(
        "/products", {"sku": "N-1", "name": "Nail", "price_cents": 1, "stock": 1}, token=admin_token
    )

    reply = products.request("DELETE", f"/products/{created.json['id']}", token=admin_token)

    assert reply.status == 204
    assert reply.header("X-Content-Type-Options") == "nosniff"


def test_a_413_says_nosniff_too(engine):
    big = b'{"a": "' + b"x" * (1024 * 1024) + b'"}'

    reply = _client("handlers.auth").request(
        "POST", "/auth/login", body=big, headers={"Content-Type": "application/json"}
    )

    assert reply.status == 413
    assert reply.header("X-Content-Type-Options") == "nosniff"
