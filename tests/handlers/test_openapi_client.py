"""A client generated from /openapi.json (openapi-python-client, as a user would run it)
shops and runs the shop, and reads every answer as the typed model the document names.

The client is generated into a temporary directory once per module and imported from
there. Its requests go through `GatewayTransport`: each one an API Gateway event for its
function's Lambda handler, so the client meets what ships. It raises on any status the
document does not name, and no answer may carry a field the document leaves out.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import attrs
import pytest

from shared.models import Product
from tests import factories, queues
from tests.apigw import Client as EventClient
from tests.gateway import GatewayTransport

PACKAGE = "shop_client"
# No post hooks: the generator would run ruff over its output, which takes longer than
# generating it and changes nothing the test relies on.
GENERATOR_CONFIG = {"post_hooks": []}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> ModuleType:
    """The client package generated from the document the meta function serves."""
    from handlers.meta import handler

    root = tmp_path_factory.mktemp("generated")
    document = EventClient(handler).get("/openapi.json")
    (root / "openapi.json").write_text(document.text)
    (root / "config.json").write_text(json.dumps(GENERATOR_CONFIG))
    result = subprocess.run(
        [
            *(sys.executable, "-m", "openapi_python_client", "generate", "--fail-on-warning"),
            *("--path", root / "openapi.json", "--config", root / "config.json"),
            *("--meta", "none", "--output-path", root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


class Operations:
    """The generated functions of one tag: `shop.orders.place_order(client, body=...)`."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        module = importlib.import_module(f"{PACKAGE}.api.{self.tag}.{operation}")
        return lambda client, *args, **kwargs: module.sync_detailed(*args, client=client, **kwargs)


class Shop:
    """The generated package: its models, its operations by tag, a client for each caller."""

    def __init__(self, package: ModuleType, aws_world: Any) -> None:
        self.package = package
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.aws = aws_world
        for tag in ("meta", "auth", "users", "products", "orders"):
            setattr(self, tag, Operations(tag))

    def anonymous(self) -> Any:
        return self.package.Client(
            base_url="https://shop.example",
            raise_on_unexpected_status=True,
            httpx_args={"transport": GatewayTransport()},
        )

    def bearer(self, token: str) -> Any:
        return self.package.AuthenticatedClient(
            base_url="https://shop.example",
            token=token,
            raise_on_unexpected_status=True,
            httpx_args={"transport": GatewayTransport()},
        )

    def log_in(self, email: str, password: str = factories.PASSWORD) -> Any:
        """A client carrying the access token of `email`, and the token pair."""
        credentials = self.models.LoginIn(email=email, password=password)
        pair = answer(
            self.auth.login(self.anonymous(), body=credentials), 200, self.models.TokenPair
        )
        return self.bearer(pair.access_token), pair


def answer(reply: Any, status: int, model: type) -> Any:
    """The parsed answer, after checking its status, its type and that it holds no field
    its model does not name."""
    assert reply.status_code == status, reply.content
    assert isinstance(reply.parsed, model), reply.parsed
    assert _undocumented_fields(reply.parsed) == [], reply.content
    return reply.parsed


def _undocumented_fields(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _undocumented_fields(item)]
    if not attrs.has(type(value)):
        return []
    declared = [f.name for f in attrs.fields(type(value)) if f.name != "additional_properties"]
    if not declared:
        return []  # a map of names to values (upload_headers): its keys are its content
    extra = list(value.additional_properties)
    return extra + [n for name in declared for n in _undocumented_fields(getattr(value, name))]


def no_content(reply: Any) -> None:
    assert reply.status_code == 204, reply.content
    assert reply.content == b""


@pytest.fixture
def shop(generated, engine, aws_world) -> Shop:
    return Shop(generated, aws_world)


@pytest.fixture
def catalogue(session) -> dict[str, Product]:
    made = [
        Product(sku="MUG", name="Mug", category="kitchen", price_cents=1250, stock=10),
        Product(sku="TEA", name="Tea", category="kitchen", price_cents=499, stock=30),
        Product(sku="LAMP", name="Lamp", category="home", price_cents=4500, stock=2),
    ]
    session.add_all(made)
    session.commit()
    return {p.sku: p for p in made}


def test_a_customer_shops_through_the_generated_client_from_registering_to_logging_out(
    shop, catalogue
):
    m, anyone = shop.models, shop.anonymous()
    assert answer(shop.meta.get_health(anyone), 200, m.Health).status == m.HealthStatus.OK
    account = m.RegisterIn(email="shopper@example.com", password="a long password", name="Shop")
    user = answer(shop.auth.register(anyone, body=account), 201, m.UserOut)
    assert user.role == m.Role.CUSTOMER and user.created_at.tzinfo is not None
    customer, pair = shop.log_in("shopper@example.com", "a long password")
    assert answer(shop.auth.me(customer), 200, m.UserOut).id == user.id

    kitchen = {"category": "kitchen", "min_price": 100, "sort": m.ProductSort.PRICE_CENTS_DESC}
    page = answer(shop.products.list_products(anyone, **kitchen, limit=1), 200, m.ProductPage)
    rest = shop.products.list_products(anyone, **kitchen, limit=1, cursor=page.next_cursor)
    assert [p.sku for p in page.items + answer(rest, 200, m.ProductPage).items] == ["MUG", "TEA"]
    mug_id = catalogue["MUG"].id
    assert answer(shop.products.get_product(anyone, mug_id), 200, m.ProductOut).stock == 10
    assert answer(shop.products.get_product(customer, mug_id), 200, m.ProductOut).id == mug_id

    cart = m.OrderIn(
        items=[
            m.OrderLineIn(product_id=mug_id, quantity=2),
            m.OrderLineIn(product_id=catalogue["TEA"].id, quantity=1),
        ]
    )
    placed = shop.orders.place_order(customer, body=cart, idempotency_key="cart-1")
    replayed = shop.orders.place_order(customer, body=cart, idempotency_key="cart-1")
    order = answer(placed, 201, m.OrderOut)
    assert answer(replayed, 201, m.OrderOut).id == order.id
    assert order.status == m.OrderStatus.PENDING and order.total_cents == 2 * 1250 + 499
    orders = answer(shop.orders.list_orders(customer), 200, m.OrderPage)
    assert [o.id for o in orders.items] == [order.id]
    assert answer(shop.orders.get_order(customer, order.id), 200, m.OrderOut).id == order.id
    cancelled = answer(shop.orders.cancel_order(customer, order.id), 200, m.OrderOut)
    assert cancelled.status == m.OrderStatus.CANCELLED

    refresh = m.RefreshIn(refresh_token=pair.refresh_token)
    renewed = shop.bearer(
        answer(shop.auth.refresh(anyone, body=refresh), 200, m.TokenPair).access_token
    )
    no_content(shop.auth.logout(renewed))
    assert answer(shop.auth.me(renewed), 401, m.Problem).status == 401


