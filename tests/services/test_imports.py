"""CSV imports of products: the upload URL, one run per uploaded file, and its report."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shared.config import ConfigError, settings
from shared.errors import NotFound
from shared.models import Product, ProductImport
from shared.models.base import utcnow
from shared.services import catalog_csv, import_state, imports
from shared.services import products as products_service
from tests import factories
from tests.catalog_files import HEADER, products, rows
from tests.concurrency import at_once

BUCKET = os.environ["IMPORTS_BUCKET"]


def start(session) -> dict:
    return imports.start_import(session, created_by=factories.admin(session).id)


def key_of(started: dict) -> str:
    return f"imports/{started['import_id']}.csv"


def upload_and_run(session, s3, content: str | bytes) -> dict:
    """Start an import, upload `content` as its file and run the import of it."""
    started = start(session)
    body = content.encode() if isinstance(content, str) else content
    s3.put_object(Bucket=BUCKET, Key=key_of(started), Body=body, ContentType="text/csv")
    return imports.run_import(session, bucket=BUCKET, key=key_of(started))


def test_starting_an_import_gives_a_pre_signed_put_url_for_a_csv_file(engine, session, s3):
    started = start(session)

    assert started["expires_in"] == 900
    assert started["upload_headers"] == {"Content-Type": "text/csv"}
    assert f"/{BUCKET}/imports/{started['import_id']}.csv?" in started["upload_url"]
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in started["upload_url"]
    assert "X-Amz-SignedHeaders=content-type%3Bhost" in started["upload_url"]
    report = imports.get_import(session, started["import_id"])
    assert report["status"] == "waiting"
    assert (report["created"], report["updated"], report["rejected"], report["error"]) == (
        0,
        0,
        [],
        None,
    )


def test_an_import_cannot_start_without_the_imports_bucket_setting(engine, session, monkeypatch):
    monkeypatch.delenv("IMPORTS_BUCKET")
    settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="IMPORTS_BUCKET"):
            start(session)
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert session.scalars(select(ProductImport)).all() == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "header"),
        (b"sku,name,price_cents,stock\nA,a,1,1\n", "header"),
        (b"SKU,Name,Description,Category,Price_cents,Stock\nA,a,,,1,1\n", "header"),
        (b'{"sku": "A", "name": "a"}\n', "header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    ],
    ids=["empty", "columns missing", "capitalised", "json", "png"],
)
def test_a_file_without_the_exact_header_fails_and_changes_nothing(
    engine, session, s3, content, reason
):
    report = upload_and_run(session, s3, content)

    assert report["status"] == "failed"
    assert reason in report["error"]
    assert (report["created"], report["updated"], report["rejected"]) == (0, 0, [])
    assert products(session) == {}


def test_a_file_that_turns_out_not_utf8_changes_no_product_even_before_the_bad_bytes(
    engine, session, s3
):
    upload_and_run(session, s3, HEADER + "SKU-0,Original,,,1,1\n")
    # Two full batches are written before the bad byte is read; all of it is undone.
    content = (HEADER + rows(1200, price=999)).encode() + "SKU-X,Caf\u00e9,,,1,1\n".encode(
        "latin-1"
    )

    report = upload_and_run(session, s3, content)

    assert report["status"] == "failed"
    assert report["error"] == "the file is not UTF-8 text"
    assert products(session) == {"SKU-0": ("Original", None, None, 1, 1)}


@pytest.mark.parametrize(
    "broken",
    ['BAD-1,"unclosed,,,1,1\nBAD-2,b,,,1,1\n', 'BAD-1,"quoted"tail,,,1,1\n'],
    ids=["quote left open", "text after a closing quote"],
)
def test_a_file_that_is_not_valid_csv_fails_and_changes_nothing(engine, session, s3, broken):
    report = upload_and_run(session, s3, HEADER + rows(3) + broken)

    assert report["status"] == "failed"
    assert report["error"].startswith("the file is not valid CSV: line ")
    assert products(session) == {}


@pytest.mark.slow
def test_a_file_over_10_mib_fails_and_changes_nothing(engine, session, s3):
    line = "SKU-{:07d},A product with a name long enough to fill the file quickly,,,100,1\n"
    count = catalog_csv.MAX_BYTES // len(line.format(0)) + 1
    content = HEADER + "".join(line.format(i) for i in range(count))
    assert len(content) > catalog_csv.MAX_BYTES

    report = upload_and_run(session, s3, content)

    assert report["status"] == "failed"
    assert report["error"] == "the file is larger than 10 MiB (10485760 bytes)"
    assert products(session) == {}


@pytest.mark.slow
def test_a_file_of_exactly_10_mib_is_imported(engine, session, s3):
    content = HEADER + "JUG-1,Jug,,,100,1\n"
    content += "\n" * (catalog_csv.MAX_BYTES - len(content))

    report = upload_and_run(session, s3, content)

    assert (report["status"], report["created"]) == ("done", 1)


def test_an_uploaded_file_that_was_deleted_before_the_run_fails_the_import(engine, session, s3):
    started = start(session)

    report = imports.run_import(session, bucket=BUCKET, key=key_of(started))

    assert report["status"] == "failed"
    assert report["error"] == "the uploaded file no longer exists"


def test_an_import_reads_the_version_its_event_names_though_the_file_was_replaced_since(
    engine, session, s3
):
    started = start(session)
    first = s3.put_object(Bucket=BUCKET, Key=key_of(started), Body=(HEADER + rows(2)).encode())
    s3.put_object(Bucket=BUCKET, Key=key_of(started), Body=(HEADER + rows(5, start=10)).encode())

    report = imports.run_import(
        session, bucket=BUCKET, key=key_of(started), version_id=first["VersionId"]
    )

    assert (report["status"], report["created"]) == ("done", 2)
    assert sorted(products(session)) == ["SKU-0", "SKU-1"]


def test_an_event_naming_a_version_that_is_gone_fails_the_import_with_a_reason(engine, session, s3):
    started = start(session)
    stored = s3.put_object(Bucket=BUCKET, Key=key_of(started), Body=(HEADER + rows(2)).encode())
    s3.delete_object(Bucket=BUCKET, Key=key_of(started), VersionId=stored["VersionId"])

    report = imports.run_import(
        session, bucket=BUCKET, key=key_of(started), version_id=stored["VersionId"]
    )

    assert report["status"] == "failed"
    assert report["error"] == "the uploaded file no longer exists"
    assert products(session) == {}


def test_an_upload_processed_twice_changes_nothing_the_second_time(engine, session, s3):
    first = upload_and_run(session, s3, HEADER + "TEA-1,Tea,,,400,4\n")
    session.execute(update(Product).values(name="Renamed by an admin"))
    session.commit()

    again = imports.run_import(session, bucket=BUCKET, key=f"imports/{first['import_id']}.csv")

    assert again is None
    assert products(session) == {"TEA-1": ("Renamed by an admin", None, None, 400, 4)}
    assert imports.get_import(session, first["import_id"]) == first


def test_a_failed_import_stays_failed_when_its_event_comes_again(engine, session, s3):
    failed = upload_and_run(session, s3, b"not,the,header\n")
    key = f"imports/{failed['import_id']}.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=(HEADER + rows(2)).encode())

    assert imports.run_import(session, bucket=BUCKET, key=key) is None
    assert imports.get_import(session, failed["import_id"])["status"] == "failed"
    assert products(session) == {}


@pytest.mark.parametrize(
    ("bucket", "key"),
    [(BUCKET, "imports/someone-elses-file.csv"), ("another-bucket", None)],
    ids=["unknown key", "another bucket"],
)
def test_an_object_that_belongs_to_no_import_is_ignored(engine, session, s3, bucket, key):
    started = start(session)

    outcome = imports.run_import(session, bucket=bucket, key=key or key_of(started))

    assert outcome is None
    assert imports.get_import(session, started["import_id"])["status"] == "waiting"


def test_an_import_another_run_holds_is_left_alone_until_that_run_is_plainly_dead(
    engine, session, s3
):
    started = start(session)
    s3.put_object(Bucket=BUCKET, Key=key_of(started), Body=(HEADER + rows(1)).encode())
    held = update(ProductImport).where(ProductImport.id == started["import_id"])
    session.execute(held.values(status="processing", updated_at=utcnow()))
    session.commit()

    assert imports.run_import(session, bucket=BUCKET, key=key_of(started)) is None
    assert products(session) == {}

    session.execute(held.values(updated_at=utcnow() - timedelta(minutes=16)))
    session.commit()
    report = imports.run_import(session, bucket=BUCKET, key=key_of(started))

    assert (report["status"], report["created"]) == ("done", 1)


def test_an_unexpected_error_leaves_the_import_ready_for_a_retry(engine, session, s3, monkeypatch):
    started = start(session)
    s3.put_object(Bucket=BUCKET, Key=key_of(started), Body=(HEADER + rows(3)).encode())

    def database_went_away(*args, **kwargs):
        raise RuntimeError("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(products_service, "upsert_products", database_went_away)
        with pytest.raises(RuntimeError):
            imports.run_import(session, bucket=BUCKET, key=key_of(started))

    assert imports.get_import(session, started["import_id"])["status"] == "waiting"
    retried = imports.run_import(session, bucket=BUCKET, key=key_of(started))
    assert (retried["status"], retried["created"]) == ("done", 3)


def test_concurrent_deliveries_of_one_upload_import_it_once(postgres, s3):
    from shared import db

    with db.session_scope() as session:
        started = start(session)
    s3.put_object(Bucket=BUCKET, Key=key_of(started), Body=(HEADER + rows(2000)).encode())

    def deliver(_: int) -> dict | None:
        with db.session_scope() as session:
            return imports.run_import(session, bucket=BUCKET, key=key_of(started))

    outcomes = at_once(4, deliver)

    reports = [outcome for outcome in outcomes if outcome is not None]
    assert len(outcomes) == 4 and len(reports) == 1
    assert (reports[0]["created"], reports[0]["updated"]) == (2000, 0)


@pytest.mark.parametrize(
    "import_id", ["0b8a1f6e-8d4c-4c4e-9d8e-2f1b6c3a9e71", "not-an-id", "1" * 300, "../x"]
)
def test_an_unknown_or_malformed_import_id_is_not_found(engine, session, import_id):
    with pytest.raises(NotFound):
        imports.get_import(session, import_id)


def test_an_import_s_report_shows_its_status_as_it_is_now_in_a_session_that_read_it_before(
    session,
):
    waiting = factories.product_import(session)
    assert imports.get_import(session, waiting.id)["status"] == "waiting"
    assert import_state.claim(session, waiting.id)

    assert imports.get_import(session, waiting.id)["status"] == "processing"
