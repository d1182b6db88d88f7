"""The shop as the data benchmark drives it: settings, a fresh database, moto's SQS, accounts."""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scripts.data_bench import BenchError, progress

if TYPE_CHECKING:
    from tests.apigw import Client

REGION = "eu-west-1"
MAIL_FROM = "shop@example.com"
BATCH_LIMIT = 500  # the contract's most items per POST /products/batch


def configure_environment(local_dir: str) -> None:
    """Before any shop module is imported: settings as a deployed function gets them."""
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]  # moto's mock intercepts the real endpoints only
    for name in (
        "DB_SECRET_ARN",
        "JWT_SECRET_ARN",
        "JWT_PREVIOUS_SECRET",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "ORDERS_QUEUE_URL",
        "MAIL_FROM",
    ):
        os.environ.pop(name, None)
    os.environ.update(
        SHOP_LOCAL_DIR=local_dir,
        JWT_SECRET=secrets.token_urlsafe(36),
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        POWERTOOLS_SERVICE_NAME="shop-api",
        # Each request's metrics line would go to stdout, the report's; what their
        # formatting costs (tens of µs a request that counts) is beneath these timings.
        POWERTOOLS_METRICS_DISABLED="true",
        IMPORTS_BUCKET="shop-api-bench-imports",
        # shallow_queue purges more often than the real SQS's once a minute.
        MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR="false",
    )


@contextmanager
def fresh_database(server_url: str, *, pool_size: int, keep: bool) -> Iterator[Any]:
    """A new, migrated database on `server_url`'s server, in use by the shop; dropped after.

    The engine is shared.db.build_engine's with a pool of `pool_size`: on Lambda each
    concurrent request is its own container with its own warm connection, which N client
    threads sharing one engine only mimic with N pooled connections (with a pool of 1,
    every overflow request would open a connection).
    """
    from sqlalchemy import make_url

    from shared import db
    from shared.migrations import upgrade
    from tests.postgres import ServerUnavailable, ThrowawayDatabase

    server = make_url(server_url)
    if server.get_backend_name() != "postgresql":
        raise BenchError(f"--database-url must be a PostgreSQL server, not {server.drivername}")
    try:
        database = ThrowawayDatabase(server, prefix="shop_bench")
    except ServerUnavailable as error:
        raise BenchError(f"cannot create a database: {error}") from error
    os.environ["DATABASE_URL"] = database.url.render_as_string(hide_password=False)
    engine = db.build_engine(database.url, pool_size=pool_size)
    try:
        upgrade(engine)
        db.use_engine(engine)
        yield engine
    finally:
        engine.dispose()
        if keep:
            progress(f"kept the database {database.name!r}")
        else:
            database.drop()


@dataclass
class World:
    """The shop as the benchmark drives it."""

    engine: Any
    sqs: Any
    queue_url: str
    admin_token: str
    customer_tokens: list[str]
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def client(self, module: str, token: str | None = None) -> Client:
        """A tests.apigw.Client calling handlers.<module>.handler."""
        import importlib

        from tests.apigw import Client

        api = Client(importlib.import_module(f"handlers.{module}").handler)
        api.token = token
        return api


@contextmanager
def shallow_queue(world: World, every: float = 0.05) -> Iterator[None]:
    """Keep the orders queue near empty while orders are placed.

    moto's SendMessage costs time in proportion to the messages already on the queue (it
    counts them all for the queue's attributes: ~1 ms a send on an empty queue, ~3 ms at
    200, ~20 ms at 2,000), which would charge each placement for the ones before it. A
    thread purges the queue every `every` s (~1 ms of moto work each time).
    """
    stop = threading.Event()

    def drain() -> None:
        while not stop.wait(every):
            world.sqs.purge_queue(QueueUrl=world.queue_url)

    world.sqs.purge_queue(QueueUrl=world.queue_url)
    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def use_queue(sqs: Any, name: str) -> str:
    """Create a queue and make it the orders function's ORDERS_QUEUE_URL."""
    from shared import aws
    from shared.config import settings

    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    os.environ["ORDERS_QUEUE_URL"] = url
    settings.cache_clear()
    aws.reset_clients()
    return url


def make_accounts(customers: int) -> tuple[str, list[str]]:
    """An admin (manage create-admin) and `customers` customers, each logged in once."""
    from concurrent.futures import ThreadPoolExecutor

    from handlers.auth import handler as auth_handler
    from handlers.manage import handler as manage
    from tests.apigw import Client

    auth = Client(auth_handler)
    admin = {"email": "bench-admin@example.com", "password": secrets.token_urlsafe(18)}
    created = manage({"command": "create-admin", **admin, "name": "Bench Admin"}, None)
    if created.get("status") != "created":
        raise BenchError(f"create-admin answered {created}")

    def log_in(credentials: dict[str, str]) -> str:
        reply = auth.post("/auth/login", json=credentials)
        if reply.status != 200:
            raise BenchError(f"POST /auth/login answered {reply.status}: {reply.text}")
        return reply.json["access_token"]

    def customer(number: int) -> str:
        credentials = {
            "email": f"bench-customer-{number}@example.com",
            "password": secrets.token_urlsafe(18),
        }
        reply = auth.post("/auth/register", json={**credentials, "name": f"Customer {number}"})
        if reply.status != 201:
            raise BenchError(f"POST /auth/register answered {reply.status}: {reply.text}")
        return log_in(credentials)

    # argon2 (~0.1 s a hash, by design) releases the GIL: a few threads halve the wait.
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        tokens = list(pool.map(customer, range(customers)))
    return log_in(admin), tokens


@contextmanager
def shop_world(server_url: str, *, customers: int, pool_size: int, keep: bool) -> Iterator[World]:
    """The shop on a fresh database, with moto's SQS and SES, an admin and its customers."""
    import boto3
    from moto import mock_aws

    with fresh_database(server_url, pool_size=pool_size, keep=keep) as engine, mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=MAIL_FROM)
        queue_url = use_queue(sqs, "orders")
        progress("creating the admin and the customers (argon2)")
        admin_token, tokens = make_accounts(customers)
        yield World(engine, sqs, queue_url, admin_token, tokens)
