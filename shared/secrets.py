"""Values kept in Secrets Manager, read once per container."""

from __future__ import annotations

import json
from functools import cache

from sqlalchemy import URL

from shared.aws import client

# Secrets are read on a request's path, the first time a container needs them: one retry
# rides out a blip, and a Secrets Manager that never answers costs the request two
# AWS_CALL_TIMEOUTs and a backoff (~5 s), then a 503, inside the contract's 10 s.
RETRIES = 1


@cache
def secret_string(arn: str, stage: str = "AWSCURRENT") -> str | None:
    """The secret's string at `stage`, or None when that stage does not exist."""
    sm = client("secretsmanager", retries=RETRIES)
    try:
        return sm.get_secret_value(SecretId=arn, VersionStage=stage)["SecretString"]
    except sm.exceptions.ResourceNotFoundException:
        if stage == "AWSCURRENT":
            raise
        return None


def database_url_from_secret(arn: str) -> URL:
    """A pg8000 URL built from an RDS-format secret (username, password, host, port, dbname)."""
    fields = json.loads(secret_string(arn))
    return URL.create(
        "postgresql+pg8000",
        username=fields["username"],
        password=fields["password"],
        host=fields["host"],
        port=int(fields.get("port", 5432)),
        database=fields.get("dbname") or "postgres",
    )


def clear() -> None:
    """Forget cached secret values (tests rotate secrets)."""
    secret_string.cache_clear()
