"""The packaged template against cfn-lint and checkov: a new finding fails the suite.

Both read the template of the session's `sls package` (conftest.py) with the checked-in
configuration: .cfnlintrc.yaml ignores only what osls generates; .checkov.yaml skips the
checks whose answer holds for a whole kind of resource, and the Metadata of a resource in
serverless.yml skips a check on that resource alone. Every skip says why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.packaging import ROOT

TEMPLATE = "cloudformation-template-update-stack.json"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
# checkov's own pins clash with this venv's, so scripts/test gives it a venv of its own.
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


def report_of(tool: Path, *args: str) -> dict | list:
    """Run a checker on the project and parse its JSON report; a crash shows its output."""
    assert tool.exists(), f"{tool} is missing: run scripts/test"
    result = subprocess.run(
        [str(tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"{tool.name} exited {result.returncode} without a report\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        ) from None


def test_the_packaged_template_passes_cfn_lint(package_dir):
    findings = report_of(
        CFN_LINT,
        "--config-file",
        str(ROOT / ".cfnlintrc.yaml"),
        "--format",
        "json",
        "--",
        str(package_dir / TEMPLATE),
    )
    assert not findings, "\n".join(
        f"{f['Rule']['Id']} {'/'.join(map(str, f['Location']['Path']))}: {f['Message']}"
        for f in findings
    )


def test_the_packaged_template_passes_checkov_except_the_justified_skips(package_dir, template):
    report = report_of(
        CHECKOV, "--config-file", str(ROOT / ".checkov.yaml"), "-f", str(package_dir / TEMPLATE)
    )
    summary = report["summary"]
    # A template checkov could not read, or read only in part, would pass with no findings.
    assert summary["parsing_errors"] == 0, summary
    assert summary["resource_count"] == len(template["Resources"]), summary
    failed = report["results"]["failed_checks"]
    assert not failed, "\n".join(
        f"{f['check_id']} {f['resource']}: {f['check_name']}" for f in failed
    )


def test_the_orders_queues_are_encrypted_at_rest_with_keys_sqs_manages(template):
    # What the checkov skip of CKV_AWS_27 on both queues relies on.
    for queue in ("OrdersQueue", "OrdersDeadLetterQueue"):
        assert template["Resources"][queue]["Properties"]["SqsManagedSseEnabled"] is True, queue


def test_osls_deployment_bucket_blocks_every_kind_of_public_access(template):
    bucket = template["Resources"]["ServerlessDeploymentBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
