"""Nothing of scripts/dev's emulation reaches a template, whatever the packaging shell holds.

The emulation's values live in serverless.yml's stage `local` (`params`), which is never
packaged or deployed (scripts/serverless/local-stage.js); scripts/local-env holds only what
the local tools and functions read, none of which serverless.yml reads for another stage.
"""

from __future__ import annotations

import json
import shlex

import pytest

from tests.packaging import build_layer, deploy_env, run_in_project
from tests.packaging.test_package import lambda_functions, resources_of_type

# What the emulation is made of: loopback hosts, moto's port and fake credentials, the
# endpoint override and resources named for the stage `local`.
LOCAL_MARKS = ("127.0.0.1", "localhost", ":4566", "AWS_ENDPOINT_URL", "-local-", '"local"')
# What scripts/local-env gives the AWS clients; on Lambda the runtime gives its own.
AWS_CLIENT_SETTINGS = {
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
}


@pytest.fixture(scope="module")
def packaged_from_a_local_shell(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`sls package` of the default stage in a shell that sourced scripts/local-env."""
    build_layer()
    target = tmp_path_factory.mktemp("local-shell")
    env = deploy_env()
    # The suite's own in-process settings are not a developer's shell.
    env.pop("IMPORTS_BUCKET", None)
    command = (
        f"source scripts/local-env && exec npx sls package --package {shlex.quote(str(target))}"
    )
    result = run_in_project(["bash", "-c", command], env)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    state = json.loads((target / "serverless-state.json").read_text())
    template = json.loads((target / "cloudformation-template-update-stack.json").read_text())
    return {"template": template, "functions": state["service"]["functions"]}


def test_a_shell_with_the_local_env_packages_no_emulation_value(packaged_from_a_local_shell):
    text = json.dumps(packaged_from_a_local_shell["template"])

    for mark in LOCAL_MARKS:
        assert mark not in text, mark


def test_functions_packaged_from_a_local_shell_keep_no_local_setting(packaged_from_a_local_shell):
    compiled = lambda_functions(
        packaged_from_a_local_shell["template"], packaged_from_a_local_shell["functions"]
    )
    for name, function in compiled.items():
        variables = function["Environment"]["Variables"]
        assert not AWS_CLIENT_SETTINGS & set(variables), name
        assert "test" not in variables.values(), name
        assert variables["ORDERS_QUEUE_URL"] == {"Ref": "OrdersQueue"}, name
        assert variables["IMPORTS_BUCKET"] == "shop-api-dev-imports", name


def test_the_local_front_end_origins_never_reach_api_gateway(packaged_from_a_local_shell):
    template = packaged_from_a_local_shell["template"]

    (api,) = resources_of_type(template, "AWS::ApiGatewayV2::Api").values()

    assert "CorsConfiguration" not in api["Properties"]


def test_the_stage_local_is_never_packaged(tmp_path):
    result = run_in_project(
        ["npx", "sls", "package", "--stage", "local", "--package", str(tmp_path)], deploy_env()
    )

    assert result.returncode != 0
    assert 'The stage "local"' in result.stdout + result.stderr
    assert not any(tmp_path.iterdir())
