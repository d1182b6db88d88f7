"""What a run of scripts/dev settles before anything starts, and shares with other shells.

`python scripts/dev_session.py` checks that every port scripts/dev needs is free (a busy
one ends here, in one line naming the setting that moves it), says which database the
shop uses, and writes it to `<SHOP_LOCAL_DIR>/dev.env`, which scripts/dev and
scripts/manage both source: a command run in another shell reaches the same database as
the server, PostgreSQL or SQLite. It prints that file's path on standard output; every
message goes to standard error.
"""

from __future__ import annotations

import errno
import os
import shlex
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from shared.config import ConfigError, load_settings

# Each port scripts/dev listens on, by the setting that chooses it, with scripts/dev's default.
PORTS = {"SHOP_HTTP_PORT": 3000, "SHOP_LAMBDA_PORT": 3002, "SHOP_AWS_PORT": 4566}
ENV_FILE = "dev.env"


class PortProblem(Exception):
    """A port scripts/dev needs cannot be used; the message names its setting."""


def chosen_ports(env: Mapping[str, str]) -> dict[str, int]:
    ports = {}
    for name, default in PORTS.items():
        raw = env.get(name) or str(default)
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise PortProblem(f"{name}={raw} is not a TCP port (1-65535)")
        ports[name] = int(raw)
    return ports


def check_ports(env: Mapping[str, str]) -> None:
    """Raise PortProblem for the first port of `env`'s settings that is taken or repeated."""
    seen: dict[int, str] = {}
    for name, port in chosen_ports(env).items():
        if port in seen:
            raise PortProblem(f"{name} and {seen[port]} are both {port}: give one another port")
        seen[port] = name
        if not _free(port):
            raise PortProblem(
                f"port {port} is already in use (another scripts/dev?): stop what uses it, "
                f"or choose another with {name}=<port> scripts/dev"
            )


def _free(port: int) -> bool:
    # The servers bind "localhost" (IPv4 or IPv6, by the resolver's choice) and 127.0.0.1,
    # so the port must be free on both loopbacks. SO_REUSEADDR as the servers set it: a
    # connection of a stopped run still in TIME_WAIT does not make the port busy.
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue  # no IPv6 on this machine
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return False
                if error.errno != errno.EADDRNOTAVAIL:  # that loopback does not exist
                    raise
    return True


def shown(database_url: str) -> str:
    """The URL without its password, fit for a terminal."""
    return make_url(database_url).render_as_string(hide_password=True)


def write_env_file(local_dir: Path, database_url: str) -> Path:
    """`local_dir`/dev.env, for shells to source: the database scripts/dev uses."""
    local_dir.mkdir(parents=True, exist_ok=True)
    path = local_dir / ENV_FILE
    # It may hold a PostgreSQL password: readable by its owner only, from the start.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("# Written by scripts/dev at each start; read by scripts/manage.\n")
        file.write(f"export DATABASE_URL={shlex.quote(database_url)}\n")
    return path


def main() -> int:
    try:
        check_ports(os.environ)
        settings = load_settings(os.environ)
    except (PortProblem, ConfigError) as problem:
        print(f"scripts/dev: {problem}", file=sys.stderr)
        return 1
    if settings.database_url is None:
        print("scripts/dev: set DATABASE_URL (DB_SECRET_ARN is for AWS only)", file=sys.stderr)
        return 1
    path = write_env_file(settings.local_dir, settings.database_url)
    print(f"==> database: {shown(settings.database_url)}", file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
