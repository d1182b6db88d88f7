"""Network faults on loopback for AWS clients: a service that never answers, or is not there.

`service_at("sqs", url)` points shared.aws's clients of a service at one through
`AWS_ENDPOINT_URL_<SERVICE>`. moto's in-process mock only answers AWS's own host names,
so calls to these URLs really go over the network even inside `mock_aws()`, while the
other services stay mocked.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from shared import aws
from shared.config import settings

SERVICE_IDS = {"secretsmanager": "Secrets Manager"}


@dataclass
class HungEndpoint:
    """A listening socket that accepts every connection, reads nothing and never answers."""

    url: str
    connections: list[socket.socket] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """How many connections clients opened (one per attempt of a call)."""
        return len(self.connections)


@contextmanager
def hung_endpoint() -> Iterator[HungEndpoint]:
    """An http:// URL on 127.0.0.1 that hangs every request; every socket closed on exit."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    listener.settimeout(0.05)
    endpoint = HungEndpoint(url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener was closed
                return
            endpoint.connections.append(connection)

    acceptor = threading.Thread(target=accept, name="hung-endpoint", daemon=True)
    acceptor.start()
    try:
        yield endpoint
    finally:
        stop.set()
        acceptor.join(timeout=5)
        listener.close()
        for connection in endpoint.connections:
            connection.close()


def closed_port() -> str:
    """An http:// URL on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Free again once the probe is closed; another process taking it within the test's
    # short life is possible but unlikely (the kernel picks ephemeral ports at random).
    return f"http://127.0.0.1:{port}"


@contextmanager
def service_at(service: str, url: str) -> Iterator[None]:
    """shared.aws's clients of `service` call `url` meanwhile, and AWS (or moto) after."""
    # botocore names the variable after the service's id: "Secrets Manager" for secretsmanager.
    variable = "AWS_ENDPOINT_URL_" + SERVICE_IDS.get(service, service).upper().replace(" ", "_")
    with _environment(variable, url):
        yield


@contextmanager
def aws_call_timeout(seconds: float) -> Iterator[None]:
    """AWS_CALL_TIMEOUT is `seconds` meanwhile: a hung service costs a test less time."""
    with _environment("AWS_CALL_TIMEOUT", str(seconds)):
        yield


@contextmanager
def _environment(variable: str, value: str) -> Iterator[None]:
    # Settings and clients read the environment once, so both are forgotten on the way
    # in and on the way out.
    previous = os.environ.get(variable)
    os.environ[variable] = value
    settings.cache_clear()
    aws.reset_clients()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = previous
        settings.cache_clear()
        aws.reset_clients()
