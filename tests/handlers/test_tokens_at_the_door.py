"""Forged, expired and otherwise wrong bearer tokens: each a 401, never a 5xx."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.models.base import utcnow

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


def signed(payload: dict) -> str:
    """`payload` as a token correctly signed with the shop's key, whatever its values."""
    header = b64({"alg": "HS256", "typ": "JWT"})
    body = b64(payload)
    signature = hmac.new(KEY, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def valid_claims(user_id: int) -> dict:
    now = int(utcnow().timestamp())
    return {
        "sub": str(user_id),
        "typ": "access",
        "gen": 0,
        "jti": "j1",
        "iat": now,
        "exp": now + 300,
    }


def arabic_indic(number: int) -> str:
    return "".join(chr(0x660 + int(digit)) for digit in str(number))


ODD_CLAIMS = {
    "sub in Arabic-Indic digits": ("sub", arabic_indic),
    "sub in exponent notation": ("sub", lambda uid: f"{uid}e0"),
    "sub with a leading space": ("sub", lambda uid: f" {uid}"),
    "sub with a trailing newline": ("sub", lambda uid: f"{uid}\n"),
    "sub with a leading zero": ("sub", lambda uid: f"0{uid}"),
    "sub with a sign": ("sub", lambda uid: f"+{uid}"),
    "sub beyond 64 bits": ("sub", lambda uid: "99999999999999999999"),
    "sub beyond the user-id range": ("sub", lambda uid: "2147483648"),
    "sub as a number": ("sub", lambda uid: uid),
    "sub zero": ("sub", lambda uid: "0"),
    "exp as a string": ("exp", lambda uid: "99999999999"),
    "exp of 1e300": ("exp", lambda uid: 1e300),
    "exp infinite": ("exp", lambda uid: float("inf")),
    "exp not a number": ("exp", lambda uid: float("nan")),
    "exp true": ("exp", lambda uid: True),
    "exp past the year 9999": ("exp", lambda uid: 10**12),
    "exp a huge integer": ("exp", lambda uid: 10**300),
    "iat as a list": ("iat", lambda uid: [1]),
    "iat as a string": ("iat", lambda uid: "1"),
    "iat negative infinity": ("iat", lambda uid: float("-inf")),
    "gen a boolean": ("gen", lambda uid: False),
    "gen huge": ("gen", lambda uid: 10**30),
    "gen negative": ("gen", lambda uid: -1),
    "gen a float": ("gen", lambda uid: 0.0),
    "gen a string": ("gen", lambda uid: "0"),
    "jti a number": ("jti", lambda uid: 1),
    "jti empty": ("jti", lambda uid: ""),
    "jti with NUL": ("jti", lambda uid: "j\u0000"),
    "jti a lone surrogate": ("jti", lambda uid: "\ud800"),
    "jti too long": ("jti", lambda uid: "j" * 65),
    "typ a number": ("typ", lambda uid: 1),
    "typ a list": ("typ", lambda uid: ["access"]),
    "chn a number": ("chn", lambda uid: 7),
    "chn an object": ("chn", lambda uid: {"id": "c"}),
    "chn with NUL": ("chn", lambda uid: "c\u0000"),
}


@pytest.mark.parametrize("odd", ODD_CLAIMS)
def test_a_well_signed_token_with_an_odd_claim_is_a_401(auth_api, customer, odd):
    name, value = ODD_CLAIMS[odd]
    token = signed({**valid_claims(customer.id), name: value(customer.id)})

    reply = auth_api.get("/auth/me", token=token)

    assert reply.status == 401
    assert reply.header("WWW-Authenticate") == "Bearer"


@pytest.mark.parametrize(
    "odd", [k for k in ODD_CLAIMS if k.startswith(("sub", "gen", "jti", "chn"))]
)
def test_a_refresh_token_with_an_odd_claim_is_a_401(auth_api, customer, odd):
    name, value = ODD_CLAIMS[odd]
    claims = {**valid_claims(customer.id), "typ": "refresh", "chn": "c1", name: value(customer.id)}

    reply = auth_api.post("/auth/refresh", {"refresh_token": signed(claims)})

    assert reply.status == 401


def test_a_well_signed_token_with_decimal_timestamps_is_accepted(auth_api, customer):
    claims = valid_claims(customer.id)
    token = signed({**claims, "iat": claims["iat"] + 0.5, "exp": claims["exp"] + 0.5})

    assert auth_api.get("/auth/me", token=token).status == 200


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(["1", "01", "1e3", " 1", "٣", "access", "refresh", "9" * 30]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)
claim_names = st.sampled_from(
    ["sub", "exp", "iat", "gen", "jti", "typ", "chn", "nbf", "aud", "iss"]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(odd=st.dictionaries(claim_names, json_values, min_size=1, max_size=4))
def test_any_well_signed_claims_are_a_200_or_a_401_never_an_error(auth_api, customer, odd):
    reply = auth_api.get("/auth/me", token=signed({**valid_claims(customer.id), **odd}))

    assert reply.status in (200, 401)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(odd=st.dictionaries(claim_names, json_values, min_size=1, max_size=4))
def test_any_well_signed_refresh_claims_are_a_401_never_an_error(auth_api, customer, odd):
    claims = {**valid_claims(customer.id), "typ": "refresh", "chn": "c1", **odd}

    reply = auth_api.post("/auth/refresh", {"refresh_token": signed(claims)})

    assert reply.status == 401
