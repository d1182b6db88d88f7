"""CSV imports of products: an upload URL, one run per uploaded file, and its report.

An import is `waiting` until its file arrives, `processing` while one run holds it, then
`done` or `failed`. Its report is what GET /products/imports/{id} answers (ImportReport):
that status, the products created and updated, the rows rejected, and the error that
failed it. A run is one transaction: products and report commit together, or a failed
file changes no product at all.

A run, top to bottom, each stage in a module of its own: find the import the uploaded
object belongs to and claim it (import_state), open the upload (import_uploads), load its
rows in batches (import_rows), then record the import done or failed (import_state).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from shared.deadline import NEVER, Deadline, OutOfTime
from shared.errors import NotFound
from shared.log import logger
from shared.models import ProductImport
from shared.models.base import utcnow
from shared.services import import_state, import_uploads

# Bound on the imports one housekeeping run ends.
STALLED_BATCH = 100


def start_import(session: Session, *, created_by: int) -> dict[str, Any]:
    """A new waiting import, committed, and a pre-signed URL to PUT its CSV file to."""
    import_id = str(uuid.uuid4())
    key = import_uploads.key_of(import_id)
    upload_url = import_uploads.upload_url(key)
    session.add(ProductImport(id=import_id, s3_key=key, status="waiting", created_by=created_by))
    session.commit()
    return {
        "import_id": import_id,
        "upload_url": upload_url,
        "expires_in": import_uploads.EXPIRES_IN,
        "upload_headers": {"Content-Type": import_uploads.CONTENT_TYPE},
    }


def get_import(session: Session, import_id: str) -> dict[str, Any]:
    """The import's report, or NotFound (also for an id that is no import id); reads only."""
    try:
        uuid.UUID(import_id)
    except ValueError:
        raise NotFound(f"There is no import {import_id}.") from None
    # As the database holds it: a run changes the status by UPDATEs the session never sees.
    found = session.get(ProductImport, import_id, populate_existing=True)
    if found is None:
        raise NotFound(f"There is no import {import_id}.")
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
    import_id = _claim_for_run(session, context)
    if import_id is None:
        return None

    # The CSV machinery loads with a run, never with the functions that only start, read or
    # end imports.
    from shared.services import import_rows
    from shared.services.catalog_csv import UnreadableFile

    logger.info("import started", import_id=import_id, **context)
    try:
        with import_uploads.open_upload(bucket=bucket, key=key, version_id=version_id) as upload:
            tally = import_rows.load(session, upload.body, deadline=deadline)
    except (UnreadableFile, OutOfTime) as error:
        session.rollback()
        import_state.mark_failed(session, import_id, error=str(error))
    except Exception:
        session.rollback()
        import_state.release(session, import_id)
        raise
    else:
        import_state.mark_done(session, import_id, tally=tally, etag=upload.etag)
    session.expire_all()
    return get_import(session, import_id)


def _claim_for_run(session: Session, context: dict[str, Any]) -> str | None:
    """The id of the import the object belongs to, now held by this run; None if ignored.

    `context` names the object (bucket, key, etag, version_id), for the log too.
    """
    found = import_state.import_of(session, bucket=context["bucket"], key=context["key"])
    if found is None:
        logger.warning("object belongs to no import; ignored", **context)
        return None
    if found.status in import_state.FINISHED:
        logger.info("import already finished; event ignored", import_id=found.id, **context)
        return None
    if not import_state.claim(session, found.id):
        logger.info("import held by another run; event ignored", import_id=found.id, **context)
        return None
    return found.id


def end_stalled(session: Session) -> int:
    """End as failed, and commit, the imports that no run will finish any more; how many.

    A run that crashed or was killed leaves its claim behind (`processing`); one that met
    an unexpected error gives the import back (`waiting`) for Lambda's retries of the S3
    event, which come within minutes, and an upload URL is good for 15 minutes. Past
    those times nothing will move the import again, and its report says so.
    """
    now = utcnow()
    stale = ProductImport.updated_at < now - import_state.STALE_CLAIM
    upload_window = timedelta(seconds=import_uploads.EXPIRES_IN) + import_state.STALE_CLAIM
    stalled = (
        (
            and_(ProductImport.status == "processing", stale),
            "the import stopped before it finished (its run crashed or timed out) and was "
            "not retried; no product was changed",
        ),
        (
            and_(
                ProductImport.status == "waiting",
                stale,
                ProductImport.created_at < now - upload_window,
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
