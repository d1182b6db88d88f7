"""CSV imports of products: an upload URL, one run per uploaded file, and its report.

An import is `waiting` until its file arrives, `processing` while one run holds it, then
`done` or `failed`. Its report is what GET /products/imports/{id} answers (ImportReport):
that status, the products created and updated, the rows rejected, and the error that
failed it. A run is one transaction: products and report commit together, or a failed
file changes no product at all.

A run, top to bottom: find the import the uploaded object belongs to, claim it, open the
upload, load its rows in batches, then record the import done or failed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shared import aws, metrics
from shared.config import settings
from shared.deadline import NEVER, Deadline, OutOfTime
from shared.errors import NotFound
from shared.log import logger
from shared.models import ProductImport
from shared.models.base import utcnow
from shared.statuses import ImportStatus

if TYPE_CHECKING:
    from shared.services.products import Upserted

UPLOAD_EXPIRES_IN = 900
UPLOAD_CONTENT_TYPE = "text/csv"
FINISHED: tuple[ImportStatus, ...] = ("done", "failed")
# A run holding its claim this long has crashed: catalog_import times out well before.
STALE_CLAIM = timedelta(minutes=15)
# Bound on the imports one housekeeping run ends.
STALLED_BATCH = 100
# Rows per call of products.upsert_products (9 columns x 500 rows stays far below the
# bind-parameter limits of SQLite and PostgreSQL).
BATCH_ROWS = 500
# Rejected rows listed one by one in a report; past this, one last entry counts the rest.
# A 10 MiB file can hold ~900,000 bad rows: listing them all would blow the run's memory
# and the 6 MB limit of a Lambda response to GET /products/imports/{id}.
LISTED_REJECTIONS = 5000
# What S3 answers for an object, or the version of it an event names, that is gone: no
# retry brings it back, so the import ends failed at once.
GONE = frozenset({"NoSuchKey", "NoSuchVersion"})


def start_import(session: Session, *, created_by: int) -> dict[str, Any]:
    """A new waiting import, committed, and a pre-signed URL to PUT its CSV file to."""
    bucket = settings().required("imports_bucket")
    import_id = str(uuid.uuid4())
    key = f"imports/{import_id}.csv"
    upload_url = aws.client("s3").generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": key, "ContentType": UPLOAD_CONTENT_TYPE},
        ExpiresIn=UPLOAD_EXPIRES_IN,
    )
    session.add(ProductImport(id=import_id, s3_key=key, status="waiting", created_by=created_by))
    session.commit()
    return {
        "import_id": import_id,
        "upload_url": upload_url,
        "expires_in": UPLOAD_EXPIRES_IN,
        "upload_headers": {"Content-Type": UPLOAD_CONTENT_TYPE},
    }


def get_import(session: Session, import_id: str) -> dict[str, Any]:
    """The import's report, or NotFound (also for an id that is no import id); reads only."""
    try:
        uuid.UUID(import_id)
    except ValueError:
        raise NotFound(f"There is no import {import_id}.") from None
    found = session.get(ProductImport, import_id)
    if found is None:
        raise NotFound(f"There is no import {import_id}.")
    return _report(found)


def run_import(
    session: Session,
    *,
    bucket: str,
    key: str,
    etag: str | None = None,
    version_id: str | None = None,
    deadline: Deadline = NEVER,
) -> dict[str, Any] | None:
    """Import the file uploaded for an import, once; its report, or None if ignored.

    Commits twice: the claim at once, then the products with the report. Ignored: an
    object that belongs to no import, an import already done or failed (a redelivered
    event must not undo later edits), and one that another run holds. A run that reaches
    `deadline` before the end of the file ends the import `failed`, with nothing changed,
    rather than being cut off by its function's timeout.
    """
    context = {"bucket": bucket, "key": key, "etag": etag, "version_id": version_id}
    found = _import_of(session, bucket=bucket, key=key)
    if found is None:
        logger.warning("object belongs to no import; ignored", **context)
        return None
    import_id = found.id
    if found.status in FINISHED:
        logger.info("import already finished; event ignored", import_id=import_id, **context)
        return None
    if not _claim(session, import_id):
        logger.info("import held by another run; event ignored", import_id=import_id, **context)
        return None

    from shared.services.catalog_csv import UnreadableFile

    logger.info("import started", import_id=import_id, **context)
    try:
        with _open_upload(bucket=bucket, key=key, version_id=version_id) as upload:
            tally = _load(session, upload.body, deadline=deadline)
    except (UnreadableFile, OutOfTime) as error:
        session.rollback()
        _record_failed(session, import_id, error=str(error))
    except Exception:
        session.rollback()
        _release(session, import_id)
        raise
    else:
        _record_done(session, import_id, tally=tally, etag=upload.etag)
    session.expire_all()
    return get_import(session, import_id)


