"""Migrations: the only way the schema is made, matching the models, safe to run at once."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from shared import db
from shared.migrations import upgrade
from shared.models import Base
from tests.concurrency import at_once


def test_the_migrated_schema_matches_the_models(database):
    with database.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_two_migrate_runs_at_once_on_postgresql_both_succeed(postgres_database):
    name = f"shop_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_database.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    fresh = db.build_engine(postgres_database.url.set(database=name))
    try:
        assert at_once(2, lambda _: upgrade(fresh)) == ["0005", "0005"]
    finally:
        fresh.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database(request, tmp_path):
    """A database of each kind with no schema yet, dropped afterwards."""
    if request.param == "sqlite":
        engine = db.build_engine(f"sqlite:///{tmp_path}/blank.db")
        yield engine
        engine.dispose()
        return
    base = request.getfixturevalue("postgres_database").url
    name = f"shop_blank_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = db.build_engine(base.set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_accounts_stored_before_normalization_get_the_normalized_address(blank_database):
    upgrade(blank_database, "0004")
    typed = {
        1: "ada@example.com",
        2: "u@xn--bcher-kva.example",
        3: "zoe\u0308@example.com",
        4: "twice@bücher.example",
        5: "twice@xn--bcher-kva.example",
    }
    with blank_database.begin() as connection:
        for user_id, email in typed.items():
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, role, is_active,"
                    " token_generation, created_at, updated_at) VALUES (:id, :email, 'N', 'h',"
                    " 'customer', true, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": user_id, "email": email},
            )

    assert upgrade(blank_database) == "0005"

    with blank_database.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, email FROM users ORDER BY id")).all())
    assert stored == {
        1: "ada@example.com",
        2: "u@bücher.example",
        3: "zoë@example.com",
        4: "twice@bücher.example",
        # One mailbox, two accounts: the later one is left for an operator.
        5: "twice@xn--bcher-kva.example",
    }
