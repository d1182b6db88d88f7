"""Alembic migrations of the shop's schema; `upgrade()` is what the migrate function runs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

HERE = Path(__file__).resolve().parent
# Any fixed number: every migrate run on PostgreSQL takes this advisory lock, so two
# concurrent runs apply each revision once instead of racing.
ADVISORY_LOCK_ID = 7_310_001


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to `revision`; safe to run twice, or twice at once. Returns the head."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(HERE))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return MigrationContext.configure(connection).get_current_revision()
