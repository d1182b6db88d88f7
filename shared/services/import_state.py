"""An import's status as a run moves it: claimed, then done, failed or given back.

Each change commits: a claim at once, for every other run to see before this one reads
the file; `done` together with the products the run upserted, in one transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shared import metrics
from shared.config import settings
from shared.log import logger
from shared.models import ProductImport
from shared.models.base import utcnow
from shared.statuses import ImportStatus

if TYPE_CHECKING:
    from shared.services.import_rows import Tally

FINISHED: tuple[ImportStatus, ...] = ("done", "failed")
# A run holding its claim this long has crashed: catalog_import times out well before.
STALE_CLAIM = timedelta(minutes=15)


def import_of(session: Session, *, bucket: str, key: str) -> ProductImport | None:
    """The import an uploaded object belongs to, if any; reads only."""
    if bucket != settings().required("imports_bucket"):
        return None
    return session.scalar(select(ProductImport).where(ProductImport.s3_key == key))


def claim(session: Session, import_id: str) -> bool:
    """Take the import for this run, and commit: one run at a time processes it."""
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


def mark_done(session: Session, import_id: str, *, tally: Tally, etag: str | None) -> None:
    """End the import done, what the run did as its report, and commit it with the products."""
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


def mark_failed(session: Session, import_id: str, *, error: str) -> None:
    """End the import failed, with `error` as its report's reason, and commit."""
    _update(session, import_id, status="failed", error=error)
    metrics.count(metrics.IMPORTS_FAILED)
    logger.warning("import failed", import_id=import_id, error=error)


def release(session: Session, import_id: str) -> None:
    """Give the import back for a retry (waiting), and commit; never raises a database error.

    An unexpected error (database, S3 permissions) is worth a retry: Lambda retries a
    failed S3 event, and the retry must find the import claimable, not held.
    """
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
