"""One settings object, validated at cold start.

A missing or malformed setting raises ConfigError naming it; `settings()` turns that into
one log line and a failed cold start instead of a stack trace deep inside a request.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NoReturn

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# operations.md's local default: the usual ports of a front-end's dev server and of the
# local API itself (its /docs page).
LOCAL_CORS_ORIGINS = ("http://localhost:5173", "http://localhost:3000")
# What a browser sends as Origin: lower-case scheme and host, a port only when not the
# scheme's default, never a path. Anything else could never match, so it is refused.
_ORIGIN = re.compile(
    r"(?P<scheme>https?)://"
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str | None
    db_secret_arn: str | None
    jwt_secret: str | None
    jwt_previous_secret: str | None
    jwt_secret_arn: str | None
    orders_queue_url: str | None
    imports_bucket: str | None
    mail_from: str
    access_token_ttl: int
    refresh_token_ttl: int
    pending_order_ttl: int
    db_connect_timeout: float
    db_statement_timeout: float
    aws_call_timeout: float
    cors_allowed_origins: tuple[str, ...]
    local_dir: Path

    def required(self, name: str) -> str:
        """A setting only some functions need (e.g. `imports_bucket`); ConfigError if unset."""
        value = getattr(self, name)
        if value is None:
            raise ConfigError(f"{name.upper()} is required by this function but not set")
        return value


def _get(env: Mapping[str, str], name: str) -> str | None:
    # serverless.yml passes unset optional settings as empty strings.
    value = env.get(name, "").strip()
    return value or None


def _seconds(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _get(env, name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name} must be a positive whole number of seconds, got {raw!r}")
    return int(raw)


def _timeout(env: Mapping[str, str], name: str, default: float) -> float:
    raw = _get(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 900:  # nan fails the comparison too
        raise ConfigError(f"{name} must be a number of seconds between 0 and 900, got {raw!r}")
    return value


def cors_allowed_origins(env: Mapping[str, str], *, deployed: bool) -> tuple[str, ...]:
    """CORS_ALLOWED_ORIGINS as a tuple: `("*",)`, origins, or none; ConfigError if malformed.

    Unset, a deployed API lets no browser in, a local one operations.md's defaults.
    """
    raw = _get(env, "CORS_ALLOWED_ORIGINS")
    if raw is None:
        return () if deployed else LOCAL_CORS_ORIGINS
    origins = tuple(dict.fromkeys(origin.strip() for origin in raw.split(",")))
    if origins == ("*",):
        return origins
    for origin in origins:
        if not _is_origin(origin):
            raise ConfigError(
                f"CORS_ALLOWED_ORIGINS must be * alone or comma-separated origins "
                f"(scheme://host[:port], lower case, no path or trailing slash), got {origin!r}"
            )
    return origins


def _is_origin(value: str) -> bool:
    match = _ORIGIN.fullmatch(value)
    if match is None:
        return False
    if match["port"] is None:
        return True
    port = int(match["port"])
    return port <= 65535 and port != _DEFAULT_PORTS[match["scheme"]]


def running_on_lambda(env: Mapping[str, str]) -> bool:
    """True in a deployed function, false under `sls invoke local`, `sls offline` and tests."""
    return bool(env.get("AWS_LAMBDA_FUNCTION_NAME")) and not (
        env.get("IS_OFFLINE") or env.get("IS_LOCAL")
    )


def _dev_jwt_secret(local_dir: Path) -> str:
    # Every local function process must sign and verify with the same key, so the
    # generated development key lives in a file rather than in memory.
    path = local_dir / "dev-jwt-secret"
    if not path.exists():
        local_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            with path.open("x", encoding="utf-8") as f:
                f.write(key)
            path.chmod(0o600)
        except FileExistsError:
            pass
    return path.read_text(encoding="utf-8").strip()


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Read and check every setting of operations.md from `env`."""
    local_dir = Path(_get(env, "SHOP_LOCAL_DIR") or PROJECT_ROOT / ".local")
    on_lambda = running_on_lambda(env)

    database_url = _get(env, "DATABASE_URL")
    db_secret_arn = _get(env, "DB_SECRET_ARN")
    if database_url and not database_url.startswith(("sqlite", "postgresql")):
        raise ConfigError("DATABASE_URL must be a sqlite:// or postgresql+pg8000:// URL")
    if not database_url and not db_secret_arn:
        if on_lambda:
            raise ConfigError("DATABASE_URL or DB_SECRET_ARN is required")
        database_url = f"sqlite:///{local_dir / 'shop.db'}"

    jwt_secret = _get(env, "JWT_SECRET")
    jwt_secret_arn = _get(env, "JWT_SECRET_ARN")
    if not jwt_secret and not jwt_secret_arn:
        if on_lambda:
            raise ConfigError("JWT_SECRET or JWT_SECRET_ARN is required")
        jwt_secret = _dev_jwt_secret(local_dir)
    if jwt_secret is not None and len(jwt_secret.encode()) < 32:
        raise ConfigError("JWT_SECRET must be at least 32 bytes long")

    if (mail_from := _get(env, "MAIL_FROM") or "shop@example.com").count("@") != 1:
        raise ConfigError(f"MAIL_FROM must be an e-mail address, got {mail_from!r}")

    return Settings(
        database_url=database_url,
        db_secret_arn=db_secret_arn,
        jwt_secret=jwt_secret,
        jwt_previous_secret=_get(env, "JWT_PREVIOUS_SECRET"),
        jwt_secret_arn=jwt_secret_arn,
        orders_queue_url=_get(env, "ORDERS_QUEUE_URL"),
        imports_bucket=_get(env, "IMPORTS_BUCKET"),
        mail_from=mail_from,
        access_token_ttl=_seconds(env, "ACCESS_TOKEN_TTL", 900),
        refresh_token_ttl=_seconds(env, "REFRESH_TOKEN_TTL", 1_209_600),
        pending_order_ttl=_seconds(env, "PENDING_ORDER_TTL", 1_800),
        db_connect_timeout=_timeout(env, "DB_CONNECT_TIMEOUT", 5),
        db_statement_timeout=_timeout(env, "DB_STATEMENT_TIMEOUT", 5),
        aws_call_timeout=_timeout(env, "AWS_CALL_TIMEOUT", 2),
        cors_allowed_origins=cors_allowed_origins(env, deployed=on_lambda),
        local_dir=local_dir,
    )


@cache
def settings() -> Settings:
    """The process's settings; a bad setting ends the cold start with one log line."""
    try:
        return load_settings()
    except ConfigError as error:
        _end_cold_start(error)


def require(*names: str) -> Settings:
    """The settings, checked at cold start to hold each of `names` (e.g. "imports_bucket").

    For settings that only some functions need: each such function calls this when its
    module loads, so a deploy without the setting fails there, with one log line, and
    not in the middle of its first request.
    """
    config = settings()
    try:
        for name in names:
            config.required(name)
    except ConfigError as error:
        _end_cold_start(error)
    return config


def _end_cold_start(error: ConfigError) -> NoReturn:
    print(json.dumps({"level": "CRITICAL", "message": f"configuration error: {error}"}), flush=True)
    raise SystemExit(1) from None
