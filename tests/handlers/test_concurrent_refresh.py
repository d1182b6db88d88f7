"""Refresh-token rotation under real parallel clients on PostgreSQL."""

from __future__ import annotations

from shared import db
from tests import factories
from tests.apigw import Client
from tests.concurrency import at_once


def test_one_refresh_token_presented_eight_times_at_once_is_rotated_only_once(postgres):
    from handlers.auth import handler

    api = Client(handler)
    with db.session_scope() as session:
        pair = factories.tokens_for(session, factories.customer(session))
    statuses = at_once(
        8, lambda _: api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}).status
    )

    assert sorted(statuses) == [200] + [401] * 7
