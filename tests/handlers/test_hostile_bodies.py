"""Whatever body a client sends to whichever body route, the answer is a 4xx (or a 2xx
for a good one), never a 5xx: random JSON, nesting of any depth, numbers past any
range, NaN literals, invalid UTF-8, lone surrogates and U+0000."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.request_input import MAX_BODY_DEPTH, _nests_deeper_than
from shared.services import products
from tests import factories
from tests.apigw import Client

EXAMPLES = 40
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class BodyRoute:
    method: str
    path: str
    module: str
    role: str | None
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


BODY_ROUTES = [
    BodyRoute("POST", "/auth/register", "auth", None, ("email", "password", "name")),
    BodyRoute("POST", "/auth/login", "auth", None, ("email", "password")),
    BodyRoute("POST", "/auth/refresh", "auth", None, ("refresh_token",)),
    BodyRoute("POST", "/auth/logout", "auth", "customer", ("refresh_token",)),
    BodyRoute("PATCH", "/users/{customer}", "users", "admin", ("name", "role", "is_active")),
    BodyRoute("POST", "/products", "products", "admin", ("sku", "name", "price_cents", "stock")),
    BodyRoute(
        "PATCH", "/products/{product}", "products", "admin", ("sku", "price_cents", "is_active")
    ),
    BodyRoute("POST", "/products/batch", "products", "admin", ("items",)),
    BodyRoute("POST", "/orders", "orders", "customer", ("items",)),
    BodyRoute("PATCH", "/orders/{order}", "orders", "admin", ("status",)),
]

# JSON text that Python's json module reads into surprising values, or refuses.
ODD_LITERALS = [
    "1e400",
    "-1e400",
    "-0",
    "-0.0",
    "1E-400",
    "9" * 5000,
    "-" + "9" * 4300,
    "2147483648",
    "9223372036854775808",
    "NaN",
    "Infinity",
    "-Infinity",
    "1.0",
    "true",
    "null",
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"\\u0000"',
    '"a\x00b"',
    '"\\"',
    "[]",
    "{}",
    "[" * 5000,
    "[" * 40 + "]" * 40,
    '{"a":' * 40 + "1" + "}" * 40,
]
ODD_BODIES = [
    b"[" * 100_000,
    b"{" * 100_000,
    b'{"a":' * 100_000,
    b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"a": "' + b"[" * 100_000 + b'"}',
    b'"' + b'\\"[' * 50_000,
    b"\xff\xfe\x00",
    b'{"name": "\xed\xa0\x80"}',
    b'{"name": "\xc3"}',
    b"\x00",
    b"\xef\xbb\xbf{}",
    b"",
    b" ",
    b"NaN",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _raw_values() -> st.SearchStrategy[str]:
    """JSON text for one value: a random one, an odd literal, or a deep pile of either."""
    plain = json_values.map(json.dumps)
    odd = st.sampled_from(ODD_LITERALS)
    depths = st.integers(1, 2 * MAX_BODY_DEPTH) | st.integers(900, 150_000)
    deep = st.tuples(depths, st.sampled_from(["[", '{"k":'])).map(
        lambda pair: pair[1] * pair[0] + "1" + ("]" if pair[1] == "[" else "}") * pair[0]
    )
    return st.one_of(plain, odd, deep)


def bodies(route: BodyRoute) -> st.SearchStrategy[bytes]:
    """Bodies aimed at `route`: its own fields holding odd values, or anything at all."""
    fields = st.dictionaries(st.sampled_from(route.fields), _raw_values(), min_size=1)
    objects = fields.map(
        lambda chosen: "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in chosen.items()) + "}"
    )
    text = st.one_of(objects, _raw_values()).map(lambda t: t.encode("utf-8", "surrogatepass"))
    return st.one_of(text, st.sampled_from(ODD_BODIES), st.binary(max_size=64))


@pytest.fixture
def shop(engine, session) -> SimpleNamespace:
    """A client per function, a customer with an order, an admin, and a product."""
    from handlers import auth, orders, users
    from handlers import products as products_handler

    admin = factories.admin(session)
    customer = factories.customer(session)
    product = products.create_product(
        session, fields={"sku": "HOSTILE-1", "name": "Anvil", "price_cents": 100, "stock": 50}
    )
    admin_token = factories.tokens_for(session, admin)["access_token"]
    customer_token = factories.tokens_for(session, customer)["access_token"]
    clients = {
        "auth": Client(auth.handler),
        "users": Client(users.handler),
        "products": Client(products_handler.handler),
        "orders": Client(orders.handler),
    }
    order = clients["orders"].post(
        "/orders", {"items": [{"product_id": product.id, "quantity": 1}]}, token=customer_token
    )
    assert order.status == 201
    return SimpleNamespace(
        clients=clients,
        session=session,
        customer=customer,
        tokens={"admin": admin_token, "customer": customer_token},
        ids={"customer": customer.id, "product": product.id, "order": order.json["id"]},
    )


def _send(shop: SimpleNamespace, route: BodyRoute, body: bytes):
    token = shop.tokens.get(route.role) if route.role else None
    if route.path == "/auth/logout":
        # Each logout ends the customer's tokens: a fresh login keeps the route reachable.
        token = factories.tokens_for(shop.session, shop.customer)["access_token"]
    path = route.path.format(**shop.ids)
    headers = {"Content-Type": "application/json"}
    return shop.clients[route.module].request(
        route.method, path, body=body, headers=headers, token=token
    )


def _assert_a_client_answer(reply, body: bytes) -> None:
    assert reply.status < 500, f"{reply.status} for {body[:200]!r}: {reply.text[:500]}"
    if reply.status >= 400:
        assert reply.header("Content-Type") == "application/problem+json"
        assert reply.json["status"] == reply.status


@pytest.mark.parametrize("route", BODY_ROUTES, ids=str)
def test_no_body_makes_a_body_route_fail_with_a_server_error(shop, route):
    @HYPOTHESIS
    @given(body=bodies(route))
    def check(body: bytes) -> None:
        _assert_a_client_answer(_send(shop, route, body), body)

    check()


@pytest.mark.parametrize("route", BODY_ROUTES, ids=str)
def test_each_known_pathological_body_is_a_client_error(shop, route):
    for body in ODD_BODIES:
        _assert_a_client_answer(_send(shop, route, body), body)


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000, b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000],
    ids=["unclosed", "balanced-array", "balanced-object"],
)
def test_a_body_nested_past_the_limit_is_a_400_without_being_parsed(auth_api, raw):
    reply = auth_api.request(
        "POST", "/auth/login", body=raw, headers={"Content-Type": "application/json"}
    )

    assert reply.status == 400
    assert str(MAX_BODY_DEPTH) in reply.json["detail"]


def test_a_body_nested_up_to_the_limit_is_parsed_and_validated(auth_api):
    nested = '{"a":' * (MAX_BODY_DEPTH - 1) + "1" + "}" * (MAX_BODY_DEPTH - 1)
    raw = ('{"email": "a@example.com", "password": "whatever12", "extra": ' + nested + "}").encode()

    reply = auth_api.request(
        "POST", "/auth/login", body=raw, headers={"Content-Type": "application/json"}
    )

    assert reply.status == 422
    assert [e["field"] for e in reply.json["errors"]] == ["extra"]


def test_brackets_inside_strings_do_not_count_as_nesting(auth_api):
    raw = json.dumps({"email": "a@example.com", "password": "[{" * 4000 + '\\"' * 100}).encode()

    reply = auth_api.request(
        "POST", "/auth/login", body=raw, headers={"Content-Type": "application/json"}
    )

    assert reply.status == 422  # the password is too long: validated, not refused as deep


def test_a_mebibyte_of_brackets_is_refused_quickly(auth_api):
    raw = b"[" * (1024 * 1024 - 1)
    started = time.perf_counter()

    reply = auth_api.request(
        "POST", "/auth/login", body=raw, headers={"Content-Type": "application/json"}
    )

    assert reply.status == 400
    assert time.perf_counter() - started < 2


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


bracket_text = st.text(alphabet='[]{}"\\ ab', max_size=12)
nested_values = st.recursive(
    st.none() | st.integers() | bracket_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(bracket_text, inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=nested_values, limit=st.integers(0, 6))
def test_the_depth_scan_agrees_with_the_parser_on_any_json(value, limit):
    raw = json.dumps(value).encode()

    assert _nests_deeper_than(raw, limit) == (_depth(value) > limit)


# No newline: HTTP cannot carry one in a header, and serverless-wsgi refuses it unread.
@pytest.mark.parametrize("key", ["\x00", "key\x00", "bell\x07", "tab\tbed", "\x7f"])
def test_an_idempotency_key_with_a_control_character_is_a_422(shop, key):
    order = {"items": [{"product_id": shop.ids["product"], "quantity": 1}]}

    reply = shop.clients["orders"].post(
        "/orders", order, token=shop.tokens["customer"], headers={"Idempotency-Key": key}
    )

    assert reply.status == 422
    assert [e["field"] for e in reply.json["errors"]] == ["Idempotency-Key"]
