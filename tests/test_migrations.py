"""Migrations: the only way the schema is made, matching the models, safe to run at once."""

from __future__ import annotations

import threading
import uuid

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from shared import db
from shared.migrations import upgrade
from shared.models import Base


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
    start = threading.Barrier(2)
    revisions: list[str | None] = []

    def migrate() -> None:
        start.wait()
        revisions.append(upgrade(fresh))

    try:
        runs = [threading.Thread(target=migrate) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        assert revisions == ["0004", "0004"]
    finally:
        fresh.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
