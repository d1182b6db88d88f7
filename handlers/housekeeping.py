"""housekeeping function: every 5 minutes, the shop's bounded chores."""

from __future__ import annotations

from handlers import init_done
from shared import db, deadline, metrics
from shared.config import settings
from shared.log import logger
from shared.services import housekeeping

settings()


@metrics.flushed
def handler(event: dict | None, context: object) -> dict:
    # Every chore stops starting work once too little time is left; the rest waits for
    # the next run, five minutes later.
    time_left = deadline.of_invocation(context)
    results = {}
    for chore in (
        housekeeping.resend_unsent_events,
        housekeeping.cancel_abandoned_orders,
        housekeeping.delete_expired_refresh_tokens,
        housekeeping.delete_ended_rate_limit_windows,
        housekeeping.end_stalled_imports,
    ):
        with db.session_scope() as session:
            results[chore.__name__] = chore(session, deadline=time_left)
    logger.info("housekeeping done", **results)
    return results


init_done()  # last: everything above lives as long as the container
