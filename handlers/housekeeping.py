"""housekeeping function: every 5 minutes, the shop's bounded chores."""

from __future__ import annotations

from shared import db
from shared.config import settings
from shared.log import logger
from shared.services import housekeeping

settings()


def handler(event: dict | None, context: object) -> dict:
    results = {}
    for chore in (
        housekeeping.resend_unsent_events,
        housekeeping.cancel_abandoned_orders,
        housekeeping.delete_expired_refresh_tokens,
        housekeeping.delete_ended_rate_limit_windows,
    ):
        with db.session_scope() as session:
            results[chore.__name__] = chore(session)
    logger.info("housekeeping done", **results)
    return results
