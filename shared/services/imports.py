"""CSV imports of products: an upload URL, one run per uploaded file, and its report.

An import is `waiting` until its file arrives, `processing` while one run holds it, then
`done` or `failed`. A run is one transaction: products and report commit together, or a
failed file changes no product at all.
"""

from __future__ import annotations

import uuid
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shared import aws, metrics
from shared.config import settings
from shared.deadline import NEVER, Deadline, OutOfTime
from shared.errors import NotFound
from shared.log import logger
from shared.models import Product, ProductImport
from shared.models.base import UTCDateTime, utcnow

UPLOAD_EXPIRES_IN = 900
UPLOAD_CONTENT_TYPE = "text/csv"
FINISHED = ("done", "failed")
# A run holding its claim this long has crashed: catalog_import times out well before.
STALE_CLAIM = timedelta(minutes=15)
# Bound on the imports one housekeeping run ends.
STALLED_BATCH = 100
# Rows per round trip: one SELECT of known SKUs, one INSERT, one UPDATE (9 columns x 500
# rows stays far below the bind-parameter limits of SQLite and PostgreSQL).
BATCH_ROWS = 500
# Rejected rows listed one by one in a report; past this, one last entry counts the rest.
# A 10 MiB file can hold ~900,000 bad rows: listing them all would blow the run's memory
# and the 6 MB limit of a Lambda response to GET /products/imports/{id}.
LISTED_REJECTIONS = 5000
# What S3 answers for an object, or the version of it an event names, that is gone: no
# retry brings it back, so the import ends failed at once.
GONE = frozenset({"NoSuchKey", "NoSuchVersion"})


def start_import(session: Session, *, created_by: int) -> dict[str, Any]:
    """A new waiting import and a pre-signed URL to PUT its CSV file to."""
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
    """The import's state and report, or NotFound (also for an id that is no import id)."""
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

    Ignored: an object that belongs to no import, an import already done or failed (a
    redelivered event must not undo later edits), and one that another run holds. A run
    that reaches `deadline` before the end of the file ends the import `failed`, with
    nothing changed, rather than being cut off by its function's timeout.
    """
    context = {"bucket": bucket, "key": key, "etag": etag, "version_id": version_id}
    found = None
    if bucket == settings().required("imports_bucket"):
        found = session.scalar(select(ProductImport).where(ProductImport.s3_key == key))
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
        outcome = _import_file(
            session, bucket=bucket, key=key, version_id=version_id, deadline=deadline
        )
    except (UnreadableFile, OutOfTime) as error:
        session.rollback()
        _update(session, import_id, status="failed", error=str(error))
        metrics.count(metrics.IMPORTS_FAILED)
        logger.warning("import failed", import_id=import_id, error=str(error))
    except Exception:
        session.rollback()
        _release(session, import_id)
        raise
    else:
        rows_rejected = outcome.pop("rows_rejected")
        _update(session, import_id, status="done", **outcome)
        metrics.count(metrics.IMPORT_ROWS_CREATED, outcome["created"])
        metrics.count(metrics.IMPORT_ROWS_UPDATED, outcome["updated"])
        metrics.count(metrics.IMPORT_ROWS_REJECTED, rows_rejected)
        # `created` is a LogRecord attribute of its own, hence products_created.
        logger.info(
            "import done",
            import_id=import_id,
            products_created=outcome["created"],
            products_updated=outcome["updated"],
            rows_rejected=rows_rejected,
        )
    session.expire_all()
    return get_import(session, import_id)


def end_stalled(session: Session) -> int:
    """End as failed the imports that no run will finish any more; returns how many.

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


