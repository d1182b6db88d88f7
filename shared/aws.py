"""boto3 clients, created on first use and kept while the container is warm.

boto3 costs ~150 ms to import, so nothing here imports it until a client is asked for.
Region, credentials and endpoint come from the standard AWS environment variables
(`AWS_REGION`, `AWS_ENDPOINT_URL` for a local emulation), never from code.

Every call is bounded (operations.md, "Timeouts and faults"): connecting and each read
give up after AWS_CALL_TIMEOUT (or a shorter `timeout` a caller asks for), and a failed
call is retried at most `retries` times by botocore's standard mode (exponential backoff
with jitter, transient errors only). boto3's own defaults would wait 60 s per read, so a
queue that never answers held POST /orders for minutes.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import Any

from shared.config import settings

# Event functions and housekeeping have time to ride out a blip: two retries after the
# first attempt. A caller that has somewhere else to leave the work and someone waiting
# (POST /orders: the outbox) asks for retries=0.
RETRIES = 2

# Error codes of a service asking its callers to slow down, as botocore's standard retry
# mode reads them; some services send them with a 400.
THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)


def client(service: str, *, retries: int = RETRIES, timeout: float | None = None) -> Any:
    """The process-wide boto3 client for `service` whose failed calls retry `retries` times.

    Connecting and each read give up after AWS_CALL_TIMEOUT, or after `timeout` seconds if
    that is shorter: a caller with a promise of its own to keep asks for less.
    """
    limit = settings().aws_call_timeout
    return _client(service, retries, limit if timeout is None else min(timeout, limit))


def longest_call(*, retries: int = RETRIES) -> float:
    """Seconds one call may take at worst: every attempt timing out, and the backoffs between."""
    timeout = settings().aws_call_timeout
    # Standard mode sleeps at most min(2**i, 20) s before retry i (0-based), less for
    # errors that are not throttling; an x-amz-retry-after header could add more, which
    # none of the services used here sends.
    backoff = sum(min(2**i, 20) for i in range(retries))
    return (retries + 1) * 2 * timeout + backoff


@cache
def _client(service: str, retries: int, timeout: float) -> Any:
    import boto3
    from botocore.config import Config

    options = _s3_options() if service == "s3" else {}
    # botocore reads only AWS_DEFAULT_REGION; Lambda sets both, operations.md names AWS_REGION.
    region = os.environ.get("AWS_REGION") or None
    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        # "max_attempts" counts the retries after the first attempt (botocore turns it
        # into total_max_attempts = max_attempts + 1).
        retries={"max_attempts": retries, "mode": "standard"},
        **options,
    )
    return boto3.client(service, region_name=region, config=config)


def _s3_options() -> dict[str, Any]:
    # Pre-signed URLs: by default boto3 signs them with SigV2 for the global endpoint.
    # Buckets made since 2020 refuse SigV2, and a global-endpoint URL of a young bucket
    # outside us-east-1 answers with a redirect that browsers' CORS checks refuse. SigV4
    # with virtual-hosted addressing gives bucket.s3.<region>.amazonaws.com; an emulation
    # (AWS_ENDPOINT_URL) keeps boto3's own choice there, path-style on its host:port.
    emulated = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return {"signature_version": "s3v4", "s3": {} if emulated else {"addressing_style": "virtual"}}


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says an AWS service is down, unreachable, too slow or throttling.

    What a misconfiguration causes (a missing secret, a denied call) is not unavailability:
    retrying later would not help.
    """
    # Without botocore loaded no AWS call was made; this never loads it at cold start.
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None:
        return False
    if isinstance(error, exceptions.ConnectionError | exceptions.HTTPClientError):
        return True
    if not isinstance(error, exceptions.ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    code = error.response.get("Error", {}).get("Code")
    return status >= 500 or status == 429 or code in THROTTLING


def reset_clients() -> None:
    """Forget cached clients (tests switch between moto mocks and endpoints)."""
    _client.cache_clear()
