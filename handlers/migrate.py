"""migrate function: bring the database schema to the newest migration."""

from __future__ import annotations

from handlers import init_done
from shared import db
from shared.log import logger
from shared.migrations import upgrade


def handler(event: dict | None, context: object) -> dict:
    revision = upgrade(db.engine())
    logger.info("schema migrated", revision=revision)
    return {"status": "ok", "revision": revision}


init_done()  # last: everything above lives as long as the container
