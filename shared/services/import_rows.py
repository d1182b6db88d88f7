"""The rows of an uploaded file into the catalogue: checked, upserted in batches, tallied.

Loaded by the import run only (it reads CSV with catalog_csv), never at a cold start.
"""

from __future__ import annotations

from typing import IO, Any

from sqlalchemy.orm import Session

from shared.deadline import Deadline, OutOfTime
from shared.services import products
from shared.services.catalog_csv import read_products

# Rows per call of products.upsert_products (9 columns x 500 rows stays far below the
# bind-parameter limits of SQLite and PostgreSQL).
BATCH_ROWS = 500
# Rejected rows listed one by one in a report; past this, one last entry counts the rest.
# A 10 MiB file can hold ~900,000 bad rows: listing them all would blow the run's memory
# and the 6 MB limit of a Lambda response to GET /products/imports/{id}.
LISTED_REJECTIONS = 5000


class Tally:
    """What a run has done so far: products created and updated, rows rejected."""

    def __init__(self) -> None:
        self.created = self.updated = 0
        self.rejected: list[dict[str, Any]] = []
        self.unlisted = self.first_unlisted = 0

    def count(self, upserted: products.Upserted) -> None:
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


def load(session: Session, body: IO[bytes], *, deadline: Deadline) -> Tally:
    """Upsert every good record of the file; what was done. Does not commit.

    Runs in the session's open transaction, so that the caller commits the products with
    the report, or none of them. OutOfTime once `deadline` has passed between two batches.
    """
    tally = Tally()
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
