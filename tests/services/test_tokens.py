"""Token signing keys: from the environment or Secrets Manager, rotation-friendly."""

from __future__ import annotations

import boto3
import jwt
import pytest
from moto import mock_aws

from shared import aws, secrets
from shared.config import settings
from shared.errors import NotAuthenticated
from shared.models.base import utcnow
from shared.services import tokens
from shared.signing_keys import signing_keys


@pytest.fixture
def fresh_keys(monkeypatch):
    def use(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings.cache_clear()
        signing_keys.cache_clear()
        secrets.clear()
        aws.reset_clients()

    yield use
    settings.cache_clear()
    signing_keys.cache_clear()
    secrets.clear()
    aws.reset_clients()


def token(**issue_args) -> str:
    return tokens.issue(
        user_id=1, token_type="access", generation=0, ttl=60, now=utcnow(), **issue_args
    )


def test_tokens_are_hs256_signed_with_the_utf8_bytes_of_jwt_secret(fresh_keys):
    fresh_keys(JWT_SECRET="ключ-that-is-long-enough-for-the-shop-🔑")

    decoded = jwt.decode(
        token(), "ключ-that-is-long-enough-for-the-shop-🔑".encode(), algorithms=["HS256"]
    )

    assert decoded["sub"] == "1" and decoded["typ"] == "access"


def test_a_token_signed_with_the_previous_key_still_verifies_after_rotation(fresh_keys):
    fresh_keys(JWT_SECRET="the-old-key-that-is-long-enough-for-hs256")
    old = token()

    fresh_keys(
        JWT_SECRET="the-new-key-that-is-long-enough-for-hs256",
        JWT_PREVIOUS_SECRET="the-old-key-that-is-long-enough-for-hs256",
    )

    assert tokens.decode(old, token_type="access").user_id == 1
    assert jwt.get_unverified_header(token())["alg"] == "HS256"


def test_a_token_of_a_retired_key_is_refused(fresh_keys):
    fresh_keys(JWT_SECRET="the-old-key-that-is-long-enough-for-hs256")
    old = token()
    fresh_keys(JWT_SECRET="the-new-key-that-is-long-enough-for-hs256")

    with pytest.raises(NotAuthenticated):
        tokens.decode(old, token_type="access")


@mock_aws
def test_jwt_secret_arn_reads_current_and_previous_versions_from_secrets_manager(
    fresh_keys, monkeypatch
):
    sm = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = sm.create_secret(Name="shop/jwt", SecretString="first-key-long-enough-for-hs256!!")["ARN"]
    monkeypatch.delenv("JWT_SECRET")
    fresh_keys(JWT_SECRET_ARN=arn)
    signed_with_first = token()

    sm.put_secret_value(SecretId=arn, SecretString="second-key-long-enough-for-hs256!")
    fresh_keys(JWT_SECRET_ARN=arn)

    assert tokens.decode(signed_with_first, token_type="access").user_id == 1
    new = token()
    assert jwt.decode(new, b"second-key-long-enough-for-hs256!", algorithms=["HS256"])
