"""The service packaged once for the session, and a shop whose every function runs from it.

The shop's state (a SQLite database file, moto's queue, bucket and mail sender behind a
real port) is made by the functions themselves: `migrate` creates the schema, `manage`
the admin and the demo catalogue, `auth` the accounts.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from scripts.lambda_runtime import Artifacts, LambdaRuntime, Run, listing, unpack
from tests.apigw import api_event, reply_of
from tests.packaging import package_service

REGION = "eu-west-1"
MAIL_FROM = "shop@example.com"
ADMIN = {"email": "artifact-admin@example.com", "password": secrets.token_urlsafe(18)}
CUSTOMER = {"email": "artifact-customer@example.com", "password": secrets.token_urlsafe(18)}


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    # No secret ARNs: the functions read DATABASE_URL and JWT_SECRET from the settings below.
    package_dir = package_service(
        tmp_path_factory.mktemp("package"), DB_SECRET_ARN="", JWT_SECRET_ARN=""
    )
    return unpack(package_dir, tmp_path_factory.mktemp("unpacked"))


@pytest.fixture(scope="session")
def lambda_runtime() -> LambdaRuntime:
    return LambdaRuntime.prepare()


@pytest.fixture(scope="module")
def aws(moto_server: str) -> SimpleNamespace:
    """moto's SQS, SES and S3 on a loopback port: the orders queue, the sender, the bucket."""
    import boto3
    import requests

    requests.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()

    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=moto_server)

    sqs, ses, s3 = client("sqs"), client("ses"), client("s3")
    queue_url = sqs.create_queue(QueueName="shop-api-artifacts-orders")["QueueUrl"]
    ses.verify_email_identity(EmailAddress=MAIL_FROM)
    bucket = os.environ["IMPORTS_BUCKET"]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    return SimpleNamespace(
        endpoint=moto_server, sqs=sqs, ses=ses, s3=s3, queue_url=queue_url, bucket=bucket
    )


@dataclass
class Shop:
    """The unpacked functions, their settings, and a cold start that checks the rules."""

    runtime: LambdaRuntime
    artifacts: Artifacts
    settings: dict[str, str]
    layer_files: dict[str, tuple[int, int]]
    # The cold starts that made the shop's state, by function.
    setup: dict[str, Run] = field(default_factory=dict)

    def cold_start(self, function: str, *events: dict) -> Run:
        """A fresh execution environment of `function`, handed each event in turn.

        Whatever the function does, it must run on the byte code it ships (no module of
        its zip or of the layer compiled from source), write nothing where it lives, and
        end its init with the garbage collector back on (handlers/__init__.py).
        """
        task_root = self.artifacts.functions[function].task_root
        task_files = listing(task_root)
        run = self.runtime.invoke_function(
            self.artifacts, function, list(events), settings=self.settings
        )
        assert run.collector_enabled, f"{function} left the garbage collector off"
        assert run.frozen_objects > 10_000, f"{function} froze no import-time objects"
        compiled = run.compiled_under(self.artifacts.folders())
        assert not compiled, f"{function} compiled from source: {compiled}"
        assert listing(task_root) == task_files, f"{function} wrote into its /var/task"
        assert listing(self.artifacts.layer_root) == self.layer_files, f"{function} wrote to /opt"
        assert run.sys_path[:3] == [
            str(task_root),
            str(self.artifacts.layer_root / "python"),
            str(self.runtime.runtime_dir),
        ]
        return run


@pytest.fixture(scope="module")
def shop(artifacts, lambda_runtime, aws, tmp_path_factory) -> Shop:
    """A migrated database with an admin and the demo catalogue, made by the functions."""
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('database')}/shop.db",
        "JWT_SECRET": secrets.token_urlsafe(36),
        "AWS_ENDPOINT_URL": aws.endpoint,
        "ORDERS_QUEUE_URL": aws.queue_url,
        "IMPORTS_BUCKET": aws.bucket,
        "MAIL_FROM": MAIL_FROM,
    }
    shop = Shop(lambda_runtime, artifacts, settings, listing(artifacts.layer_root))
    shop.setup["migrate"] = shop.cold_start("migrate", {})
    shop.setup["manage"] = shop.cold_start(
        "manage",
        {"command": "create-admin", **ADMIN, "name": "Artifact Admin"},
        {"command": "seed-demo"},
    )
    return shop


@pytest.fixture(scope="module")
def accounts(shop: Shop) -> SimpleNamespace:
    """A customer registered and logged in through `auth`, and the admin logged in."""
    run = shop.cold_start(
        "auth",
        api_event("POST", "/auth/register", json_body={**CUSTOMER, "name": "Artifact Customer"}),
        api_event("POST", "/auth/login", json_body=CUSTOMER),
        api_event("POST", "/auth/login", json_body=ADMIN),
    )
    registered, customer, admin = (reply_of(step.response) for step in run.steps)
    assert [registered.status, customer.status, admin.status] == [201, 200, 200], run.stderr
    return SimpleNamespace(
        run=run,
        admin=ADMIN,
        customer=CUSTOMER,
        customer_token=customer.json["access_token"],
        admin_token=admin.json["access_token"],
    )
