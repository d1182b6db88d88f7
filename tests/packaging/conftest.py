"""The service as a default deploy would upload it, and with SnapStart on, each packaged once
for the whole run.

`sls package` takes 15-30 s, and several modules read what it makes. The deploy names the
origins of its web front-ends, as a shop with one would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.packaging import package_service

ALLOWED_ORIGINS = ("https://shop.example", "https://admin.shop.example")


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return package_service(
        tmp_path_factory.mktemp("package"), CORS_ALLOWED_ORIGINS=",".join(ALLOWED_ORIGINS)
    )


@pytest.fixture(scope="session")
def functions(package_dir: Path) -> dict[str, dict]:
    """The functions of serverless.yml, as osls resolved them."""
    state = json.loads((package_dir / "serverless-state.json").read_text())
    return state["service"]["functions"]


@pytest.fixture(scope="session")
def template(package_dir: Path) -> dict:
    return json.loads((package_dir / "cloudformation-template-update-stack.json").read_text())


@pytest.fixture(scope="session")
def snapstart_template(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The template of a deploy with SnapStart on (SNAP_START=true)."""
    packaged = package_service(tmp_path_factory.mktemp("snapstart"), SNAP_START="true")
    return json.loads((packaged / "cloudformation-template-update-stack.json").read_text())


@pytest.fixture(scope="session")
def observed_template(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The template of a deploy with tracing on and an address for the alarms."""
    package_dir = package_service(
        tmp_path_factory.mktemp("observed"), TRACING="true", ALARM_EMAIL="ops@example.com"
    )
    return json.loads((package_dir / "cloudformation-template-update-stack.json").read_text())
