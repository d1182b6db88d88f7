"""Redocly's and Spectral's OpenAPI rulesets find nothing in the document the shop serves.

Both linters are pinned in package.json (`npm ci` installs them); each reads the document
as the meta function answers it, with the repository's own configuration of the linter.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.apigw import Client

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "node_modules" / ".bin"
# No usage report to Redocly and no update check: a test run talks to no one.
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


@pytest.fixture(scope="module")
def document_file(tmp_path_factory) -> Path:
    from handlers.meta import handler

    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(Client(handler).get("/openapi.json").text)
    return path


def _lint(*command: str | Path) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout, result.stderr
    return result.stdout


def test_redocly_recommended_rules_find_no_error_and_no_warning(document_file):
    report = json.loads(
        _lint(BIN / "redocly", "lint", document_file, "--config", "redocly.yaml", "--format=json")
    )

    problems = [(p["severity"], p["ruleId"], p["message"]) for p in report["problems"]]
    assert problems == []


def test_spectral_openapi_rules_find_nothing(document_file):
    results = json.loads(
        _lint(
            BIN / "spectral",
            "lint",
            document_file,
            "--ruleset",
            ".spectral.yaml",
            "-f",
            "json",
            "--quiet",
        )
    )

    assert [(r["code"], r["message"], r["path"]) for r in results] == []
