"""The local shop exactly as a developer gets it: the README's `scripts/dev`, once per run.

It serves every HTTP function of serverless.yml through serverless-offline and emulates
S3, SQS and SES (scripts/local_cloud.py), on free ports, with its .local directory in a
temporary one. The environment is a developer's (the in-process tests' settings removed),
and the whole process group is stopped at the end, so nothing outlives the run.
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
STARTUP_SECONDS = 120
STOP_SECONDS = 10
OUTPUT_TAIL = 20_000
# serverless-offline binds "localhost": IPv4 here, IPv6 on machines that prefer ::1.
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]")


# What scripts/dev prints once every HTTP function is warm (scripts/serverless/offline-dev-loop.js).
READY = "==> ready on "


@dataclass(frozen=True)
class LocalServer:
    base_url: str
    http_port: int
    lambda_port: int
    aws_port: int
    local_dir: Path
    log: Path
    process_group: int

    def output(self) -> str:
        return _tail(self.log)

    def full_output(self) -> str:
        return self.log.read_text(errors="replace")


def free_ports(count: int) -> list[int]:
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


def local_env(local_dir: Path, http_port: int, lambda_port: int, aws_port: int) -> dict[str, str]:
    """What a developer's shell would hold: no test settings, ports and .local of our own."""
    env = {
        **os.environ,
        "SHOP_HTTP_PORT": str(http_port),
        "SHOP_LAMBDA_PORT": str(lambda_port),
        "SHOP_AWS_PORT": str(aws_port),
        "SHOP_LOCAL_DIR": str(local_dir),
        "SHOP_HOUSEKEEPING_SECONDS": "2",
    }
    # tests/conftest.py set these for the in-process tests; scripts/dev chooses its own.
    for name in (
        "DATABASE_URL",
        "JWT_SECRET",
        "IMPORTS_BUCKET",
        "ORDERS_QUEUE_URL",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "DB_SECRET_ARN",
        "JWT_SECRET_ARN",
        "JWT_PREVIOUS_SECRET",
        "CORS_ALLOWED_ORIGINS",
    ):
        env.pop(name, None)
    return env


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


def start_dev(env: dict[str, str], **output: object) -> subprocess.Popen:
    """scripts/dev as a developer starts it, in a session of its own to stop it whole."""
    return subprocess.Popen(
        [str(ROOT / "scripts" / "dev")],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        **output,
    )


def stop(process: subprocess.Popen) -> None:
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
    http_port, lambda_port, aws_port = free_ports(3)
    env = local_env(local_dir, http_port, lambda_port, aws_port)

    log = local_dir / "scripts-dev.log"
    with log.open("wb") as output:
        process = start_dev(env, stdout=output, stderr=subprocess.STDOUT)
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
                    f"scripts/dev was not ready and answering GET /health on port "
                    f"{http_port} within {STARTUP_SECONDS} s\n--- output\n{_tail(log)}"
                )
            if READY in log.read_text(errors="replace"):
                base_url = _answering_base_url(http_port)
            if base_url is None:
                time.sleep(0.25)
        yield LocalServer(base_url, http_port, lambda_port, aws_port, local_dir, log, process.pid)
    finally:
        stop(process)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A plain HTTP client: no proxies or .netrc from the environment."""
    with _plain_session() as session:
        yield session
