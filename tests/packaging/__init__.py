"""Tests of what `sls package` and `sls invoke local` make of the service, run offline.

`sls` here is the project's osls (node_modules), with fake AWS credentials: nothing in
these tests may reach AWS, and the offline-package plugin keeps `package` from trying.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The secrets a deploy names; packaged with both, so every role shows what it may read.
DB_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-api/db-AbCdEf"
JWT_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-api/jwt-GhIjKl"


def sls_env(**settings: str) -> dict[str, str]:
    """The environment of an offline `sls` run: fake credentials, this venv's Python first."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        # `sls invoke local` runs `python3` from PATH: it must be the venv's, which holds
        # the layer's dependencies, whatever Python launched pytest.
        "VIRTUAL_ENV": sys.prefix,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "ORDERS_QUEUE_URL",
        # Deploy options of this shell must not change what the tests package.
        "SNAP_START",
        "VPC_SUBNET_IDS",
        "VPC_SECURITY_GROUP_IDS",
        "CORS_ALLOWED_ORIGINS",
        "TRACING",
        "ALARM_EMAIL",
    ):
        env.pop(name, None)
    return {**env, **settings}


def run_in_project(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `command` in the project, its output captured, whatever its exit status."""
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def sls(*args: str, env: dict[str, str]) -> str:
    """Run `sls ARGS` in the project and return its output; a failure shows all of it."""
    result = run_in_project(["npx", "sls", *args], env)
    assert result.returncode == 0, (
        f"sls {' '.join(args)} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result.stdout


def deploy_env(**settings: str) -> dict[str, str]:
    """The environment of `sls package` as a deploy runs it: its secrets and `settings`."""
    env = sls_env(DATABASE_URL="", DB_SECRET_ARN=DB_SECRET_ARN, JWT_SECRET_ARN=JWT_SECRET_ARN)
    return {**env, **settings}


def build_layer() -> None:
    subprocess.run([str(ROOT / "scripts" / "build_layer")], cwd=ROOT, check=True)


def package_service(target: Path, **settings: str) -> Path:
    """`sls package` into `target` as a deploy would, with its secrets and `settings`."""
    build_layer()
    sls("package", "--package", str(target), env=deploy_env(**settings))
    return target


def condition_holds(template: dict, name: str) -> bool:
    """Whether the template's condition `name` holds when deployed with its parameters' defaults."""

    def value(node):
        if isinstance(node, dict) and "Ref" in node:
            return template["Parameters"][node["Ref"]]["Default"]
        if isinstance(node, dict) and "Condition" in node:
            return condition_holds(template, node["Condition"])
        if isinstance(node, dict) and "Fn::Equals" in node:
            left, right = (value(side) for side in node["Fn::Equals"])
            return left == right
        if isinstance(node, dict) and "Fn::Not" in node:
            return not value(node["Fn::Not"][0])
        if isinstance(node, dict):
            raise NotImplementedError(f"evaluate {node}")
        return node

    return value(template["Conditions"][name])
