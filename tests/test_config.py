"""Settings: defaults for a laptop, and one clear failure for a deployed function."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]
LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "shop-api-dev-auth"}


def test_a_laptop_gets_a_sqlite_database_and_a_generated_key_that_stays(tmp_path):
    env = {"SHOP_LOCAL_DIR": str(tmp_path)}

    first, second = load_settings(env), load_settings(env)

    assert first.database_url == f"sqlite:///{tmp_path}/shop.db"
    assert len(first.jwt_secret) >= 32 and first.jwt_secret == second.jwt_secret
    assert (first.access_token_ttl, first.refresh_token_ttl, first.pending_order_ttl) == (
        900,
        1_209_600,
        1_800,
    )
    assert first.mail_from == "shop@example.com"
    assert (first.db_connect_timeout, first.db_statement_timeout, first.aws_call_timeout) == (
        5,
        5,
        2,
    )


def test_blank_values_count_as_unset(tmp_path):
    settings = load_settings(
        {"SHOP_LOCAL_DIR": str(tmp_path), "DATABASE_URL": "  ", "ACCESS_TOKEN_TTL": ""}
    )

    assert settings.database_url.startswith("sqlite:///")
    assert settings.access_token_ttl == 900


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({**LAMBDA, "JWT_SECRET": "k" * 40}, "DATABASE_URL or DB_SECRET_ARN"),
        ({**LAMBDA, "DATABASE_URL": "postgresql+pg8000://h/db"}, "JWT_SECRET or JWT_SECRET_ARN"),
        ({"JWT_SECRET": "short"}, "JWT_SECRET"),
        ({"ACCESS_TOKEN_TTL": "15m"}, "ACCESS_TOKEN_TTL"),
        ({"PENDING_ORDER_TTL": "-5"}, "PENDING_ORDER_TTL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"MAIL_FROM": "nobody"}, "MAIL_FROM"),
        ({"DB_CONNECT_TIMEOUT": "0"}, "DB_CONNECT_TIMEOUT"),
        ({"DB_STATEMENT_TIMEOUT": "nan"}, "DB_STATEMENT_TIMEOUT"),
        ({"AWS_CALL_TIMEOUT": "2s"}, "AWS_CALL_TIMEOUT"),
        *(
            ({"CORS_ALLOWED_ORIGINS": origins}, "CORS_ALLOWED_ORIGINS")
            for origins in (
                "https://shop.example/",  # a trailing slash: browsers never send one
                "https://shop.example/app",
                "shop.example",
                "HTTPS://Shop.example",
                "https://shop.example:443",  # browsers leave the default port out
                "http://shop.example:65536",
                "ftp://shop.example",
                "https://shop.example,,https://admin.shop.example",
                "https://shop.example,*",
                "https://*.shop.example",
            )
        ),
    ],
)
def test_a_missing_or_malformed_setting_is_named(tmp_path, env, named):
    with pytest.raises(ConfigError, match=named):
        load_settings({"SHOP_LOCAL_DIR": str(tmp_path), **env})


def test_a_laptop_lets_the_usual_front_end_dev_servers_call_the_api(tmp_path):
    settings = load_settings({"SHOP_LOCAL_DIR": str(tmp_path)})

    assert settings.cors_allowed_origins == ("http://localhost:5173", "http://localhost:3000")


def test_a_deployed_api_lets_no_browser_in_unless_origins_are_configured(tmp_path):
    env = {**LAMBDA, "SHOP_LOCAL_DIR": str(tmp_path), "JWT_SECRET": "k" * 40}
    env["DATABASE_URL"] = "postgresql+pg8000://h/db"

    assert load_settings(env).cors_allowed_origins == ()
    configured = load_settings({**env, "CORS_ALLOWED_ORIGINS": "https://shop.example"})
    assert configured.cors_allowed_origins == ("https://shop.example",)


def test_allowed_origins_are_read_in_order_without_spaces_or_repeats(tmp_path):
    raw = " https://shop.example, http://127.0.0.1:8080 ,https://shop.example"

    settings = load_settings({"SHOP_LOCAL_DIR": str(tmp_path), "CORS_ALLOWED_ORIGINS": raw})

    assert settings.cors_allowed_origins == ("https://shop.example", "http://127.0.0.1:8080")


def test_a_star_alone_allows_any_origin(tmp_path):
    settings = load_settings({"SHOP_LOCAL_DIR": str(tmp_path), "CORS_ALLOWED_ORIGINS": " * "})

    assert settings.cors_allowed_origins == ("*",)


def test_timeouts_may_be_fractions_of_a_second(tmp_path):
    settings = load_settings({"SHOP_LOCAL_DIR": str(tmp_path), "AWS_CALL_TIMEOUT": "0.5"})

    assert settings.aws_call_timeout == 0.5


def test_local_tools_are_not_mistaken_for_a_deployed_function(tmp_path):
    settings = load_settings({**LAMBDA, "IS_OFFLINE": "true", "SHOP_LOCAL_DIR": str(tmp_path)})

    assert settings.database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("function", "unset", "reason"),
    [
        ("meta", "DATABASE_URL", "DATABASE_URL or DB_SECRET_ARN is required"),
        # Only some functions need the bucket: those fail at cold start all the same.
        ("catalog_import", "IMPORTS_BUCKET", "IMPORTS_BUCKET is required by this function"),
    ],
)
def test_a_missing_setting_fails_the_cold_start_with_one_log_line(
    tmp_path, function, unset, reason
):
    env = {**os.environ, **LAMBDA, "SHOP_LOCAL_DIR": str(tmp_path), "JWT_SECRET": "k" * 40}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/shop.db", IMPORTS_BUCKET="shop-api-imports")
    del env[unset]

    run = subprocess.run(
        [sys.executable, "-c", f"import handlers.{function}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 1
    (line,) = run.stdout.splitlines()
    assert run.stderr == ""
    assert json.loads(line)["level"] == "CRITICAL"
    assert reason in json.loads(line)["message"]


def test_a_setting_only_some_functions_need_is_named_when_one_of_them_asks_for_it(tmp_path):
    settings = load_settings({"SHOP_LOCAL_DIR": str(tmp_path)})

    assert settings.imports_bucket is None
    with pytest.raises(ConfigError, match="IMPORTS_BUCKET is required"):
        settings.required("imports_bucket")
