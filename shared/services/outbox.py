"""Publishing the outbox: events written with their changes, sent to the orders queue once."""

from __future__ import annotations

import json

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from shared import aws
from shared.config import settings
from shared.deadline import NEVER, Deadline
from shared.log import logger
from shared.models import OutboxEvent
from shared.models.base import utcnow

BATCH = 100


def publish(
    session: Session,
    *,
    event_ids: list[str] | None = None,
    limit: int = BATCH,
    retries: int = aws.RETRIES,
    deadline: Deadline = NEVER,
) -> int:
    """Send unsent events (these, or the oldest `limit`) to the queue, and commit; how many.

    One UPDATE claims the events (marks them sent, skipping rows another publisher holds)
    and keeps them locked until COMMIT, so a placement and a housekeeping run, or two
    housekeeping runs, never send one event twice. A queue that cannot be reached or does
    not answer (each send bounded by AWS_CALL_TIMEOUT and `retries`), or a `deadline`
    that passes, stops the batch: what was not sent is marked unsent again before
    COMMIT, for later.
    """
    queue_url = settings().orders_queue_url
    if not queue_url:
        logger.warning("ORDERS_QUEUE_URL is not set: events stay in the outbox")
        return 0
    unsent = (
        select(OutboxEvent.id)
        .where(OutboxEvent.sent_at.is_(None))
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if event_ids is not None:
        unsent = unsent.where(OutboxEvent.id.in_(event_ids))
    if session.get_bind().dialect.name == "postgresql":
        # Losing the "sent" mark in a crash only means one more send, which the consumer
        # ignores; not waiting for the WAL flush keeps the publish step cheap.
        session.execute(text("SET LOCAL synchronous_commit = off"))
    claimed = session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(unsent.scalar_subquery()))
        .values(sent_at=utcnow())
        .returning(OutboxEvent.id, OutboxEvent.created_at, OutboxEvent.body)
        .execution_options(synchronize_session=False)
    ).all()
    claimed.sort(key=lambda row: (row.created_at, row.id))
    sent = 0
    for row in claimed:
        if deadline.passed():
            logger.info("out of time: events left for the next run", unsent=len(claimed) - sent)
            break
        try:
            aws.client("sqs", retries=retries).send_message(
                QueueUrl=queue_url, MessageBody=json.dumps(row.body)
            )
        except Exception as error:  # any failure of the queue: keep the rest for later
            logger.warning("event not sent", event_id=row.id, error_type=type(error).__name__)
            break
        sent += 1
    if sent < len(claimed):
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([row.id for row in claimed[sent:]]))
            .values(sent_at=None)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return sent
