"""The scheduled chores: each bounded per run and safe to run concurrently with itself.

Each takes the run's `deadline` and leaves what it has not started once it passes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared import metrics
from shared.config import settings
from shared.deadline import NEVER, Deadline
from shared.errors import Conflict
from shared.models import Order, RefreshToken
from shared.models.base import utcnow
from shared.services import imports, orders, outbox, rate_limits

MAX_BATCHES = 20
BATCH = 100


def resend_unsent_events(session: Session, *, deadline: Deadline = NEVER) -> int:
    """Send every unsent outbox event, oldest first, whatever its age; commits each batch."""
    total = 0
    for _ in range(MAX_BATCHES):
        if deadline.passed():
            break
        sent = outbox.publish(session, limit=BATCH, deadline=deadline)
        total += sent
        if sent < BATCH:
            break
    return total


def cancel_abandoned_orders(session: Session, *, deadline: Deadline = NEVER) -> int:
    """Cancel orders pending for longer than PENDING_ORDER_TTL, releasing their stock.

    Commits each order's cancellation on its own.
    """
    cutoff = utcnow() - timedelta(seconds=settings().pending_order_ttl)
    ids = session.scalars(
        select(Order.id)
        .where(Order.status == "pending", Order.created_at < cutoff)
        .order_by(Order.created_at)
        .limit(BATCH * MAX_BATCHES)
    ).all()
    session.rollback()
    cancelled = 0
    for order_id in ids:
        if deadline.passed():
            break
        try:
            # Only from pending: an order the consumer confirmed meanwhile stays confirmed.
            orders.cancel_order(session, order_id, viewer=None, from_statuses=("pending",))
            cancelled += 1
            # Counted one by one: a run that fails later has still cancelled these.
            metrics.count(metrics.ORDERS_CANCELLED)
        except Conflict:
            pass  # confirmed or cancelled meanwhile: the other transition won
    return cancelled


def delete_expired_refresh_tokens(session: Session, *, deadline: Deadline = NEVER) -> int:
    """Delete, and commit, a batch of refresh tokens past their expiry; how many."""
    if deadline.passed():
        return 0
    expired = (
        select(RefreshToken.id)
        .where(RefreshToken.expires_at < utcnow())
        .limit(BATCH * MAX_BATCHES)
        .scalar_subquery()
    )
    deleted = session.execute(
        delete(RefreshToken)
        .where(RefreshToken.id.in_(expired))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return deleted


def delete_ended_rate_limit_windows(session: Session, *, deadline: Deadline = NEVER) -> int:
    """Delete counters whose window has ended, and commit; how many.

    The next attempt after a window starts a new one anyway.
    """
    if deadline.passed():
        return 0
    deleted = rate_limits.delete_ended_windows(session, at_most=BATCH * MAX_BATCHES)
    session.commit()
    return deleted


def end_stalled_imports(session: Session, *, deadline: Deadline = NEVER) -> int:
    """End as failed, and commit, the CSV imports whose runs crashed or were not retried."""
    if deadline.passed():
        return 0
    return imports.end_stalled(session)
