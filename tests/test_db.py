"""Where the database comes from: DATABASE_URL, or an RDS secret read once per container."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared import aws, db, secrets
from shared.config import settings


@pytest.fixture
def secret_env(monkeypatch):
    def use(arn: str) -> None:
        monkeypatch.delenv("DATABASE_URL")
        monkeypatch.setenv("DB_SECRET_ARN", arn)
        settings.cache_clear()
        secrets.clear()
        aws.reset_clients()

    yield use
    settings.cache_clear()
    secrets.clear()
    aws.reset_clients()


@mock_aws
def test_db_secret_arn_builds_a_pg8000_url_from_the_rds_secret(secret_env):
    sm = boto3.client("secretsmanager", region_name="eu-west-1")
    rds_secret = {
        "username": "shop",
        "password": "p@ss:/word",
        "host": "db.internal",
        "port": 5433,
        "dbname": "shop",
        "engine": "postgres",
    }
    arn = sm.create_secret(Name="shop/db", SecretString=json.dumps(rds_secret))["ARN"]
    secret_env(arn)

    url = db.database_url()

    assert url.drivername == "postgresql+pg8000"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "shop",
        "p@ss:/word",
        "db.internal",
        5433,
        "shop",
    )


@mock_aws
def test_the_db_secret_is_read_once_per_container(secret_env, monkeypatch):
    sm = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = sm.create_secret(
        Name="shop/db",
        SecretString=json.dumps(
            {"username": "u", "password": "p", "host": "h", "port": 5432, "dbname": "d"}
        ),
    )["ARN"]
    secret_env(arn)
    calls = []
    client = aws.client("secretsmanager", retries=secrets.RETRIES)
    original = client.get_secret_value
    monkeypatch.setattr(client, "get_secret_value", lambda **kw: calls.append(kw) or original(**kw))

    db.database_url()
    db.database_url()

    assert len(calls) == 1


def test_a_request_session_is_closed_even_when_the_view_fails(engine, monkeypatch):
    from handlers.auth import handler
    from shared.services import auth
    from tests.apigw import Client

    closed = []
    real_new_session = db.new_session

    def tracking_session():
        session = real_new_session()
        original_close = session.close
        session.close = lambda: closed.append(True) or original_close()
        return session

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(db, "new_session", tracking_session)
    monkeypatch.setattr(auth, "login", boom)

    reply = Client(handler).post("/auth/login", {"email": "a@example.com", "password": "x" * 12})

    assert reply.status == 500
    assert reply.json["detail"] == "An unexpected error occurred."
    assert "unexpected" not in reply.text.replace("An unexpected error", "")
    assert closed == [True]


def test_postgresql_sessions_carry_the_configured_statement_and_lock_timeouts(postgres_database):
    engine = db.build_engine(postgres_database.url, statement_timeout=2.5)
    try:
        with engine.connect() as connection:
            shown = [
                connection.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("statement_timeout", "lock_timeout")
            ]
    finally:
        engine.dispose()

    assert shown == ["2500ms", "2500ms"]


def _driver_error(code: str) -> DBAPIError:
    return DBAPIError("SELECT 1", {}, Exception({"S": "ERROR", "C": code, "M": "..."}))


@pytest.mark.parametrize(
    "code",
    ["53300", "57014", "57P01", "57P03", "08006", "55P03", "40001", "40P01"],
)
def test_errors_that_mean_the_database_cannot_serve_now_count_as_unavailable(code):
    assert db.is_unavailable(_driver_error(code))


@pytest.mark.parametrize("code", ["23505", "23514", "22003", "42P01"])
def test_errors_a_request_or_a_bug_causes_do_not_count_as_unavailable(code):
    assert not db.is_unavailable(_driver_error(code))
    assert not db.is_unavailable(ValueError("a bug"))
