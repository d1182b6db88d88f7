"""Time and peak memory of a CSV import of N generated rows, through run_import.

S3 is moto's in-process emulation (`mock_aws`); the database is --database-url, by default a
fresh PostgreSQL database created next to the tests' one and dropped at the end. The file
is imported twice: the first pass creates every product, the second updates every one.
The file's bytes are held by moto in this same process, so the peak includes them.

    .venv/bin/python scripts/bench_import.py                      # 100,000 rows (~10 MB)
    .venv/bin/python scripts/bench_import.py --rows 20000 --database-url sqlite:////tmp/b.db

Targets: under 60 s per pass, peak RSS under 200 MB, for 100,000 rows on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "shop-api-bench-imports"
HEADER = "sku,name,description,category,price_cents,stock\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        help="default: a new database on the tests' PostgreSQL server, dropped afterwards",
    )
    args = parser.parse_args()

    local_dir = tempfile.mkdtemp(prefix="shop-bench-import-")
    # Before any shop module reads them: fake AWS credentials, and the bucket to import from.
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="eu-west-1",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_EC2_METADATA_DISABLED="true",
        IMPORTS_BUCKET=BUCKET,
        SHOP_LOCAL_DIR=local_dir,
        DATABASE_URL=args.database_url or "sqlite://",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    sys.path.insert(0, str(ROOT))

    from shared import db
    from shared.migrations import upgrade

    engine, drop = _database(args.database_url)
    try:
        upgrade(engine)
        db.use_engine(engine)
        return _bench(args.rows, Path(local_dir))
    finally:
        drop()


def _database(url: str | None) -> tuple[Engine, Callable[[], None]]:
    """The engine to import into, and how to clean up after it."""
    from shared import db
    from tests.postgres import DEFAULT_SERVER, ThrowawayDatabase

    if url:
        engine = db.build_engine(url)
        return engine, engine.dispose
    database = ThrowawayDatabase(DEFAULT_SERVER, prefix="shop_bench")
    engine = db.build_engine(database.url)

    def drop() -> None:
        engine.dispose()
        database.drop()

    return engine, drop


def _bench(rows: int, local_dir: Path) -> int:
    from moto import mock_aws

    from shared import aws, db

    csv_path = _write_csv(local_dir / "products.csv", rows)
    size = csv_path.stat().st_size
    print(f"{rows} rows, {size / 1e6:.2f} MB ({size} bytes), database {db.engine().url!r}")

    with mock_aws():
        aws.reset_clients()
        s3 = aws.client("s3")
        region = {"LocationConstraint": os.environ["AWS_REGION"]}
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration=region)
        for label in ("create", "update"):
            _import_pass(s3, csv_path, label)
    return 0


def _write_csv(csv_path: Path, rows: int) -> Path:
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for i in range(rows):
            out.write(
                f'SKU-{i:08d},Product number {i},"A plain, honest description of product {i}",'
                f"category-{i % 50},{100 + i % 99_900},{i % 1000}\n"
            )
    return csv_path


def _import_pass(s3: Any, csv_path: Path, label: str) -> None:
    """One import of the file, uploaded afresh: its time, its outcome and the memory peak."""
    from shared import db
    from shared.models import ProductImport
    from shared.services import imports

    import_id = str(uuid.uuid4())
    key = f"imports/{import_id}.csv"
    with csv_path.open("rb") as body:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType="text/csv")
    with db.session_scope() as session:
        session.add(ProductImport(id=import_id, s3_key=key))
        session.commit()
        rss_before = _rss_mb()
        started = time.perf_counter()
        report = imports.run_import(session, bucket=BUCKET, key=key)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label} pass: {seconds:.1f} s, status {report['status']}, "
        f"created {report['created']}, updated {report['updated']}, "
        f"rejected {len(report['rejected'])}; RSS {rss_before:.0f} MB before, "
        f"peak so far {peak:.0f} MB"
    )
    s3.delete_object(Bucket=BUCKET, Key=key)


def _rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


if __name__ == "__main__":
    sys.exit(main())
