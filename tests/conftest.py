"""Test setup: a fixed environment, and every API test on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL, else the server at 127.0.0.1:5432 (database
`test`); each run works in a fresh database of its own, dropped at the end. Without a
server the PostgreSQL half skips with its reason, except in CI, where it fails.
"""

from __future__ import annotations

import io
import os
import socket
import tempfile
from types import SimpleNamespace

_LOCAL_DIR = tempfile.mkdtemp(prefix="shop-tests-")
os.environ.update(
    SHOP_LOCAL_DIR=_LOCAL_DIR,
    DATABASE_URL=f"sqlite:///{_LOCAL_DIR}/unused.db",
    JWT_SECRET="test-signing-key-that-is-long-enough-for-hs256",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_REGION="eu-west-1",
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_EC2_METADATA_DISABLED="true",
    POWERTOOLS_SERVICE_NAME="shop-api",
    IMPORTS_BUCKET="shop-api-test-imports",
)
for name in (
    "DB_SECRET_ARN",
    "JWT_SECRET_ARN",
    "JWT_PREVIOUS_SECRET",
    "AWS_ENDPOINT_URL",
    "ORDERS_QUEUE_URL",
):
    os.environ.pop(name, None)

import pytest  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from shared import db  # noqa: E402
from shared.migrations import upgrade  # noqa: E402
from shared.models import Base, User  # noqa: E402
from tests import factories  # noqa: E402
from tests.apigw import Client, client_of  # noqa: E402
from tests.postgres import DEFAULT_SERVER, ServerUnavailable, ThrowawayDatabase  # noqa: E402

# Folders whose tests share something slow to make: a packaged service, unzipped
# artifacts, a running scripts/dev, a fault proxy. scripts/test runs the suite on every core
# (pytest-xdist): each group of these stays on one worker, which makes it once, while the
# other workers share the in-process tests. `sls package` always writes the layer's zip
# into the repo's .serverless/, so everything that packages is one group.
_SLOW_GROUP_OF_FOLDER = {
    "packaging": "sls-package",
    "artifacts": "sls-package",
    "local": "scripts-dev",
    "faults": "faults",
}


def _slow_group(nodeid: str) -> str | None:
    folder = nodeid.split("/")[1] if nodeid.count("/") > 1 else ""
    return _SLOW_GROUP_OF_FOLDER.get(folder)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _slow_group(item.nodeid):
            item.add_marker(pytest.mark.slow)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Each slow group to one worker, every other test to whichever worker is free.

    What --dist loadgroup would do with xdist_group marks, which pytest-xdist 3.8 cannot
    read off pytest 9.2's items (it rewrites a node id attribute pytest no longer uses).
    """
    from xdist.scheduler import LoadScopeScheduling

    class SlowGroupsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _slow_group(nodeid) or nodeid

    return SlowGroupsTogether(config, log)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """argon2id with its smallest cost: the suite creates hundreds of accounts."""
    from argon2 import PasswordHasher

    from shared.services import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    original = passwords._hasher
    passwords._hasher = lambda: cheap
    passwords.dummy_hash.cache_clear()
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh, migrated PostgreSQL database for this run."""
    try:
        database = ThrowawayDatabase(
            os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER, prefix="shop_test"
        )
    except ServerUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error} (CI must run the PostgreSQL tests)")
        pytest.skip(str(error))
    engine = db.build_engine(database.url)
    upgrade(engine)
    yield engine
    engine.dispose()
    database.drop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    """A migrated database of each kind, shared by the tests of one run."""
    if request.param == "postgresql":
        yield request.getfixturevalue("postgres_database")
        return
    engine = db.build_engine(f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/shop.db")
    upgrade(engine)
    yield engine
    engine.dispose()


def _empty_and_use(database):
    with database.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    db.use_engine(database)
    return database


@pytest.fixture
def engine(database):
    """The database, emptied, and used by the code under test."""
    return _empty_and_use(database)


@pytest.fixture
def postgres(postgres_database):
    """PostgreSQL alone, emptied and in use: for tests of behaviour under concurrency."""
    return _empty_and_use(postgres_database)


@pytest.fixture
def session(engine):
    with db.session_scope() as session:
        yield session


@pytest.fixture
def aws_world(monkeypatch):
    """moto's SQS, SES and S3 in-process, with the orders queue and a verified sender."""
    import boto3
    from moto import mock_aws

    from shared import aws
    from shared.config import settings

    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
        queue = sqs.create_queue(QueueName="orders")["QueueUrl"]
        ses = boto3.client("ses", region_name="eu-west-1")
        ses.verify_email_identity(EmailAddress="shop@example.com")
        monkeypatch.setenv("ORDERS_QUEUE_URL", queue)
        settings.cache_clear()
        aws.reset_clients()
        yield SimpleNamespace(sqs=sqs, ses=ses, queue_url=queue, dlq_url=dlq)
    settings.cache_clear()
    aws.reset_clients()


@pytest.fixture
def admin(session) -> User:
    """A fresh admin."""
    return factories.admin(session)


@pytest.fixture
def customer(session) -> User:
    """A fresh customer."""
    return factories.customer(session)


@pytest.fixture
def admin_token(session, admin) -> str:
    """The admin's access token."""
    return factories.tokens_for(session, admin)["access_token"]


@pytest.fixture
def customer_token(session, customer) -> str:
    """The customer's access token."""
    return factories.tokens_for(session, customer)["access_token"]


@pytest.fixture
def mug(session):
    """An active product with stock for 50 one-line orders."""
    from shared.models import Product

    product = Product(sku="MUG", name="Mug", price_cents=1250, stock=50)
    session.add(product)
    session.commit()
    return product


@pytest.fixture
def log_lines():
    """The log lines written while the test runs (the logger keeps its own stdout handle)."""
    from shared.log import logger

    buffer = io.StringIO()
    previous = logger.registered_handler.setStream(buffer)
    yield lambda: buffer.getvalue().splitlines()
    logger.registered_handler.setStream(previous)


@pytest.fixture
def api(request: pytest.FixtureRequest, engine) -> Client:
    """A client of the function the test module names in FUNCTION, on the emptied database."""
    return client_of(request.module.FUNCTION)


@pytest.fixture
def auth_api(engine) -> Client:
    return client_of("auth")


@pytest.fixture
def meta_api(engine) -> Client:
    return client_of("meta")


@pytest.fixture(scope="session")
def moto_server():
    """A moto AWS emulation behind a real HTTP port, so pre-signed URLs can be used."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_server, monkeypatch):
    """The imports bucket, new and empty, in the emulation that shared.aws now talks to."""
    import requests

    from shared import aws

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    requests.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    aws.reset_clients()
    client = aws.client("s3")
    client.create_bucket(
        Bucket=os.environ["IMPORTS_BUCKET"],
        CreateBucketConfiguration={"LocationConstraint": os.environ["AWS_REGION"]},
    )
    # As serverless.yml creates it: S3 events then name the version they are about.
    client.put_bucket_versioning(
        Bucket=os.environ["IMPORTS_BUCKET"], VersioningConfiguration={"Status": "Enabled"}
    )
    yield client
    aws.reset_clients()


@pytest.fixture
def written_metrics(capsys):
    """The business metrics written while the test runs; counts left by earlier tests are not."""
    from shared import metrics
    from tests.emf import WrittenMetrics

    metrics.flush()
    capsys.readouterr()
    return WrittenMetrics(capsys)
