"""Each business event is counted once, in the invocation that made it happen.

What an operator graphs and alarms on (README, "Operating it"): orders placed, confirmed
and cancelled, e-mails sent, CSV rows imported, failed and throttled logins.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from handlers import catalog_import
from shared.models import Order, Product, ProductImport
from shared.models.base import utcnow
from shared.services import import_rows
from tests import factories, queues
from tests.apigw import Client, LambdaContext
from tests.uploads import BUCKET, event_for_upload, object_created

CSV_HEADER = "sku,name,description,category,price_cents,stock\n"


@pytest.fixture
def orders_api(engine, aws_world) -> Client:
    from handlers.orders import handler

    return Client(handler)


def place(api: Client, customer_token: str, product: Product, **headers: str) -> dict:
    reply = api.post(
        "/orders",
        {"items": [{"product_id": product.id, "quantity": 1}]},
        token=customer_token,
        headers=headers,
    )
    assert reply.status == 201, reply.text
    return reply.json


def housekeeping() -> dict:
    from handlers.housekeeping import handler

    return handler({}, None)


def test_placing_an_order_counts_one_order_placed_and_its_replay_none(
    orders_api, customer_token, mug, written_metrics
):
    place(orders_api, customer_token, mug, **{"Idempotency-Key": "k-1"})
    place(orders_api, customer_token, mug, **{"Idempotency-Key": "k-1"})

    assert written_metrics.counts() == [{"OrdersPlaced": 1}]


def test_an_order_whose_reply_then_fails_is_counted_all_the_same(
    orders_api, customer_token, mug, written_metrics, monkeypatch
):
    from handlers import orders

    def queue_client_breaks(event_id: str) -> None:
        raise RuntimeError("a bug after the order was committed")

    monkeypatch.setattr(orders, "_publish_now", queue_client_breaks)

    reply = orders_api.post(
        "/orders", {"items": [{"product_id": mug.id, "quantity": 1}]}, token=customer_token
    )

    assert reply.status == 500
    assert written_metrics.totals() == {"OrdersPlaced": 1}


def test_a_cancel_counts_one_cancelled_order_and_a_refused_cancel_none(
    orders_api, customer_token, mug, written_metrics
):
    order = place(orders_api, customer_token, mug)

    assert orders_api.post(f"/orders/{order['id']}/cancel", token=customer_token).status == 200
    assert orders_api.post(f"/orders/{order['id']}/cancel", token=customer_token).status == 409

    assert written_metrics.totals() == {"OrdersPlaced": 1, "OrdersCancelled": 1}


def test_the_event_that_confirms_an_order_counts_it_and_its_e_mail_once(
    orders_api, customer_token, mug, aws_world, written_metrics
):
    place(orders_api, customer_token, mug)
    [body] = queues.receive_all(aws_world.sqs, aws_world.queue_url)

    queues.deliver([body])
    queues.deliver([body])

    assert written_metrics.counts() == [
        {"OrdersPlaced": 1},
        {"OrdersConfirmed": 1, "EmailsSent": 1},
    ]


def test_housekeeping_counts_each_abandoned_order_it_cancels(
    orders_api, customer_token, mug, session, written_metrics
):
    for _ in range(2):
        place(orders_api, customer_token, mug)
    session.execute(update(Order).values(created_at=utcnow() - timedelta(minutes=31)))
    session.commit()

    assert housekeeping()["cancel_abandoned_orders"] == 2
    assert housekeeping()["cancel_abandoned_orders"] == 0

    assert written_metrics.totals() == {"OrdersPlaced": 2, "OrdersCancelled": 2}


def import_file(session, s3, key: str, content: str) -> dict:
    """Run catalog_import on `content`, uploaded as the file of a new import."""
    session.add(ProductImport(id=f"00000000-0000-4000-8000-{len(key):012d}", s3_key=key))
    session.commit()
    s3.put_object(Bucket=BUCKET, Key=key, Body=content.encode())
    return catalog_import.handler(event_for_upload(s3, key), LambdaContext())


def test_an_import_counts_the_rows_it_created_updated_and_rejected(
    engine, s3, session, written_metrics
):
    import_file(session, s3, "imports/a.csv", CSV_HEADER + "MUG-1,Mug,,,1250,10\nMUG-2,Mug,,,x,1\n")
    import_file(
        session, s3, "imports/bb.csv", CSV_HEADER + "MUG-1,Mug,,,1300,10\nLAMP-1,Lamp,,,4500,2\n"
    )

    assert written_metrics.totals() == {
        "ImportRowsCreated": 2,
        "ImportRowsUpdated": 1,
        "ImportRowsRejected": 1,
    }
    assert len(written_metrics.lines()) == 2


def test_every_rejected_row_is_counted_whether_its_report_lists_it_or_not(
    engine, s3, session, written_metrics, monkeypatch
):
    monkeypatch.setattr(import_rows, "LISTED_REJECTIONS", 1)

    import_file(session, s3, "imports/a.csv", CSV_HEADER + "A,A,,,x,1\nB,B,,,x,1\nC,C,,,x,1\n")

    assert written_metrics.totals()["ImportRowsRejected"] == 3


def test_an_import_whose_file_is_gone_counts_one_failed_import(
    engine, s3, session, written_metrics
):
    key = "imports/gone.csv"
    session.add(ProductImport(id="7f1c9a52-3b7e-4d0e-8a4f-0c2d6e9b1a35", s3_key=key))
    session.commit()

    summary = catalog_import.handler(object_created(key, size=10, etag="e"), LambdaContext())

    assert summary["results"][0]["status"] == "failed"
    assert written_metrics.totals() == {"ImportsFailed": 1}


def test_a_wrong_password_counts_a_failed_login_and_a_locked_address_a_throttled_one(
    auth_api, session, written_metrics
):
    ada = factories.customer(session, email="ada@example.com")
    attempt = {"email": ada.email, "password": "not the password"}

    answers = [auth_api.post("/auth/login", attempt).status for _ in range(11)]

    assert answers == [401] * 10 + [429]
    assert written_metrics.totals() == {"LoginsFailed": 10, "LoginsThrottled": 1}
    assert len(written_metrics.lines()) == 11


def test_a_successful_login_counts_nothing(auth_api, session, written_metrics):
    ada = factories.customer(session, email="ada@example.com")

    reply = auth_api.post("/auth/login", {"email": ada.email, "password": factories.PASSWORD})

    assert reply.status == 200
    assert written_metrics.lines() == []


def test_a_registration_past_the_clients_limit_counts_a_throttled_registration(
    auth_api, written_metrics
):
    answers = [
        auth_api.post(
            "/auth/register",
            {"email": f"new{n}@example.com", "password": "a long password", "name": "New"},
        ).status
        for n in range(21)
    ]

    assert answers == [201] * 20 + [429]
    assert written_metrics.totals() == {"RegistrationsThrottled": 1}
