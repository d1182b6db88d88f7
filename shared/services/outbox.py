"""The outbox: events written with the changes they announce, sent to the orders queue once."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import Row, select, text, update
from sqlalchemy.orm import Session

from shared import aws
from shared.config import settings
from shared.deadline import NEVER, Deadline
from shared.log import logger
from shared.models import Order, OutboxEvent
from shared.models.base import utcnow

BATCH = 100


def add_order_placed(session: Session, order: Order) -> str:
    """Write the order.placed event to the outbox, in the order's transaction; its id.

    Does not commit: the event is committed with the order, or not at all.
    """
    # pydantic only here: housekeeping cancels orders and never loads it at cold start.
    from shared.schemas.base import utc_text
    from shared.schemas.orders import OrderPlaced

    message = OrderPlaced(
        type="order.placed",
        event_id=str(uuid.uuid4()),
        order_id=order.id,
        occurred_at=utc_text(order.created_at),
    )
    session.add(
        OutboxEvent(
            id=message.event_id, type=message.type, order_id=order.id, body=message.model_dump()
        )
    )
    session.flush()
    return message.event_id


def publish(
    session: Session,
    *,
    event_ids: list[str] | None = None,
    limit: int = BATCH,
    retries: int = aws.RETRIES,
    timeout: float | None = None,
    deadline: Deadline = NEVER,
) -> int:
    """Send unsent events (these, or the oldest `limit`) to the queue, and commit; how many.

    One UPDATE claims the events (marks them sent, skipping rows another publisher holds)
    and keeps them locked until COMMIT, so a placement and a housekeeping run, or two
    housekeeping runs, never send one event twice. A queue that cannot be reached or does
    not answer (each send bounded by `retries` and by AWS_CALL_TIMEOUT or a shorter
    `timeout`, as `aws.client` says), or a `deadline` that passes, stops the batch: what
    was not sent is marked unsent again before COMMIT, for later.
    """
    queue_url = settings().orders_queue_url
    if not queue_url:
        logger.warning("ORDERS_QUEUE_URL is not set: events stay in the outbox")
        return 0
    claimed = _claim(session, event_ids=event_ids, limit=limit)
    sent = _send(claimed, queue_url, retries=retries, timeout=timeout, deadline=deadline)
    if sent < len(claimed):
        _unclaim(session, [row.id for row in claimed[sent:]])
    session.commit()
    return sent


def _claim(session: Session, *, event_ids: list[str] | None, limit: int) -> list[Row]:
    """Mark unsent events sent and lock them; their ids and bodies, oldest first."""
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
    return claimed


def _send(
    claimed: list[Row], queue_url: str, *, retries: int, timeout: float | None, deadline: Deadline
) -> int:
    """Send the events in order until one fails or time is up; how many went out."""
    sent = 0
    for row in claimed:
        if deadline.passed():
            logger.info("out of time: events left for the next run", unsent=len(claimed) - sent)
            break
        try:
            aws.client("sqs", retries=retries, timeout=timeout).send_message(
                QueueUrl=queue_url, MessageBody=json.dumps(row.body)
            )
        except Exception as error:  # any failure of the queue: keep the rest for later
            logger.warning("event not sent", event_id=row.id, error_type=type(error).__name__)
            break
        sent += 1
    return sent


def _unclaim(session: Session, event_ids: list[str]) -> None:
    session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(event_ids))
        .values(sent_at=None)
        .execution_options(synchronize_session=False)
    )
