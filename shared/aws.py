"""boto3 clients, created on first use and kept while the container is warm.

boto3 costs ~150 ms to import, so nothing here imports it until a client is asked for.
Region, credentials and endpoint come from the standard AWS environment variables
(`AWS_REGION`, `AWS_ENDPOINT_URL` for a local emulation), never from code.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    """The process-wide boto3 client for `service`."""
    import boto3

    return boto3.client(service)


def reset_clients() -> None:
    """Forget cached clients (tests switch between moto mocks)."""
    client.cache_clear()
