"""Publishing the outbox: events written with their changes, sent to the orders queue once."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.aws import client
from shared.config import settings
from shared.log import logger
from shared.models import OutboxEvent
from shared.models.base import utcnow

BATCH = 100


def publish(session: Session, *, event_ids: list[str] | None = None, limit: int = BATCH) -> int:
    """Send unsent events (these, or the oldest `limit`) to the queue; returns how many.

    Each event row stays locked (FOR UPDATE SKIP LOCKED) from reading to marking it sent, so
    a placement and a housekeeping run, or two housekeeping runs, never send one event twice.
    A queue that cannot be reached stops the batch: what was not sent stays for later.
    """
    queue_url = settings().orders_queue_url
    if not queue_url:
        logger.warning("ORDERS_QUEUE_URL is not set: events stay in the outbox")
        return 0
    statement = (
        select(OutboxEvent)
        .where(OutboxEvent.sent_at.is_(None))
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if event_ids is not None:
        statement = statement.where(OutboxEvent.id.in_(event_ids))
    sent = 0
    for event in session.scalars(statement).all():
        try:
            client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(event.body))
        except Exception as error:  # any failure of the queue: keep the event for later
            logger.warning("event not sent", event_id=event.id, error_type=type(error).__name__)
            break
        event.sent_at = utcnow()
        sent += 1
    session.commit()
    return sent
