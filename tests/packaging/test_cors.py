"""CORS as deployed: API Gateway's HTTP API holds the policy of CORS_ALLOWED_ORIGINS.

With a CorsConfiguration, API Gateway answers every preflight itself (no function runs)
and sets the headers on every answer of the API, errors included; the functions get the
same setting for REST API events (tests/handlers/test_cors.py).
"""

from __future__ import annotations

from shared.cors import ALLOWED_HEADERS, ALLOWED_METHODS, EXPOSED_HEADERS, MAX_AGE_SECONDS
from tests.packaging import deploy_env, run_in_project
from tests.packaging.conftest import ALLOWED_ORIGINS
from tests.packaging.test_package import lambda_functions, resources_of_type


def cors_configuration(template: dict) -> dict | None:
    (api,) = resources_of_type(template, "AWS::ApiGatewayV2::Api").values()
    return api["Properties"].get("CorsConfiguration")


def test_api_gateway_answers_the_configured_origins_with_the_contracts_headers(template):
    cors = cors_configuration(template)

    assert cors["AllowOrigins"] == list(ALLOWED_ORIGINS)
    assert cors["AllowHeaders"] == list(ALLOWED_HEADERS)
    assert cors["ExposeHeaders"] == list(EXPOSED_HEADERS)
    assert cors["AllowMethods"] == list(ALLOWED_METHODS)
    assert cors["MaxAge"] == MAX_AGE_SECONDS
    # Bearer tokens, no cookies: a browser never sends credentials along.
    assert not cors.get("AllowCredentials")


def test_every_function_reads_the_same_origins_for_rest_api_events(template, functions):
    for name, function in lambda_functions(template, functions).items():
        variables = function["Environment"]["Variables"]
        assert variables["CORS_ALLOWED_ORIGINS"] == ",".join(ALLOWED_ORIGINS), name


def test_a_malformed_origin_stops_the_package_naming_the_setting(tmp_path):
    env = deploy_env(CORS_ALLOWED_ORIGINS="https://shop.example,https://admin.shop.example/")

    result = run_in_project(["npx", "sls", "package", "--package", str(tmp_path)], env)

    assert result.returncode != 0
    assert "CORS_ALLOWED_ORIGINS" in result.stdout + result.stderr
    assert "'https://admin.shop.example/'" in result.stdout + result.stderr
    assert not (tmp_path / "cloudformation-template-update-stack.json").exists()
