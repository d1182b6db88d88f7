"""CSV imports against the clock: none is cut off by its timeout or left waiting or processing."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta

import pytest
from botocore.exceptions import ReadTimeoutError
from sqlalchemy import select, update

from handlers import catalog_import
from shared import aws
from shared.deadline import Deadline, OutOfTime
from shared.models import Product, ProductImport
from shared.models.base import utcnow
from shared.services import imports
from tests import factories
from tests.apigw import LambdaContext
from tests.faults.hung_endpoint import aws_call_timeout, hung_endpoint, service_at
from tests.faults.lambda_time import TimeRunningOut
from tests.handlers.test_catalog_import import event_for_upload

# Each test waits on a dependency that never answers, for seconds by design.
pytestmark = pytest.mark.slow

HEADER = "sku,name,description,category,price_cents,stock\n"
BUCKET = os.environ["IMPORTS_BUCKET"]


def rows(count: int) -> str:
    return "".join(f"SKU-{i},Product {i},,,100,{i}\n" for i in range(count))


def uploaded(session, s3, content: str) -> dict:
    """A started import whose file is in the bucket, not yet run."""
    started = imports.start_import(session, created_by=factories.admin(session).id)
    key = f"imports/{started['import_id']}.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=content.encode(), ContentType="text/csv")
    return {**started, "key": key}


def product_count(session) -> int:
    session.expire_all()
    return len(session.scalars(select(Product.id)).all())


def test_an_import_that_runs_out_of_time_ends_failed_with_a_reason_and_changes_nothing(
    engine, session, s3
):
    started = uploaded(session, s3, HEADER + rows(1200))
    # Time for the first batch of 500 rows; then less than the margin is left.
    deadline = Deadline(TimeRunningOut(300_000, 60_000, 1_000), margin=20)

    report = imports.run_import(session, bucket=BUCKET, key=started["key"], deadline=deadline)

    assert report["status"] == "failed"
    assert "time limit" in report["error"] and "line 1001" in report["error"]
    assert (report["created"], report["updated"]) == (0, 0)
    assert product_count(session) == 0


def test_an_import_event_arriving_with_too_little_time_left_is_left_for_lambda_s_retry(
    engine, session, s3
):
    started = uploaded(session, s3, HEADER + rows(3))
    event = event_for_upload(s3, started["key"])

    with pytest.raises(OutOfTime):
        catalog_import.handler(event, TimeRunningOut(300_000, 1_000))

    assert imports.get_import(session, started["import_id"])["status"] == "waiting"
    retried = catalog_import.handler(event, LambdaContext())
    assert retried["results"][0]["status"] == "done"
    assert product_count(session) == 3


def test_a_hung_s3_gives_the_import_back_for_a_retry_in_bounded_time(engine, session, s3):
    started = uploaded(session, s3, HEADER + rows(3))

    with aws_call_timeout(0.3), hung_endpoint() as hung, service_at("s3", hung.url):
        began = time.monotonic()
        with pytest.raises(ReadTimeoutError):
            imports.run_import(session, bucket=BUCKET, key=started["key"])
        took = time.monotonic() - began
        longest = aws.longest_call()

    assert took < longest
    assert hung.accepted == 3
    assert imports.get_import(session, started["import_id"])["status"] == "waiting"
    retried = imports.run_import(session, bucket=BUCKET, key=started["key"])
    assert (retried["status"], retried["created"]) == ("done", 3)


def test_housekeeping_ends_imports_whose_runs_crashed_or_were_never_retried(engine, session):
    from handlers.housekeeping import handler as housekeeping

    admin = factories.admin(session).id
    long_ago = utcnow() - timedelta(minutes=31)
    states = {
        "crashed": (
            "processing",
            utcnow() - timedelta(minutes=20),
            utcnow() - timedelta(minutes=16),
        ),
        "running": (
            "processing",
            utcnow() - timedelta(minutes=20),
            utcnow() - timedelta(minutes=2),
        ),
        "given_up": ("waiting", long_ago, utcnow() - timedelta(minutes=16)),
        "given_back": ("waiting", long_ago, utcnow() - timedelta(minutes=1)),
        "just_started": ("waiting", utcnow(), utcnow()),
        "done": ("done", long_ago, long_ago),
    }
    ids = {}
    for name, (status, created_at, updated_at) in states.items():
        found = ProductImport(id=str(uuid.uuid4()), s3_key=f"imports/{name}.csv", created_by=admin)
        session.add(found)
        session.flush()
        session.execute(
            update(ProductImport)
            .where(ProductImport.id == found.id)
            .values(status=status, created_at=created_at, updated_at=updated_at)
        )
        ids[name] = found.id
    session.commit()

    result = housekeeping({}, LambdaContext())

    assert result["end_stalled_imports"] == 2
    session.expire_all()
    reports = {name: imports.get_import(session, ids[name]) for name in states}
    assert {name: r["status"] for name, r in reports.items()} == {
        "crashed": "failed",
        "running": "processing",
        "given_up": "failed",
        "given_back": "waiting",
        "just_started": "waiting",
        "done": "done",
    }
    assert "crashed or timed out" in reports["crashed"]["error"]
    assert "upload URL" in reports["given_up"]["error"]
    assert housekeeping({}, LambdaContext())["end_stalled_imports"] == 0
