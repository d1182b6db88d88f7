"""A function whose module fails to import answers 500 at once under serverless-offline.

The runner is serverless-offline's own (its invoke.py in a python3.12 process), fed events
as `sls offline start` feeds them, with the plugin of scripts/serverless/offline-init-errors.js
in place. Without the plugin the first event would never be answered.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.local.conftest import ROOT, VENV

RUNNER = Path(__file__).with_name("offline_runner.mjs")
# Far more than a python3.12 process needs to start and fail: past it, the event hung.
HUNG_SECONDS = 60
INTERNAL_SERVER_ERROR = {
    "statusCode": 500,
    "headers": {"Content-Type": "application/json"},
    "body": json.dumps({"message": "Internal Server Error"}, separators=(",", ":")),
}


def run_events(directory: Path, handler: str, events: int) -> list[dict]:
    """Each event's answer and seconds; an event never answered fails the test."""
    env = {**os.environ, "VIRTUAL_ENV": str(VENV), "PATH": f"{VENV / 'bin'}:{os.environ['PATH']}"}
    run = subprocess.run(
        ["node", str(RUNNER), str(ROOT), handler, str(events)],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=HUNG_SECONDS,
        check=True,
    )
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith('{"answer"')]


def test_a_module_that_fails_to_import_answers_every_event_with_lambdas_500(tmp_path):
    (tmp_path / "broken.py").write_text("import shop_module_that_is_not_there\n")

    answers = run_events(tmp_path, "broken.handler", events=2)

    assert [a["answer"] for a in answers] == [INTERNAL_SERVER_ERROR] * 2


def test_a_module_that_imports_is_answered_by_its_handler_as_before(tmp_path):
    (tmp_path / "working.py").write_text(
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': str(event['event'])}\n"
    )

    answers = run_events(tmp_path, "working.handler", events=2)

    assert [a["answer"] for a in answers] == [
        {"statusCode": 200, "body": "0"},
        {"statusCode": 200, "body": "1"},
    ]


def test_a_process_that_ends_in_the_middle_of_an_event_answers_it_with_a_500(tmp_path):
    (tmp_path / "crashing.py").write_text(
        "import os\n\ndef handler(event, context):\n    os._exit(1)\n"
    )

    answers = run_events(tmp_path, "crashing.handler", events=1)

    assert [a["answer"] for a in answers] == [INTERNAL_SERVER_ERROR]
