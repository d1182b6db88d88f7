"""The S3 side of CSV imports: the URL a file is uploaded to, and the uploaded file's body."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError

from shared import aws
from shared.services import catalog_csv, import_uploads
from shared.services.catalog_csv import UnreadableFile
from tests.catalog_files import HEADER, rows
from tests.uploads import BUCKET, upload

KEY = import_uploads.key_of("0b8a1f6e-8d4c-4c4e-9d8e-2f1b6c3a9e71")


def opened(*, bucket: str = BUCKET, key: str = KEY) -> tuple[bytes, str | None]:
    """The body and etag of the upload at `key`, as a run opens it."""
    with import_uploads.open_upload(bucket=bucket, key=key, version_id=None) as upload:
        return upload.body.read(), upload.etag


def test_on_aws_the_upload_url_is_signed_for_the_bucket_s_own_region():
    aws.reset_clients()  # no emulation: the URL a deployed function hands out

    url = import_uploads.upload_url(KEY)

    assert url.startswith(f"https://{BUCKET}.s3.eu-west-1.amazonaws.com/imports/")
    assert "%2Feu-west-1%2Fs3%2Faws4_request" in url
    aws.reset_clients()


def test_a_csv_file_put_to_an_upload_url_within_15_minutes_is_stored_at_its_key(s3):
    url = import_uploads.upload_url(KEY)
    content = (HEADER + rows(2)).encode()

    stored_at = upload({"upload_url": url, "upload_headers": {"Content-Type": "text/csv"}}, content)

    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["900"]
    assert stored_at == KEY
    stored = s3.get_object(Bucket=BUCKET, Key=KEY)
    assert (stored["ContentType"], stored["Body"].read()) == ("text/csv", content)


def test_an_opened_upload_streams_the_file_and_names_its_etag_without_s3_s_quotes(s3):
    content = (HEADER + rows(2)).encode()
    put = s3.put_object(Bucket=BUCKET, Key=KEY, Body=content)

    assert opened() == (content, put["ETag"].strip('"'))


def test_an_upload_s3_says_is_over_the_size_limit_is_unreadable_and_one_at_it_opens(
    s3, monkeypatch
):
    # A limit the size of a header, not 10 MiB of test data; the reason still names 10 MiB.
    monkeypatch.setattr(catalog_csv, "MAX_BYTES", len(HEADER))
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=HEADER.encode())
    s3.put_object(Bucket=BUCKET, Key="imports/one-byte-more.csv", Body=(HEADER + "\n").encode())

    assert opened()[0] == HEADER.encode()
    with pytest.raises(UnreadableFile, match=r"larger than 10 MiB"):
        opened(key="imports/one-byte-more.csv")


def test_an_s3_error_other_than_a_gone_file_is_raised_as_it_is_for_a_retry(s3):
    with pytest.raises(ClientError) as refused:
        opened(bucket="a-bucket-that-does-not-exist")

    assert refused.value.response["Error"]["Code"] == "NoSuchBucket"
