"""The S3 side of CSV imports: the URL a file is uploaded to, and the uploaded file's body."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import IO, NamedTuple

from shared import aws
from shared.config import settings

EXPIRES_IN = 900
CONTENT_TYPE = "text/csv"
# What S3 answers for an object, or the version of it an event names, that is gone: no
# retry brings it back, so the import ends failed at once.
GONE = frozenset({"NoSuchKey", "NoSuchVersion"})


def key_of(import_id: str) -> str:
    """Where in the imports bucket the file of an import is uploaded."""
    return f"imports/{import_id}.csv"


def upload_url(key: str) -> str:
    """A pre-signed URL to PUT a CSV file to `key` in the imports bucket, for EXPIRES_IN seconds."""
    return aws.client("s3").generate_presigned_url(
        "put_object",
        Params={
            "Bucket": settings().required("imports_bucket"),
            "Key": key,
            "ContentType": CONTENT_TYPE,
        },
        ExpiresIn=EXPIRES_IN,
    )


class Upload(NamedTuple):
    body: IO[bytes]
    # The version of the object processed, kept with the import for the record.
    etag: str | None


@contextmanager
def open_upload(*, bucket: str, key: str, version_id: str | None) -> Iterator[Upload]:
    """The uploaded object's body, streamed; UnreadableFile if it is gone or too large."""
    from botocore.exceptions import ClientError

    from shared.services.catalog_csv import MAX_BYTES, TOO_LARGE, UnreadableFile

    # The bucket is versioned: its event names the version uploaded, which a later PUT to
    # the same key (the upload URL is good for 15 minutes) must not replace.
    version = {"VersionId": version_id} if version_id else {}
    try:
        stored = aws.client("s3").get_object(Bucket=bucket, Key=key, **version)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in GONE:
            raise UnreadableFile("the uploaded file no longer exists") from None
        raise
    with closing(stored["Body"]) as body:
        if stored["ContentLength"] > MAX_BYTES:
            raise UnreadableFile(TOO_LARGE)
        yield Upload(body, etag=stored.get("ETag", "").strip('"') or None)
