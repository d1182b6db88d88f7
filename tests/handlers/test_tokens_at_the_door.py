"""Forged, expired and otherwise wrong bearer tokens: each a 401, never a 5xx."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from shared.models.base import utcnow
from tests import factories

KEY = b"test-signing-key-that-is-long-enough-for-hs256"


def claims(user_id: int, **overrides) -> dict:
    now = utcnow()
    base = {
        "sub": str(user_id),
        "typ": "access",
        "gen": 0,
        "jti": "j1",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


@pytest.fixture
def customer(session):
    return factories.customer(session)


def forged(kind: str, user_id: int) -> str:
    if kind == "alg none":
        return (
            f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(user_id, iat=1, exp=4102444800))}."
        )
    if kind == "wrong key":
        return jwt.encode(
            claims(user_id), b"another-key-of-a-sufficient-length!!", algorithm="HS256"
        )
    if kind == "HS512":
        return jwt.encode(claims(user_id), KEY * 2, algorithm="HS512")
    if kind == "expired":
        past = utcnow() - timedelta(hours=1)
        return jwt.encode(
            claims(user_id, iat=past, exp=past + timedelta(minutes=1)), KEY, algorithm="HS256"
        )
    if kind == "refresh type":
        return jwt.encode(claims(user_id, typ="refresh"), KEY, algorithm="HS256")
    if kind.startswith("without "):
        return jwt.encode(
            claims(user_id, **{kind.removeprefix("without "): None}), KEY, algorithm="HS256"
        )
    if kind == "non-numeric sub":
        return jwt.encode(claims(user_id, sub="admin"), KEY, algorithm="HS256")
    if kind == "unknown user":
        return jwt.encode(claims(user_id + 1000), KEY, algorithm="HS256")
    if kind == "stale generation":
        return jwt.encode(claims(user_id, gen=7), KEY, algorithm="HS256")
    if kind == "garbage":
        return "not.a.jwt"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "alg none",
        "wrong key",
        "HS512",
        "expired",
        "refresh type",
        "without exp",
        "without iat",
        "without sub",
        "without jti",
        "without typ",
        "without gen",
        "non-numeric sub",
        "unknown user",
        "stale generation",
        "garbage",
    ],
)
def test_a_bad_bearer_token_is_a_401_with_a_bearer_challenge(auth_api, customer, kind):
    reply = auth_api.get("/auth/me", token=forged(kind, customer.id))

    assert reply.status == 401
    assert reply.header("WWW-Authenticate") == "Bearer"
    assert reply.header("Content-Type") == "application/problem+json"


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "Token abc"])
def test_a_missing_or_malformed_authorization_header_is_a_401(auth_api, header):
    reply = auth_api.get("/auth/me", headers={"Authorization": header} if header else None)

    assert reply.status == 401


def test_a_well_signed_token_for_the_user_is_accepted(auth_api, customer):
    token = jwt.encode(claims(customer.id), KEY, algorithm="HS256")

    assert auth_api.get("/auth/me", token=token).status == 200
