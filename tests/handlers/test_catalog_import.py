"""CSV imports end to end: the admin's routes, a real upload to S3, the S3 event, the report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers import catalog_import
from shared.models import Product, ProductImport
from tests.apigw import Client, LambdaContext
from tests.uploads import BUCKET, event_for_upload, object_created, upload

CSV = (
    "\ufeffsku,name,description,category,price_cents,stock\r\n"
    'MUG-1,"Mug, white","Holds tea,\r\nor coffee",kitchen,1250,10\r\n'
    "MUG-2,Mug,,,12.50,3\r\n"
    "MUG-3,Mug,,,-1,3\r\n"
    "LAMP-1,Lamp,,home,4500,2\r\n"
)


@pytest.fixture
def products_api(engine) -> Client:
    from handlers.products import handler

    return Client(handler)


def test_an_admin_imports_a_csv_file_from_upload_url_to_report(
    s3, products_api, admin_token, session
):
    started = products_api.post("/products/imports", token=admin_token)
    assert started.status == 201, started.text
    assert set(started.json) == {"import_id", "upload_url", "expires_in", "upload_headers"}
    waiting = products_api.get(f"/products/imports/{started.json['import_id']}", token=admin_token)
    assert waiting.json["status"] == "waiting"

    key = upload(started.json, CSV.encode())
    summary = catalog_import.handler(event_for_upload(s3, key), LambdaContext())
    report = products_api.get(f"/products/imports/{started.json['import_id']}", token=admin_token)

    assert summary == {
        "results": [{"key": key, "import_id": started.json["import_id"], "status": "done"}]
    }
    assert report.status == 200
    assert report.json["status"] == "done"
    assert (report.json["created"], report.json["updated"], report.json["error"]) == (2, 0, None)
    assert [row["line"] for row in report.json["rejected"]] == [4, 5]
    assert all("price_cents" in row["error"] for row in report.json["rejected"])
    mug = session.scalar(select(Product).where(Product.sku == "MUG-1"))
    assert (mug.name, mug.description, mug.price_cents) == (
        "Mug, white",
        "Holds tea,\r\nor coffee",
        1250,
    )


def test_the_same_event_delivered_again_does_not_undo_an_edit_made_in_between(
    s3, products_api, admin_token, session
):
    started = products_api.post("/products/imports", token=admin_token).json
    event = event_for_upload(s3, upload(started, CSV.encode()))
    catalog_import.handler(event, LambdaContext())
    lamp = session.scalar(select(Product).where(Product.sku == "LAMP-1"))
    edited = products_api.patch(f"/products/{lamp.id}", {"price_cents": 3999}, token=admin_token)
    assert edited.status == 200, edited.text
    before = products_api.get(f"/products/imports/{started['import_id']}", token=admin_token).json

    again = catalog_import.handler(event, LambdaContext())

    assert again["results"][0]["status"] == "ignored"
    session.refresh(lamp)
    assert lamp.price_cents == 3999
    after = products_api.get(f"/products/imports/{started['import_id']}", token=admin_token).json
    assert after == before


def test_a_second_upload_to_the_same_url_changes_nothing_the_first_event_imports(
    s3, products_api, admin_token, session
):
    started = products_api.post("/products/imports", token=admin_token).json
    first = event_for_upload(s3, upload(started, CSV.encode()))
    second = event_for_upload(s3, upload(started, CSV.replace("Lamp", "Lantern").encode()))

    summaries = [catalog_import.handler(event, LambdaContext()) for event in (first, second)]

    assert [summary["results"][0]["status"] for summary in summaries] == ["done", "ignored"]
    assert (
        first["Records"][0]["s3"]["object"]["versionId"]
        != (second["Records"][0]["s3"]["object"]["versionId"])
    )
    assert session.scalar(select(Product.name).where(Product.sku == "LAMP-1")) == "Lamp"


def test_a_key_with_spaces_and_plus_signs_arrives_url_encoded_and_is_found(engine, s3, session):
    key = "imports/summer sale+2026 (v2).csv"
    session.add(ProductImport(id="7f1c9a52-3b7e-4d0e-8a4f-0c2d6e9b1a35", s3_key=key))
    session.commit()
    s3.put_object(
        Bucket=BUCKET,
        Key=key,
        Body=b"sku,name,description,category,price_cents,stock\nHAT-1,Hat,,,900,1\n",
    )
    event = event_for_upload(s3, key)
    assert event["Records"][0]["s3"]["object"]["key"] == "imports/summer+sale%2B2026+%28v2%29.csv"

    summary = catalog_import.handler(event, LambdaContext())

    assert summary["results"] == [
        {"key": key, "import_id": "7f1c9a52-3b7e-4d0e-8a4f-0c2d6e9b1a35", "status": "done"}
    ]
    assert session.scalar(select(Product.name).where(Product.sku == "HAT-1")) == "Hat"


def test_an_object_that_belongs_to_no_import_is_ignored(engine, s3, session):
    key = "imports/dropped-here-by-hand.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=CSV.encode())

    summary = catalog_import.handler(event_for_upload(s3, key), LambdaContext())

    assert summary == {"results": [{"key": key, "import_id": None, "status": "ignored"}]}
    assert session.scalars(select(Product)).all() == []


def test_s3_s_test_event_and_records_of_other_kinds_change_nothing(engine, s3):
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET}
    removed = object_created("imports/x.csv", size=0, etag="0")
    removed["Records"][0]["eventName"] = "ObjectRemoved:Delete"

    assert catalog_import.handler(test_event, LambdaContext()) == {"results": []}
    assert catalog_import.handler(removed, LambdaContext()) == {"results": []}


def test_customers_may_neither_start_nor_read_an_import(
    s3, products_api, admin_token, customer_token
):
    started = products_api.post("/products/imports", token=admin_token).json

    assert products_api.post("/products/imports", token=customer_token).status == 403
    read = products_api.get(f"/products/imports/{started['import_id']}", token=customer_token)
    assert read.status == 403
    assert products_api.post("/products/imports").status == 401


@pytest.mark.parametrize("import_id", ["0b8a1f6e-8d4c-4c4e-9d8e-2f1b6c3a9e71", "nope", "1" * 200])
def test_an_unknown_or_malformed_import_id_is_404(products_api, admin_token, import_id):
    reply = products_api.get(f"/products/imports/{import_id}", token=admin_token)

    assert reply.status == 404
    assert reply.header("Content-Type") == "application/problem+json"
