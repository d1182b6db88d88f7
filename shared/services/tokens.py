"""Signed JWTs: HS256 only, every claim required, access and refresh never interchangeable."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.errors import NotAuthenticated
from shared.limits import MAX_INTEGER
from shared.signing_keys import signing_keys

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "typ", "gen"]
_ARTICLED = {"access": "an access", "refresh": "a refresh"}
MALFORMED = "The token is malformed or invalid."
# A user id as `issue` writes it: ASCII digits, no sign, space or leading zero.
USER_ID = re.compile(r"[1-9][0-9]{0,9}")
# Token and chain ids are UUIDs; printable ASCII keeps NUL and lone surrogates, which
# PostgreSQL refuses with an error, out of the refresh-token lookups.
TOKEN_ID = re.compile(r"[!-~]{1,64}")
# 9999-12-31T23:59:59Z, the last second a datetime can hold.
LATEST_TIMESTAMP = 253_402_300_799


@dataclass(frozen=True)
class Claims:
    user_id: int
    jti: str
    token_type: str
    generation: int
    chain_id: str | None
    expires_at: datetime


def issue(
    *,
    user_id: int,
    token_type: str,
    generation: int,
    ttl: int,
    now: datetime,
    jti: str | None = None,
    chain_id: str | None = None,
) -> str:
    """A signed `token_type` token for `user_id`, valid `ttl` seconds from `now`."""
    # PyJWT loads on first use: anonymous routes import this module
    # and never touch a token, so their cold start need not pay for it.
    import jwt

    claims = {
        "sub": str(user_id),
        "typ": token_type,
        "gen": generation,
        "jti": jti or str(uuid.uuid4()),
        "iat": now,
        "exp": now + timedelta(seconds=ttl),
    }
    if chain_id:
        claims["chn"] = chain_id
    return jwt.encode(claims, signing_keys().current, algorithm=ALGORITHM)


def decode(token: str, *, token_type: str) -> Claims:
    """Verified claims of a `token_type` token; anything else is NotAuthenticated."""
    return _checked_claims(_verified_payload(token), token_type)


def _verified_payload(token: str) -> dict[str, Any]:
    import jwt  # see issue()

    for key in signing_keys().verifying:
        try:
            return jwt.decode(
                token, key, algorithms=[ALGORITHM], options={"require": REQUIRED_CLAIMS}
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            raise NotAuthenticated("The token has expired.") from None
        except jwt.InvalidTokenError:
            raise NotAuthenticated(MALFORMED) from None
    raise NotAuthenticated(MALFORMED)


def _checked_claims(payload: dict[str, Any], token_type: str) -> Claims:
    """The claims, if each has the shape `issue` gives it.

    A correct signature only says who wrote the token, not that its claims are sane: the
    key may leak or be shared, and PyJWT takes `"exp": "99"` or 1e300 as numbers. Claims
    of any other type or range would fail later, in the database or in datetime, as a 500.
    """
    typ, sub, generation = payload["typ"], payload["sub"], payload["gen"]
    jti, chain_id = payload["jti"], payload.get("chn")
    if not isinstance(typ, str):
        raise NotAuthenticated(MALFORMED)
    if typ != token_type:
        raise NotAuthenticated(f"This is not {_ARTICLED[token_type]} token.")
    if not (
        isinstance(sub, str)
        and USER_ID.fullmatch(sub)
        and int(sub) <= MAX_INTEGER
        and type(generation) is int
        and 0 <= generation <= MAX_INTEGER
        and isinstance(jti, str)
        and TOKEN_ID.fullmatch(jti)
        and (chain_id is None or (isinstance(chain_id, str) and TOKEN_ID.fullmatch(chain_id)))
        and _is_timestamp(payload["exp"])
        and _is_timestamp(payload["iat"])
    ):
        raise NotAuthenticated(MALFORMED)
    return Claims(
        user_id=int(sub),
        jti=jti,
        token_type=token_type,
        generation=generation,
        chain_id=chain_id,
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )


def _is_timestamp(value: object) -> bool:
    """A JSON NumericDate (integer or finite decimal seconds) that a datetime can hold."""
    return (
        type(value) is int or (type(value) is float and math.isfinite(value))
    ) and 0 <= value <= LATEST_TIMESTAMP
