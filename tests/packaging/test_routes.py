"""Each route lives in its Flask module and again in serverless.yml: the two must agree.

The handler tests call the Flask apps directly, so a route that serverless.yml does not
send to its function would pass them and answer 404 once deployed; a route serverless.yml
sends to a function that has no such rule would answer the function's 404. Paths are
compared by shape: `<id:order_id>` and `{id}` are both one segment of any name, and
`{asset+}` (API Gateway's greedy parameter) is one or more.
"""

from __future__ import annotations

import importlib
import re

import pytest

from handlers.meta import documented_apps

ONE = "{}"
GREEDY = "{+}"


def http_functions(functions: dict[str, dict]) -> dict[str, list[str]]:
    """Each HTTP function's module and the paths of its routes (the $default route aside)."""
    routed = {}
    for function in functions.values():
        paths = [
            event["httpApi"]["path"]
            for event in function["events"]
            if isinstance(event.get("httpApi"), dict)
        ]
        if paths:
            routed[function["handler"].rsplit(".", 1)[0].replace("/", ".")] = paths
    return routed


def gateway_shape(path: str) -> tuple[str, ...]:
    return tuple(
        GREEDY if part.endswith("+}") else ONE if part.startswith("{") else part
        for part in path.strip("/").split("/")
    )


def flask_shapes(module: str) -> set[tuple[str, ...]]:
    app = importlib.import_module(module).app
    return {
        tuple(ONE if part.startswith("<") else part for part in _segments(rule.rule))
        for rule in app.url_map.iter_rules()
    }


def _segments(rule: str) -> list[str]:
    # A converter's arguments may hold slashes only inside quotes, which the shop's do not.
    return re.sub(r"<[^>]*>", "<>", rule).strip("/").split("/")


def covers(route: tuple[str, ...], rule: tuple[str, ...]) -> bool:
    """Whether API Gateway sends `rule`'s paths to `route`: a parameter takes any segment."""
    head = route[:-1] if route and route[-1] == GREEDY else route
    if len(rule) < len(head) or (head == route and len(rule) != len(route)):
        return False
    if head != route and len(rule) == len(head):
        return False
    return all(r in (ONE, p) for r, p in zip(head, rule, strict=False))


def serves(rule: tuple[str, ...], route: tuple[str, ...]) -> bool:
    """Whether a Flask rule answers what `route` sends: the same literals and parameters."""
    if route and route[-1] == GREEDY:
        return len(rule) > len(route) - 1 and rule[: len(route) - 1] == route[:-1]
    return rule == route


@pytest.fixture(scope="module")
def routed(functions) -> dict[str, list[str]]:
    return http_functions(functions)


def test_every_flask_route_of_a_function_is_sent_to_it_by_api_gateway(routed):
    for module, paths in routed.items():
        routes = [gateway_shape(path) for path in paths]
        unrouted = [
            "/" + "/".join(rule)
            for rule in flask_shapes(module)
            if not any(covers(route, rule) for route in routes)
        ]
        assert not unrouted, f"{module}: routes API Gateway would answer 404: {unrouted}"


def test_every_route_api_gateway_sends_to_a_function_is_one_the_function_serves(routed):
    for module, paths in routed.items():
        rules = flask_shapes(module)
        unserved = [
            path for path in paths if not any(covers(gateway_shape(path), r) for r in rules)
        ]
        assert not unserved, f"{module} has no Flask route for {unserved}"


def test_meta_documents_exactly_the_http_functions(routed):
    assert {app.import_name for app in documented_apps()} == set(routed)


def test_a_flask_route_missing_from_serverless_yml_is_told_apart_from_a_routed_one():
    products = [gateway_shape(p) for p in ("/products", "/products/{id}", "/products/batch")]

    assert not any(covers(route, ("products", "imports", ONE)) for route in products)
    assert any(covers(route, ("products", ONE)) for route in products)
    assert covers(gateway_shape("/docs/{asset+}"), ("docs", ONE, ONE))
    assert not covers(gateway_shape("/docs/{asset+}"), ("docs",))
    assert not serves(("products", "batch"), gateway_shape("/products/{id}"))
