"""The keys tokens and cursors are signed with: one to sign, and every key still trusted.

Rotation keeps the previous key trusted, so tokens and cursors signed before it still
verify until they expire. The keys are read on first use, never at cold start: from
Secrets Manager (current and previous versions) when JWT_SECRET_ARN is set, else from
the environment.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from shared.config import settings


class SigningKeys(NamedTuple):
    current: bytes
    verifying: tuple[bytes, ...]


@cache
def signing_keys() -> SigningKeys:
    """The key to sign with and, current key first, the keys to verify with."""
    config = settings()
    if config.jwt_secret_arn:
        from shared.secrets import secret_string

        current = secret_string(config.jwt_secret_arn)
        previous = secret_string(config.jwt_secret_arn, "AWSPREVIOUS")
    else:
        current, previous = config.jwt_secret, config.jwt_previous_secret
    keys = tuple(k.encode("utf-8") for k in (current, previous) if k)
    return SigningKeys(current=keys[0], verifying=keys)
