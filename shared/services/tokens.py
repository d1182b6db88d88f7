"""Signed JWTs: HS256 only, every claim required, access and refresh never interchangeable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt

from shared.config import settings
from shared.errors import NotAuthenticated

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "typ", "gen"]
_ARTICLED = {"access": "an access", "refresh": "a refresh"}


@dataclass(frozen=True)
class Claims:
    user_id: int
    jti: str
    token_type: str
    generation: int
    chain_id: str | None
    expires_at: datetime


@cache
def signing_keys() -> tuple[bytes, tuple[bytes, ...]]:
    """(key to sign with, keys to verify with): rotation keeps the previous key valid."""
    config = settings()
    if config.jwt_secret_arn:
        from shared.secrets import secret_string

        current = secret_string(config.jwt_secret_arn)
        previous = secret_string(config.jwt_secret_arn, "AWSPREVIOUS")
    else:
        current, previous = config.jwt_secret, config.jwt_previous_secret
    keys = tuple(k.encode("utf-8") for k in (current, previous) if k)
    return keys[0], keys


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
    return jwt.encode(claims, signing_keys()[0], algorithm=ALGORITHM)


def decode(token: str, *, token_type: str) -> Claims:
    """Verified claims of a `token_type` token; anything else is NotAuthenticated."""
    for key in signing_keys()[1]:
        try:
            payload = jwt.decode(
                token, key, algorithms=[ALGORITHM], options={"require": REQUIRED_CLAIMS}
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            raise NotAuthenticated("The token has expired.") from None
        except jwt.InvalidTokenError:
            raise NotAuthenticated("The token is malformed or invalid.") from None
    else:
        raise NotAuthenticated("The token is malformed or invalid.")
    if payload["typ"] != token_type:
        raise NotAuthenticated(f"This is not {_ARTICLED[token_type]} token.")
    sub, generation = payload["sub"], payload["gen"]
    if not (isinstance(sub, str) and sub.isdigit()) or type(generation) is not int:
        raise NotAuthenticated("The token is malformed or invalid.")
    return Claims(
        user_id=int(sub),
        jti=str(payload["jti"]),
        token_type=token_type,
        generation=generation,
        chain_id=payload.get("chn"),
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )
