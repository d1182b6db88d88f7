"""Every function, as shipped, does its job from a cold start, and loads only what it uses.

Each test cold-starts functions from the unzipped artifacts (see conftest.py): a fresh
python3.12 process with only the function, the layer, the runtime's boto3 and the
standard library on its path, which must compile nothing and write nothing.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from alembic.script import ScriptDirectory

from scripts.lambda_runtime import Run
from shared.migrations import HERE as MIGRATIONS
from tests.apigw import EVENTS, api_event, reply_of
from tests.queues import receive_all, sqs_event
from tests.uploads import event_for_upload, upload

# What an HTTP function must not import at cold start unless its first request uses it:
# each costs milliseconds that every cold start of the function would pay.
HEAVY_AND_RARE = {
    "alembic": "only the migrate function changes the schema",
    "boto3": "only a request that calls AWS needs the SDK",
    "botocore": "only a request that calls AWS needs the SDK",
    "s3transfer": "only a request that calls AWS needs the SDK",
    "argon2": "only hashing or checking a password needs argon2",
    "email_validator": "only a request that validates an e-mail address needs it",
    "swagger_ui_bundle": "only the docs page's assets come from it",
    "shared.services.catalog_csv": "only catalog_import reads CSV files",
}
AWS_SDK = ("boto3", "botocore", "s3transfer")
CSV = "sku,name,description,category,price_cents,stock\r\nKITE-9,Kite,,toys,1999,4\r\n"


def loaded_but_unused(run: Run, *, used: tuple[str, ...] = ()) -> list[str]:
    """The heavy, rarely needed modules that the cold start loaded, beyond those `used`."""
    return sorted(
        f"{module} ({HEAVY_AND_RARE[heavy]})"
        for module in run.cold_start_modules()
        for heavy in HEAVY_AND_RARE.keys() - set(used)
        if module == heavy or module.startswith(heavy + ".")
    )


def test_migrate_brings_a_new_database_to_the_newest_revision(shop):
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert shop.setup["migrate"].response == {"status": "ok", "revision": head}


def test_manage_creates_an_admin_and_seeds_the_demo_catalogue(shop, accounts):
    created, seeded = (step.response for step in shop.setup["manage"].steps)
    assert created["status"] == "created"
    assert created["email"] == accounts.admin["email"]
    assert seeded["status"] == "ok"
    assert seeded["created"] > 20


def test_meta_answers_health_its_openapi_document_and_the_docs_page(shop):
    run = shop.cold_start(
        "meta",
        api_event("GET", "/health"),
        api_event("GET", "/openapi.json"),
        api_event("GET", "/docs"),
    )
    health, document, docs = (reply_of(step.response) for step in run.steps)
    assert (health.status, health.json) == (200, {"status": "ok", "database": "ok"})
    assert document.status == 200
    assert {"/auth/login", "/users", "/products", "/orders"} <= set(document.json["paths"])
    assert docs.status == 200
    assert "swagger-ui-bundle.js" in docs.text
    # The page names Swagger UI's files by the digest of their content, so it reads them.
    assert loaded_but_unused(run, used=("swagger_ui_bundle",)) == []


def test_auth_registers_a_customer_who_logs_in_and_the_admin_too(accounts):
    registered, customer, admin = (reply_of(step.response) for step in accounts.run.steps)
    assert registered.json["email"] == accounts.customer["email"]
    assert {customer.status, admin.status} == {200}
    # Registering hashes a password and validates an address: both are used.
    assert loaded_but_unused(accounts.run, used=("argon2", "email_validator")) == []


def test_auth_tells_a_customer_who_they_are_without_argon2_or_email_validator(shop, accounts):
    run = shop.cold_start("auth", api_event("GET", "/auth/me", token=accounts.customer_token))
    me = reply_of(run.response)
    assert me.status == 200
    assert (me.json["email"], me.json["role"]) == (accounts.customer["email"], "customer")
    assert loaded_but_unused(run) == []


def test_users_lists_every_account_to_an_admin(shop, accounts):
    run = shop.cold_start("users", api_event("GET", "/users", token=accounts.admin_token))
    page = reply_of(run.response)
    assert page.status == 200
    emails = {user["email"] for user in page.json["items"]}
    assert emails == {accounts.admin["email"], accounts.customer["email"]}
    assert loaded_but_unused(run) == []


def test_products_lists_the_demo_catalogue_without_the_csv_import_machinery(shop):
    run = shop.cold_start("products", api_event("GET", "/products", query={"limit": 20}))
    page = reply_of(run.response)
    assert page.status == 200
    assert len(page.json["items"]) == 20
    assert loaded_but_unused(run) == []


@pytest.fixture(scope="module")
def order(shop, accounts, aws) -> SimpleNamespace:
    """A customer's order of two demo products, placed and listed by the orders function,
    and the messages it published to the orders queue."""
    token = accounts.customer_token
    listing = shop.cold_start("products", api_event("GET", "/products", query={"in_stock": "true"}))
    first, second = reply_of(listing.response).json["items"][:2]
    items = [
        {"product_id": first["id"], "quantity": 2},
        {"product_id": second["id"], "quantity": 1},
    ]
    run = shop.cold_start(
        "orders",
        api_event("POST", "/orders", json_body={"items": items}, token=token),
        api_event("GET", "/orders", token=token),
    )
    return SimpleNamespace(run=run, published=receive_all(aws.sqs, aws.queue_url))


def test_orders_places_an_order_publishes_its_event_and_lists_it(order):
    placed, listed = (reply_of(step.response) for step in order.run.steps)
    assert placed.status == 201, placed.text
    assert listed.status == 200
    assert [listed_order["id"] for listed_order in listed.json["items"]] == [placed.json["id"]]
    published = [json.loads(body) for body in order.published]
    assert [event["order_id"] for event in published] == [placed.json["id"]]
    # Publishing the order's event to the queue is a real use of the AWS SDK.
    assert loaded_but_unused(order.run, used=AWS_SDK) == []


def test_orders_lists_a_customers_orders_without_loading_the_aws_sdk(shop, accounts, order):
    run = shop.cold_start("orders", api_event("GET", "/orders", token=accounts.customer_token))
    assert len(reply_of(run.response).json["items"]) == 1
    assert loaded_but_unused(run) == []


def test_order_events_confirms_the_order_it_is_delivered_and_mails_the_customer(
    shop, accounts, aws, order
):
    order_id = reply_of(order.run.steps[0].response).json["id"]
    mails_before = aws.ses.get_send_quota()["SentLast24Hours"]

    run = shop.cold_start("order_events", sqs_event(order.published))

    assert run.response == {"batchItemFailures": []}
    assert aws.ses.get_send_quota()["SentLast24Hours"] == mails_before + 1
    confirmed = shop.cold_start(
        "orders", api_event("GET", f"/orders/{order_id}", token=accounts.customer_token)
    )
    assert reply_of(confirmed.response).json["status"] == "confirmed"


def test_catalog_import_imports_a_csv_file_uploaded_to_the_bucket(shop, accounts, aws):
    started = shop.cold_start(
        "products", api_event("POST", "/products/imports", token=accounts.admin_token)
    )
    upload_to = reply_of(started.response).json
    key = upload(upload_to, CSV.encode(), bucket=aws.bucket)

    run = shop.cold_start("catalog_import", event_for_upload(aws.s3, key, bucket=aws.bucket))

    assert run.response == {
        "results": [{"key": key, "import_id": upload_to["import_id"], "status": "done"}]
    }


def test_housekeeping_does_its_chores_when_the_schedule_fires(shop):
    schedule = json.loads((EVENTS / "schedule.json").read_text())
    run = shop.cold_start("housekeeping", schedule)
    # A count of what each chore did, the outbox and abandoned orders among them.
    assert {"resend_unsent_events", "cancel_abandoned_orders"} <= set(run.response)
    assert all(isinstance(count, int) and count >= 0 for count in run.response.values())
