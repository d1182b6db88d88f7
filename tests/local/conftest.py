"""The local HTTP server as a developer gets it (scripts/dev), started once per test run.

`serverless offline start` serves every HTTP function of serverless.yml from this repo,
on free ports, with a freshly migrated SQLite database in a temporary directory. The
environment is built explicitly (tests/conftest.py has changed os.environ for the
in-process tests), and the whole process group is stopped at the end, so no node or
python process outlives the run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
SERVERLESS = ROOT / "node_modules" / ".bin" / "serverless"
STARTUP_SECONDS = 60
STOP_SECONDS = 10
OUTPUT_TAIL = 20_000
JWT_SECRET = "local-offline-test-signing-key-at-least-32-bytes-long"
# serverless-offline binds "localhost": IPv4 here, IPv6 on machines that prefer ::1.
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]")


@dataclass(frozen=True)
class LocalServer:
    base_url: str
    http_port: int
    lambda_port: int
    log: Path

    def output(self) -> str:
        return _tail(self.log)


def _free_ports(count: int) -> list[int]:
    """Distinct TCP ports free on the loopback interface right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _tail(log: Path) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text[-OUTPUT_TAIL:]


def local_env(local_dir: Path, http_port: int, lambda_port: int) -> dict[str, str]:
    """scripts/local-env plus the settings scripts/dev exports, for a server of our own."""
    env = {
        **os.environ,
        # scripts/local-env: fake credentials, no metadata probing, no telemetry.
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
        # serverless-offline runs `python3` from PATH: the venv's, with the layer on its path.
        "VIRTUAL_ENV": str(VENV),
        "PATH": os.pathsep.join(
            [str(VENV / "bin"), str(ROOT / "node_modules" / ".bin"), os.environ.get("PATH", "")]
        ),
        # scripts/dev: serverless-offline 13 accepts runtimes up to python3.11 by name.
        "OFFLINE_RUNTIME": "python3.11",
        "SHOP_HTTP_PORT": str(http_port),
        "SHOP_LAMBDA_PORT": str(lambda_port),
        "SHOP_LOCAL_DIR": str(local_dir),
        "DATABASE_URL": f"sqlite:///{local_dir}/shop.db",
        "JWT_SECRET": JWT_SECRET,
    }
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "DB_SECRET_ARN",
        "JWT_SECRET_ARN",
        "JWT_PREVIOUS_SECRET",
    ):
        env.pop(name, None)
    return env


def _migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [
            str(VENV / "bin" / "python"),
            "-c",
            "from handlers.migrate import handler; handler({}, None)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )
    assert result.returncode == 0, (
        f"migrating the local database failed ({result.returncode})\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def _plain_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    return session


def _answering_base_url(port: int) -> str | None:
    for host in LOOPBACK_HOSTS:
        url = f"http://{host}:{port}"
        try:
            with _plain_session() as session:
                session.get(f"{url}/health", timeout=2)
        except requests.ConnectionError:
            continue
        except requests.RequestException:
            return None  # it listens, but is not ready to answer yet
        return url
    return None


def _stop(process: subprocess.Popen) -> None:
    """Ctrl-C the process group, as a terminal would; then kill whatever is left of it."""
    group = process.pid
    try:
        os.killpg(group, signal.SIGINT)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    process.wait(timeout=STOP_SECONDS)


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    local_dir = tmp_path_factory.mktemp("offline")
    http_port, lambda_port = _free_ports(2)
    env = local_env(local_dir, http_port, lambda_port)
    _migrate(env)

    log = local_dir / "serverless-offline.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(SERVERLESS), "offline", "start", "--noTimeout"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        base_url = None
        while base_url is None:
            if process.poll() is not None:
                pytest.fail(
                    f"serverless offline exited with {process.returncode} before serving "
                    f"/health\n--- output\n{_tail(log)}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"serverless offline did not answer GET /health on port {http_port} "
                    f"within {STARTUP_SECONDS} s\n--- output\n{_tail(log)}"
                )
            base_url = _answering_base_url(http_port)
            if base_url is None:
                time.sleep(0.25)
        yield LocalServer(base_url, http_port, lambda_port, log)
    finally:
        _stop(process)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A plain HTTP client: no proxies or .netrc from the environment."""
    with _plain_session() as session:
        yield session
