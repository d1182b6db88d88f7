"""The edit-and-try loop of scripts/dev: ports, database, warm functions, reload, schedule."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.local.conftest import ROOT, LocalServer, free_ports, local_env, start_dev, stop

HTTP_FUNCTIONS = ("meta", "auth", "users", "products", "orders")
RELOAD_SECONDS = 60
# What scripts/dev may take to refuse a busy port: setup's checks, then one Python process.
REFUSE_SECONDS = 60


def _function_processes(server: LocalServer) -> dict[int, str]:
    """The python process of each function instance scripts/dev runs, by pid."""
    listing = subprocess.run(
        # scripts/dev runs in a session of its own, whose id is its pid.
        ["ps", "-ww", "-o", "pid=,args=", "-s", str(server.process_group)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    processes = {}
    for line in listing.splitlines():
        pid, _, args = line.strip().partition(" ")
        words = args.split()
        if words and words[0].startswith("python") and "invoke.py" in args:
            processes[int(pid)] = words[-2].removeprefix("handlers/")
    return processes


def _wait_for(server: LocalServer, text: str, *, after: int) -> None:
    deadline = time.monotonic() + RELOAD_SECONDS
    while text not in server.full_output()[after:]:
        assert time.monotonic() < deadline, f"no {text!r} in the output\n{server.output()}"
        time.sleep(0.25)


def test_every_http_function_is_running_when_scripts_dev_says_ready(local_server):
    running = set(_function_processes(local_server).values())

    assert set(HTTP_FUNCTIONS) <= running, local_server.output()


def test_the_banner_names_the_database_in_use(local_server):
    database = f"sqlite:///{local_server.local_dir / 'shop.db'}"

    assert f"==> database: {database}" in local_server.full_output()


def _save_by_renaming(module: Path) -> None:
    """Save `module` as vim and most IDEs do: a new file, renamed over the old one."""
    fresh = module.with_name(f".{module.name}.saving")
    shutil.copy2(module, fresh)
    os.replace(fresh, module)


@pytest.mark.parametrize("save", [_save_by_renaming, os.utime], ids=["renamed", "rewritten"])
def test_saving_a_file_of_the_layer_restarts_every_function_with_the_new_code(local_server, save):
    before = _function_processes(local_server)
    mark = len(local_server.full_output())

    # The content stays the same, so nothing else sees a change.
    save(ROOT / "shared" / "errors.py")
    _wait_for(local_server, "shared/errors.py changed", after=mark)
    _wait_for(local_server, "warm in", after=mark)

    after = _function_processes(local_server)
    assert set(HTTP_FUNCTIONS) <= set(after.values()), local_server.output()
    assert not set(before) & set(after), "a function kept its process across the reload"


def test_the_schedule_of_housekeeping_runs_once_in_the_local_cloud(local_server):
    output = local_server.full_output()

    assert "Scheduling [housekeeping]" not in output
    assert "its schedule runs in scripts/local_cloud.py" in output


def test_the_docs_bundle_comes_gzipped_and_is_kept_for_a_year(local_server, http):
    page = http.get(f"{local_server.base_url}/docs", timeout=15)
    bundle = next(part.split('"')[1] for part in page.text.split("<script")[1:] if "bundle" in part)

    reply = http.get(f"{local_server.base_url}{bundle}", timeout=15)

    assert reply.status_code == 200
    assert reply.headers["Content-Encoding"] == "gzip"
    assert "immutable" in reply.headers["Cache-Control"]
    assert "SwaggerUIBundle" in reply.text


@pytest.mark.parametrize("busy", ["SHOP_HTTP_PORT", "SHOP_LAMBDA_PORT", "SHOP_AWS_PORT"])
def test_a_second_scripts_dev_on_a_busy_port_stops_at_once_naming_its_setting(
    local_server, tmp_path: Path, busy: str
):
    taken = {
        "SHOP_HTTP_PORT": local_server.http_port,
        "SHOP_LAMBDA_PORT": local_server.lambda_port,
        "SHOP_AWS_PORT": local_server.aws_port,
    }
    ports = {**dict(zip(taken, free_ports(3), strict=True)), busy: taken[busy]}
    env = local_env(tmp_path, *ports.values())

    second = start_dev(env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = second.communicate(timeout=REFUSE_SECONDS)
    finally:
        stop(second)

    assert second.returncode != 0
    said = [line for line in stderr.splitlines() if line.startswith("scripts/dev:")]
    assert len(said) == 1 and said[0] == stderr.strip().splitlines()[-1], stderr
    assert busy in said[0] and str(taken[busy]) in said[0]
    assert "migrating" not in stdout and "starting on" not in stdout