def end_stalled(session: Session) -> int:
    """End as failed, and commit, the imports that no run will finish any more; how many.

    A run that crashed or was killed leaves its claim behind (`processing`); one that met
    an unexpected error gives the import back (`waiting`) for Lambda's retries of the S3
    event, which come within minutes, and an upload URL is good for 15 minutes. Past
    those times nothing will move the import again, and its report says so.
    """
    now = utcnow()
    stalled = (
        (
            and_(
                ProductImport.status == "processing", ProductImport.updated_at < now - STALE_CLAIM
            ),
            "the import stopped before it finished (its run crashed or timed out) and was "
            "not retried; no product was changed",
        ),
        (
            and_(
                ProductImport.status == "waiting",
                ProductImport.updated_at < now - STALE_CLAIM,
                ProductImport.created_at < now - timedelta(seconds=UPLOAD_EXPIRES_IN) - STALE_CLAIM,
            ),
            "no file was imported: none was uploaded while the upload URL was valid, or "
            "every run of it failed; no product was changed",
        ),
    )
    ended = 0
    for condition, reason in stalled:
        ids = select(ProductImport.id).where(condition).limit(STALLED_BATCH).scalar_subquery()
        ended += session.execute(
            update(ProductImport)
            .where(ProductImport.id.in_(ids), condition)
            .values(status="failed", error=reason, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    session.commit()
    if ended:
        logger.warning("stalled imports ended as failed", imports=ended)
    return ended


def _import_of(session: Session, *, bucket: str, key: str) -> ProductImport | None:
    if bucket != settings().required("imports_bucket"):
        return None
    return session.scalar(select(ProductImport).where(ProductImport.s3_key == key))


def _claim(session: Session, import_id: str) -> bool:
    """Take the import for this run (committed at once): one run at a time processes it."""
    now = utcnow()
    claimed = session.execute(
        update(ProductImport)
        .where(
            ProductImport.id == import_id,
            or_(
                ProductImport.status == "waiting",
                and_(
                    ProductImport.status == "processing",
                    ProductImport.updated_at < now - STALE_CLAIM,
                ),
            ),
        )
        .values(status="processing", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return claimed.rowcount == 1


class _Upload(NamedTuple):
    body: IO[bytes]
    # The version of the object processed, kept with the import for the record.
    etag: str | None


@contextmanager
def _open_upload(*, bucket: str, key: str, version_id: str | None) -> Iterator[_Upload]:
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
        yield _Upload(body, etag=stored.get("ETag", "").strip('"') or None)


def _load(session: Session, body: IO[bytes], *, deadline: Deadline) -> _Tally:
    """Upsert every good record of the file, in this session's open transaction."""
    from shared.services import products
    from shared.services.catalog_csv import read_products

    tally = _Tally()
    batch: list[dict[str, Any]] = []
    for record in read_products(body):
        if record.product is None:
            tally.reject(record.line, record.error)
            continue
        batch.append(record.product)
        if len(batch) == BATCH_ROWS:
            if deadline.passed():
                raise OutOfTime(
                    f"the import did not finish within its time limit (it had reached "
                    f"line {record.line}); no product was changed: import the file in parts"
                )
            tally.count(products.upsert_products(session, rows=batch))
            batch.clear()
    if batch:
        tally.count(products.upsert_products(session, rows=batch))
    return tally


class _Tally:
    """What a run has done so far: products created and updated, rows rejected."""

    def __init__(self) -> None:
        self.created = self.updated = 0
        self.rejected: list[dict[str, Any]] = []
        self.unlisted = self.first_unlisted = 0

    def count(self, upserted: Upserted) -> None:
        self.created += upserted.created
        self.updated += upserted.updated

    def reject(self, line: int, error: str) -> None:
        if len(self.rejected) < LISTED_REJECTIONS:
            self.rejected.append({"line": line, "error": error})
        else:
            self.unlisted += 1
            self.first_unlisted = self.first_unlisted or line

    @property
    def rows_rejected(self) -> int:
        """Every rejected row, listed in the report or not."""
        return len(self.rejected) + self.unlisted

    def listed_rejections(self) -> list[dict[str, Any]]:
        """The rejected rows as the report lists them: past the limit, one entry counts the rest."""
        if not self.unlisted:
            return self.rejected
        more = f"{self.unlisted} rejected rows from this line on are not listed"
        return [*self.rejected, {"line": self.first_unlisted, "error": more}]


def _record_done(session: Session, import_id: str, *, tally: _Tally, etag: str | None) -> None:
    _update(
        session,
        import_id,
        status="done",
        created=tally.created,
        updated=tally.updated,
        rejected=tally.listed_rejections(),
        error=None,
        etag=etag,
    )
    metrics.count(metrics.IMPORT_ROWS_CREATED, tally.created)
    metrics.count(metrics.IMPORT_ROWS_UPDATED, tally.updated)
    metrics.count(metrics.IMPORT_ROWS_REJECTED, tally.rows_rejected)
    # `created` is a LogRecord attribute of its own, hence products_created.
    logger.info(
        "import done",
        import_id=import_id,
        products_created=tally.created,
        products_updated=tally.updated,
        rows_rejected=tally.rows_rejected,
    )


def _record_failed(session: Session, import_id: str, *, error: str) -> None:
    _update(session, import_id, status="failed", error=error)
    metrics.count(metrics.IMPORTS_FAILED)
    logger.warning("import failed", import_id=import_id, error=error)


def _release(session: Session, import_id: str) -> None:
    # An unexpected error (database, S3 permissions) is worth a retry: Lambda retries a
    # failed S3 event, and the retry must find the import claimable, not held.
    try:
        _update(session, import_id, status="waiting")
    except SQLAlchemyError:
        session.rollback()
        logger.exception("could not release the import; it is retried once its claim is stale")


def _update(session: Session, import_id: str, **values: Any) -> None:
    session.execute(
        update(ProductImport)
        .where(ProductImport.id == import_id)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _report(found: ProductImport) -> dict[str, Any]:
    return {
        "import_id": found.id,
        "status": found.status,
        "created": found.created,
        "updated": found.updated,
        "rejected": found.rejected,
        "error": found.error,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
    }
