"""boto3 clients, created on first use and kept while the container is warm.

boto3 costs ~150 ms to import, so nothing here imports it until a client is asked for.
Region, credentials and endpoint come from the standard AWS environment variables
(`AWS_REGION`, `AWS_ENDPOINT_URL` for a local emulation), never from code.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    """The process-wide boto3 client for `service`."""
    import boto3
    from botocore.config import Config

    options = _s3_options() if service == "s3" else {}
    # botocore reads only AWS_DEFAULT_REGION; Lambda sets both, operations.md names AWS_REGION.
    region = os.environ.get("AWS_REGION") or None
    return boto3.client(service, region_name=region, config=Config(**options))


def _s3_options() -> dict[str, Any]:
    # Pre-signed URLs: by default boto3 signs them with SigV2 for the global endpoint.
    # Buckets made since 2020 refuse SigV2, and a global-endpoint URL of a young bucket
    # outside us-east-1 answers with a redirect that browsers' CORS checks refuse. SigV4
    # with virtual-hosted addressing gives bucket.s3.<region>.amazonaws.com; an emulation
    # (AWS_ENDPOINT_URL) keeps boto3's own choice there, path-style on its host:port.
    emulated = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return {"signature_version": "s3v4", "s3": {} if emulated else {"addressing_style": "virtual"}}


def reset_clients() -> None:
    """Forget cached clients (tests switch between moto mocks)."""
    client.cache_clear()
