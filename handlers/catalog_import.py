"""catalog_import function: runs the CSV import of each file uploaded to the imports bucket."""

from __future__ import annotations

from urllib.parse import unquote_plus

from handlers import init_done
from shared import db, deadline, metrics
from shared.config import require
from shared.log import logger
from shared.services import imports

# A deploy without the bucket fails here, at cold start, with one log line naming it.
require("imports_bucket")


@metrics.flushed
def handler(event: dict, context: object) -> dict:
    """One import run per S3 ObjectCreated record; a summary of what each record did."""
    time_left = deadline.of_invocation(context)
    results = []
    for record in event.get("Records", []):
        if not record.get("eventName", "").startswith("ObjectCreated:"):
            logger.warning(
                "not an ObjectCreated record; skipped", event_name=record.get("eventName")
            )
            continue
        stored = record["s3"]["object"]
        # S3 event keys are URL-encoded, with "+" for a space.
        key = unquote_plus(stored["key"])
        if time_left.passed():
            # Failing the invocation makes Lambda run the event again, minutes later; the
            # records already imported are then ignored as finished.
            raise deadline.OutOfTime(f"no time left to import {key}; left for a retry")
        with db.session_scope() as session:
            report = imports.run_import(
                session,
                bucket=record["s3"]["bucket"]["name"],
                key=key,
                etag=stored.get("eTag"),
                version_id=stored.get("versionId"),
                deadline=time_left,
            )
        if report is None:
            results.append({"key": key, "import_id": None, "status": "ignored"})
        else:
            results.append(
                {"key": key, "import_id": report["import_id"], "status": report["status"]}
            )
    logger.info("catalog import event handled", results=results)
    return {"results": results}


init_done()  # last: everything above lives as long as the container
