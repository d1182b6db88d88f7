"""Secrets kept in Secrets Manager: a Secrets Manager that fails is a 503, never a hang or a 500.

The fault is real: Secrets Manager is a loopback socket that accepts and never answers, or
a port where nothing listens. Secrets are read the first time a container needs them, so
every test starts from a container that has read none.
"""

from __future__ import annotations

import time

import boto3
import pytest
from moto import mock_aws

from shared import aws, db, secrets
from shared.config import settings
from shared.signing_keys import signing_keys
from tests.apigw import client_of
from tests.faults.hung_endpoint import aws_call_timeout, closed_port, hung_endpoint, service_at

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/{}-AbCdEf"
# Any bearer token: the keys it would be checked with are what cannot be read.
SOME_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


def forget_secrets() -> None:
    settings.cache_clear()
    signing_keys.cache_clear()
    secrets.clear()
    aws.reset_clients()


@pytest.fixture
def signing_key_in_secrets_manager(monkeypatch, postgres):
    """The signing key is found through Secrets Manager and not read yet; PostgreSQL as usual."""
    monkeypatch.setenv("JWT_SECRET_ARN", ARN.format("jwt"))
    forget_secrets()
    yield
    monkeypatch.undo()
    forget_secrets()


@pytest.fixture
def database_in_secrets_manager(monkeypatch):
    """The database is found through Secrets Manager, and no container has read it yet."""
    monkeypatch.setenv("DB_SECRET_ARN", ARN.format("db"))
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setattr(db, "_engine", None)
    forget_secrets()
    yield
    monkeypatch.undo()
    forget_secrets()


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["hung", "unreachable"])
def test_a_secrets_manager_that_hangs_or_is_gone_makes_a_request_answer_503_within_10_seconds(
    signing_key_in_secrets_manager, fault
):
    with (
        hung_endpoint() as hung,
        service_at("secretsmanager", hung.url if fault == "hung" else closed_port()),
    ):
        started = time.monotonic()
        reply = client_of("auth").get("/auth/me", token=SOME_TOKEN)
        took = time.monotonic() - started

    print(f"GET /auth/me with Secrets Manager {fault}: {took:.2f} s")
    assert reply.status == 503, reply.text
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.header("Retry-After") == "5"
    assert took < 10  # operations.md's budget for a dependency that fails
    if fault == "hung":
        assert hung.accepted == 1 + secrets.RETRIES


def test_a_route_on_the_database_answers_503_when_the_database_secret_cannot_be_read(
    database_in_secrets_manager,
):
    with aws_call_timeout(0.3), service_at("secretsmanager", closed_port()):
        reply = client_of("products").get("/products")

    assert reply.status == 503, reply.text
    assert (
        reply.json["detail"] == "A service the shop depends on is unavailable; try again shortly."
    )
    assert reply.header("Retry-After") == "5"


def test_health_says_the_database_is_unavailable_when_its_secret_cannot_be_read(
    database_in_secrets_manager,
):
    with aws_call_timeout(0.3), service_at("secretsmanager", closed_port()):
        reply = client_of("meta").get("/health")

    assert reply.status == 503
    assert reply.json == {"status": "degraded", "database": "unavailable"}
    assert reply.header("Retry-After") == "5"


@mock_aws
def test_once_secrets_manager_is_back_the_next_request_reads_the_secret(
    signing_key_in_secrets_manager, monkeypatch
):
    key = "a-signing-key-long-enough-for-hs256"
    arn = boto3.client("secretsmanager").create_secret(Name="shop/jwt", SecretString=key)["ARN"]
    monkeypatch.setenv("JWT_SECRET_ARN", arn)
    forget_secrets()
    with aws_call_timeout(0.3), service_at("secretsmanager", closed_port()):
        assert client_of("auth").get("/auth/me", token=SOME_TOKEN).status == 503

    reply = client_of("auth").get("/auth/me", token=SOME_TOKEN)

    assert reply.status == 401  # the token was checked: its keys could be read this time
    assert signing_keys().current == key.encode()
