"""CSV files on their way to an import: the pre-signed upload, and the S3 event it causes."""

from __future__ import annotations

import copy
import json
import os
from urllib.parse import quote_plus, unquote, urlsplit

import requests

from tests.apigw import EVENTS

BUCKET = os.environ["IMPORTS_BUCKET"]


def object_created(
    key: str, *, size: int, etag: str, bucket: str = BUCKET, version_id: str | None = None
) -> dict:
    """An S3 ObjectCreated:Put event as AWS sends it, its key URL-encoded.

    From a versioned bucket the event also names the version it is about.
    """
    event = copy.deepcopy(json.loads((EVENTS / "s3_object_created.json").read_text()))
    record = event["Records"][0]
    record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    record["s3"]["object"].update(key=quote_plus(key, safe="/"), size=size, eTag=etag)
    if version_id:
        record["s3"]["object"]["versionId"] = version_id
    return event


def event_for_upload(s3, key: str, *, bucket: str = BUCKET) -> dict:
    """The event S3 sends once the object at `key` is stored (its current version)."""
    stored = s3.head_object(Bucket=bucket, Key=key)
    return object_created(
        key,
        size=stored["ContentLength"],
        etag=stored["ETag"].strip('"'),
        bucket=bucket,
        version_id=stored.get("VersionId"),
    )


def upload(started: dict, content: bytes, *, bucket: str = BUCKET) -> str:
    """PUT the file to the pre-signed URL, as a browser or curl would; the object's key."""
    reply = requests.put(
        started["upload_url"], data=content, headers=started["upload_headers"], timeout=30
    )
    assert reply.status_code == 200, reply.text
    return unquote(urlsplit(started["upload_url"]).path).removeprefix(f"/{bucket}/")
