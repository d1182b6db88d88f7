"""Failed logins and new accounts are throttled per address and per client, through API Gateway."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update

from shared import db
from shared.models import RateLimit
from shared.models.base import utcnow
from shared.services import passwords
from tests import factories
from tests.apigw import Client
from tests.concurrency import at_once

PASSWORD = factories.PASSWORD
WRONG = "not the password"


def client_at(source_ip: str) -> Client:
    """A client whose requests reach API Gateway from `source_ip`."""
    from handlers.auth import handler

    def from_source(event: dict, context: object) -> dict:
        event["requestContext"]["http"]["sourceIp"] = source_ip
        return handler(event, context)

    return Client(from_source)


@pytest.fixture
def api(engine) -> Client:
    return client_at("198.51.100.7")


@pytest.fixture
def ada(session) -> str:
    return factories.customer(session, email="ada@example.com").email


def log_in(api: Client, email: str, password: str):
    return api.post("/auth/login", {"email": email, "password": password})


def fail_logins(api: Client, email: str, times: int) -> list[int]:
    return [log_in(api, email, WRONG).status for _ in range(times)]


def windows_pass(session) -> None:
    """Every counter's window began just over an hour ago, longer than any limit's window."""
    session.execute(
        update(RateLimit).values(window_started_at=utcnow() - timedelta(hours=1, seconds=1))
    )
    session.commit()


def assert_throttled(reply, *, at_most_seconds: int) -> None:
    assert reply.status == 429
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.json["status"] == 429
    assert 1 <= int(reply.header("Retry-After")) <= at_most_seconds


def test_ten_wrong_passwords_lock_the_address_even_for_the_right_password(api, ada):
    assert fail_logins(api, ada, 10) == [401] * 10

    reply = log_in(api, ada, PASSWORD)

    assert_throttled(reply, at_most_seconds=15 * 60)
    assert "access_token" not in reply.text


def test_an_unknown_address_gets_the_same_answers_as_a_known_one(api, ada):
    known = [log_in(api, ada, WRONG) for _ in range(11)]
    unknown = [log_in(api, "nobody@example.com", WRONG) for _ in range(11)]

    assert [r.status for r in known] == [r.status for r in unknown] == [401] * 10 + [429]
    assert [r.json["detail"] for r in known] == [r.json["detail"] for r in unknown]
    assert known[-1].header("Retry-After") is not None
    assert unknown[-1].header("Retry-After") is not None


def test_a_throttled_login_costs_no_password_check(api, ada, monkeypatch):
    fail_logins(api, ada, 10)
    checked = []
    real_verify = passwords.verify_password
    monkeypatch.setattr(
        passwords, "verify_password", lambda h, p: checked.append(h) or real_verify(h, p)
    )

    assert log_in(api, ada, PASSWORD).status == 429
    assert log_in(api, "nobody@example.com", PASSWORD).status == 401
    assert len(checked) == 1  # the unknown address only, which is not throttled yet


def test_the_right_password_works_again_once_the_window_has_passed(api, ada, session):
    fail_logins(api, ada, 10)
    assert log_in(api, ada, PASSWORD).status == 429

    windows_pass(session)

    assert log_in(api, ada, PASSWORD).status == 200
    assert fail_logins(api, ada, 10) == [401] * 10


def test_successful_logins_do_not_count_as_failures(api, ada):
    assert [log_in(api, ada, PASSWORD).status for _ in range(15)] == [200] * 15

    assert fail_logins(api, ada, 10) == [401] * 10
    assert log_in(api, ada, PASSWORD).status == 429


def test_a_success_does_not_wipe_the_failures_before_it(api, ada):
    fail_logins(api, ada, 9)
    assert log_in(api, ada, PASSWORD).status == 200

    assert fail_logins(api, ada, 2) == [401, 429]


def test_an_address_failing_from_many_clients_is_throttled_for_all_of_them(engine, ada):
    for client in range(10):
        assert fail_logins(client_at(f"192.0.2.{client}"), ada, 1) == [401]

    assert log_in(client_at("192.0.2.99"), ada, PASSWORD).status == 429


def test_a_client_failing_100_logins_is_throttled_for_every_address(api, ada):
    for stranger in range(100):
        assert fail_logins(api, f"stranger{stranger}@example.com", 1) == [401]

    assert_throttled(log_in(api, ada, PASSWORD), at_most_seconds=15 * 60)
    assert log_in(client_at("192.0.2.1"), ada, PASSWORD).status == 200


def test_a_client_registers_at_most_20_accounts_an_hour(api, session):
    def register(client: Client, number: int):
        body = {"email": f"new{number}@example.com", "password": PASSWORD, "name": "New"}
        return client.post("/auth/register", body)

    assert [register(api, n).status for n in range(20)] == [201] * 20

    assert_throttled(register(api, 20), at_most_seconds=60 * 60)
    assert register(client_at("192.0.2.1"), 21).status == 201
    windows_pass(session)
    assert register(api, 20).status == 201


def test_registering_a_taken_address_does_not_use_up_the_limit(api, ada):
    taken = {"email": ada, "password": PASSWORD, "name": "Ada again"}
    assert [api.post("/auth/register", taken).status for _ in range(25)] == [409] * 25

    fresh = {"email": "new@example.com", "password": PASSWORD, "name": "New"}
    assert api.post("/auth/register", fresh).status == 201


def test_an_address_as_long_as_the_field_allows_is_counted_like_any_other(api):
    longest = "a" * 64 + "@" + "b" * 251 + ".com"  # 320 characters, the field's maximum

    assert fail_logins(api, longest, 11) == [401] * 10 + [429]


def test_answers_that_carry_tokens_are_not_stored_by_caches(api, ada):
    login = log_in(api, ada, PASSWORD)
    refreshed = api.post("/auth/refresh", {"refresh_token": login.json["refresh_token"]})

    assert login.status == refreshed.status == 200
    assert login.header("Cache-Control") == refreshed.header("Cache-Control") == "no-store"


def test_thirty_simultaneous_wrong_passwords_are_checked_at_most_ten_times(postgres, monkeypatch):
    with db.session_scope() as session:
        email = factories.customer(session).email
    api = client_at("198.51.100.7")
    checked = []
    real_verify = passwords.verify_password
    monkeypatch.setattr(
        passwords, "verify_password", lambda h, p: checked.append(h) or real_verify(h, p)
    )
    statuses = at_once(30, lambda _: log_in(api, email, WRONG).status)

    assert Counter(statuses) == {401: 10, 429: 20}
    assert len(checked) == 10
    assert log_in(api, email, PASSWORD).status == 429
