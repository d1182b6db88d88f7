"""scripts/manage: the manage function's commands in a terminal, on scripts/dev's database."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scripts.dev_session import write_env_file
from tests.local.conftest import ROOT, local_env


def _manage(local_dir: Path, *arguments: str, **settings: str) -> subprocess.CompletedProcess:
    env = {**local_env(local_dir, 0, 0, 0), **settings}
    return subprocess.run(
        [str(ROOT / "scripts" / "manage"), *arguments],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unknown_command_is_one_line_naming_the_commands_there_are(tmp_path):
    run = _manage(tmp_path, "launch-rockets")

    assert run.returncode == 2
    [line] = run.stderr.splitlines()
    assert "launch-rockets" in line and "create-admin" in line and "seed-demo" in line
    assert "Traceback" not in run.stderr + run.stdout


def test_a_refused_event_is_one_line_with_the_reason(tmp_path):
    run = _manage(tmp_path, "create-admin", "--email=a@example.com", "--name=A", "--password=x")

    assert run.returncode == 1
    assert run.stderr.splitlines()[-1].startswith("scripts/manage: invalid manage command:")
    assert "password" in run.stderr.splitlines()[-1]
    assert "Traceback" not in run.stderr


def test_it_writes_to_the_database_scripts_dev_chose_and_says_which(tmp_path):
    elsewhere = f"sqlite:///{tmp_path / 'chosen-by-dev.db'}"
    write_env_file(tmp_path, elsewhere)

    run = _manage(tmp_path, "seed-demo")

    assert f"database: {elsewhere}" in run.stderr.splitlines()
    # Never migrated: one line from the database, not a traceback.
    assert run.returncode == 1
    assert "no such table" in run.stderr.splitlines()[-1]
    assert "Traceback" not in run.stderr


def test_a_database_url_set_in_the_shell_wins_over_scripts_devs(tmp_path):
    write_env_file(tmp_path, f"sqlite:///{tmp_path / 'chosen-by-dev.db'}")
    mine = f"sqlite:///{tmp_path / 'mine.db'}"

    run = _manage(tmp_path, "seed-demo", DATABASE_URL=mine)

    assert f"database: {mine}" in run.stderr.splitlines()