def test_an_admin_runs_the_shop_through_the_generated_client(shop, session):
    m = shop.models
    factories.admin(session, email="boss@example.com")
    customer = factories.customer(session, email="buyer@example.com")
    admin, _ = shop.log_in("boss@example.com")

    new = m.ProductIn(sku="KET", name="Kettle", price_cents=2999, stock=5)
    kettle = answer(shop.products.create_product(admin, body=new), 201, m.ProductOut)
    cups = m.ProductBatchIn(
        items=[m.ProductIn(sku=f"CUP-{n}", name="Cup", price_cents=300, stock=50) for n in (1, 2)]
    )
    batch = answer(shop.products.create_batch(admin, body=cups), 201, m.ProductBatchOut)
    assert batch.created == 2
    cheaper = m.ProductPatch(price_cents=2499, description="Boils water")
    updated = answer(
        shop.products.update_product(admin, kettle.id, body=cheaper), 200, m.ProductOut
    )
    assert (updated.price_cents, updated.description) == (2499, "Boils water")
    retired = batch.items[1].id
    no_content(shop.products.delete_product(admin, retired))
    assert (
        answer(shop.products.get_product(shop.anonymous(), retired), 404, m.Problem).status == 404
    )
    assert answer(shop.products.get_product(admin, retired), 200, m.ProductOut).is_active is False

    users = answer(shop.users.list_users(admin, role=m.Role.CUSTOMER), 200, m.UserPage)
    assert [u.email for u in users.items] == ["buyer@example.com"]
    rename = m.UserPatch(name="Buyer")
    assert (
        answer(shop.users.update_user(admin, customer.id, body=rename), 200, m.UserOut).name
        == "Buyer"
    )
    assert answer(shop.users.get_user(admin, customer.id), 200, m.UserOut).name == "Buyer"

    buyer, _ = shop.log_in("buyer@example.com")
    one_kettle = m.OrderIn(items=[m.OrderLineIn(product_id=kettle.id, quantity=1)])
    order = answer(shop.orders.place_order(buyer, body=one_kettle), 201, m.OrderOut)
    ship = m.OrderStatusPatch(status="shipped")
    assert answer(shop.orders.ship_order(admin, order.id, body=ship), 409, m.Problem).status == 409
    queues.deliver(queues.receive_all(shop.aws.sqs, shop.aws.queue_url))
    shipped = answer(shop.orders.ship_order(admin, order.id, body=ship), 200, m.OrderOut)
    assert shipped.status == m.OrderStatus.SHIPPED
    theirs = shop.orders.list_orders(admin, user_id=customer.id, status=m.OrderStatus.SHIPPED)
    assert [o.id for o in answer(theirs, 200, m.OrderPage).items] == [order.id]

    started = answer(shop.products.start_import(admin), 201, m.ImportCreated)
    assert started.upload_headers.additional_properties == {"Content-Type": "text/csv"}
    report = answer(shop.products.get_import(admin, started.import_id), 200, m.ImportReport)
    assert report.status == m.ImportStatus.WAITING and report.import_id == started.import_id


def test_the_generated_client_reads_each_refusal_as_a_problem_naming_what_is_wrong(shop, session):
    m, anyone = shop.models, shop.anonymous()
    factories.customer(session, email="taken@example.com")
    bad = m.RegisterIn(email="not-an-address", password="a long password", name="\x00")
    taken = m.RegisterIn(email="taken@example.com", password="a long password", name="Again")
    wrong = m.LoginIn(email="taken@example.com", password="not the password")

    refused = answer(shop.auth.register(anyone, body=bad), 422, m.Problem)
    duplicate = answer(shop.auth.register(anyone, body=taken), 409, m.Problem)
    unknown = answer(shop.auth.login(anyone, body=wrong), 401, m.Problem)
    forged = answer(shop.auth.me(shop.bearer("not-a-token")), 401, m.Problem)
    missing = answer(shop.products.get_product(anyone, 2_147_483_647), 404, m.Problem)
    too_many = answer(shop.products.list_products(anyone, limit=1000), 422, m.Problem)

    messages = {error.field: error.message for error in refused.errors}
    assert set(messages) == {"email", "name"}
    assert messages["email"].startswith("must be a valid e-mail address: ")
    assert messages["name"] == "must not contain U+0000"
    assert [p.status for p in (duplicate, unknown, forged, missing)] == [409, 401, 401, 404]
    assert [e.field for e in too_many.errors] == ["limit"]
