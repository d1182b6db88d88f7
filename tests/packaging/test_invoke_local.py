"""`sls invoke local`: the functions as serverless.yml wires them, on a local SQLite file.

The database is migrated once for this module through the `migrate` function itself,
the way an operator would bring a fresh database up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apigw import rest_v1_event
from tests.packaging import ROOT, sls, sls_env

HEALTH_EVENT_V2 = ROOT / "tests" / "events" / "http_v2_get_health.json"
# As the README runs it: the stage `local` names the emulated queue, where any other stage
# has a stack resource (!Ref OrdersQueue) that only CloudFormation could resolve.
INVOKE_LOCAL = ("invoke", "local", "--stage", "local")


def invoke_result(output: str) -> dict:
    """The handler's return value, printed last and indented, after any log lines."""
    lines = output.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "{")
    result, _ = json.JSONDecoder().raw_decode("".join(lines[start:]))
    return result


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    local_dir = tmp_path_factory.mktemp("invoke-local")
    env = sls_env(DATABASE_URL=f"sqlite:///{local_dir}/shop.db", SHOP_LOCAL_DIR=str(local_dir))
    migrated = invoke_result(sls(*INVOKE_LOCAL, "-f", "migrate", env=env))
    assert migrated["status"] == "ok", migrated
    return env


def assert_healthy(result: dict) -> None:
    assert result["statusCode"] == 200, result
    assert json.loads(result["body"]) == {"status": "ok", "database": "ok"}
    # serverless-wsgi answers a REST API (payload 1.0) event with multiValueHeaders.
    headers = {**result.get("headers", {}), **result.get("multiValueHeaders", {})}
    assert "x-request-id" in {name.lower() for name in headers}, headers


def test_meta_reports_the_shop_healthy_to_an_http_api(env):
    output = sls(*INVOKE_LOCAL, "-f", "meta", "--path", str(HEALTH_EVENT_V2), env=env)
    assert_healthy(invoke_result(output))


def test_meta_reports_the_shop_healthy_to_a_rest_api(env, tmp_path: Path):
    event = tmp_path / "rest_v1_get_health.json"
    event.write_text(json.dumps(rest_v1_event("GET", "/health")))
    output = sls(*INVOKE_LOCAL, "-f", "meta", "--path", str(event), env=env)
    assert_healthy(invoke_result(output))
