"""The CORS policy as osls reads it for API Gateway: `python -m shared.cors`."""

from __future__ import annotations

import json

from shared.cors import main


def printed_policy(capsys, *args: str):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_a_deployed_stage_without_origins_gets_no_cors_at_all(monkeypatch, capsys):
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)

    assert printed_policy(capsys, "--deployed") is False


def test_the_local_stage_lets_the_local_front_end_in(monkeypatch, capsys):
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)

    policy = printed_policy(capsys)

    assert policy["allowedOrigins"] == ["http://localhost:5173", "http://localhost:3000"]


def test_configured_origins_get_the_contracts_headers_without_credentials(monkeypatch, capsys):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://shop.example,https://admin.shop.example")

    policy = printed_policy(capsys, "--deployed")

    assert policy["allowedOrigins"] == ["https://shop.example", "https://admin.shop.example"]
    assert policy["allowedHeaders"] == [
        "Authorization",
        "Content-Type",
        "Idempotency-Key",
        "X-Request-Id",
    ]
    assert policy["exposedResponseHeaders"] == ["Location", "X-Request-Id"]
    assert {"GET", "POST", "PATCH", "DELETE"} <= set(policy["allowedMethods"])
    assert policy["allowCredentials"] is False
    assert policy["maxAge"] > 0


def test_a_malformed_origin_fails_with_the_settings_name_and_prints_no_policy(monkeypatch, capsys):
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://shop.example/")

    assert main(["--deployed"]) == 1

    printed = capsys.readouterr()
    assert printed.out == ""
    assert "CORS_ALLOWED_ORIGINS" in printed.err and "'https://shop.example/'" in printed.err
