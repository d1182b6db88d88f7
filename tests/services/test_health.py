"""Whether the shop's database answers: yes or no, never an error."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine

from shared import db
from shared.services import health


@pytest.fixture
def database_at(engine) -> Iterator[Callable[[str], None]]:
    """Points the shop at the database of a URL until the test ends."""
    yield lambda url: db.use_engine(create_engine(url))
    db.use_engine(engine)


def test_a_database_that_answers_is_ok_and_gets_its_connection_back(engine):
    assert health.database_ok() is True

    assert engine.pool.checkedout() == 0


def test_a_database_server_that_refuses_connections_is_not_ok(database_at):
    database_at("postgresql+pg8000://nobody@127.0.0.1:9/none")

    assert health.database_ok() is False


def test_a_database_file_that_cannot_be_opened_is_not_ok(database_at, tmp_path):
    database_at(f"sqlite:///{tmp_path}/no such folder/shop.db")

    assert health.database_ok() is False
