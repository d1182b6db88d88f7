"""Refresh-token rotation under real parallel clients on PostgreSQL."""

from __future__ import annotations

import threading

from shared import db
from tests import factories
from tests.apigw import Client


def test_one_refresh_token_presented_eight_times_at_once_is_rotated_only_once(postgres):
    from handlers.auth import handler

    api = Client(handler)
    with db.session_scope() as session:
        pair = factories.tokens_for(session, factories.customer(session))
    start = threading.Barrier(8)
    statuses: list[int] = []

    def present() -> None:
        start.wait()
        reply = api.post("/auth/refresh", {"refresh_token": pair["refresh_token"]})
        statuses.append(reply.status)

    clients = [threading.Thread(target=present) for _ in range(8)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()

    assert sorted(statuses) == [200] + [401] * 7