def _import_file(
    session: Session, *, bucket: str, key: str, version_id: str | None, deadline: Deadline
) -> dict[str, Any]:
    """Upsert every good record of the object, in this session's open transaction."""
    from botocore.exceptions import ClientError

    from shared.services.catalog_csv import MAX_BYTES, TOO_LARGE, UnreadableFile, read_products

    s3 = aws.client("s3")
    # The bucket is versioned: its event names the version uploaded, which a later PUT to
    # the same key (the upload URL is good for 15 minutes) must not replace.
    version = {"VersionId": version_id} if version_id else {}
    try:
        stored = s3.get_object(Bucket=bucket, Key=key, **version)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in GONE:
            raise UnreadableFile("the uploaded file no longer exists") from None
        raise
    with closing(stored["Body"]) as body:
        if stored["ContentLength"] > MAX_BYTES:
            raise UnreadableFile(TOO_LARGE)
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
                tally.count(*_upsert(session, batch))
                batch.clear()
        if batch:
            tally.count(*_upsert(session, batch))
    return {
        **tally.report(),
        "rows_rejected": tally.rows_rejected,
        "error": None,
        "etag": stored.get("ETag", "").strip('"') or None,
    }


class _Tally:
    """What a run has done so far: products created and updated, rows rejected."""

    def __init__(self) -> None:
        self.created = self.updated = 0
        self.rejected: list[dict[str, Any]] = []
        self.unlisted = self.first_unlisted = 0

    def count(self, created: int, updated: int) -> None:
        self.created += created
        self.updated += updated

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

    def report(self) -> dict[str, Any]:
        rejected = self.rejected
        if self.unlisted:
            more = f"{self.unlisted} rejected rows from this line on are not listed"
            rejected = [*rejected, {"line": self.first_unlisted, "error": more}]
        return {"created": self.created, "updated": self.updated, "rejected": rejected}


def _upsert(session: Session, batch: list[dict[str, Any]]) -> tuple[int, int]:
    """Create the batch's new SKUs and update the known ones; (created, updated)."""
    now = utcnow()
    skus = [product["sku"] for product in batch]
    known = {
        sku: product_id
        for sku, product_id in session.execute(
            select(Product.sku, Product.id).where(Product.sku.in_(skus))
        )
    }
    new = [
        {**product, "is_active": True, "created_at": now, "updated_at": now}
        for product in batch
        if product["sku"] not in known
    ]
    changed = [
        {**product, "id": known[product["sku"]], "updated_at": now}
        for product in batch
        if product["sku"] in known
    ]
    if new:
        # RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs from one cached
        # statement ("insertmanyvalues"); without it pg8000 makes a round trip per row.
        session.execute(insert(Product).returning(Product.id), new)
    if changed:
        _update_known(session, changed, now)
    return len(new), len(changed)


# pg8000 runs an executemany as one round trip per row (parsing the SQL each time), which
# made updates twice as slow as inserts; on PostgreSQL one UPDATE joined to the batch as
# unnest()ed arrays does it all at once. SQLite's executemany is a loop in C: fast as is.
UPDATE_FROM_ARRAYS = text(
    """
    UPDATE products
    SET name = v.name, description = v.description, category = v.category,
        price_cents = v.price_cents, stock = v.stock, updated_at = :updated_at
    FROM unnest(
        CAST(:id AS integer[]), CAST(:name AS text[]), CAST(:description AS text[]),
        CAST(:category AS text[]), CAST(:price_cents AS integer[]), CAST(:stock AS integer[])
    ) AS v (id, name, description, category, price_cents, stock)
    WHERE products.id = v.id
    """
).bindparams(bindparam("updated_at", type_=UTCDateTime()))
UPDATED_COLUMNS = ("id", "name", "description", "category", "price_cents", "stock")


def _update_known(session: Session, changed: list[dict[str, Any]], now: datetime) -> None:
    if session.get_bind().dialect.name == "postgresql":
        columns = {name: [row[name] for row in changed] for name in UPDATED_COLUMNS}
        session.execute(UPDATE_FROM_ARRAYS, {**columns, "updated_at": now})
    else:
        session.execute(update(Product), changed)


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
