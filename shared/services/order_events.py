"""Consuming order.placed: confirm the order and e-mail the customer, once per event.

Delivery is at least once, so the effect is made exactly once in the database: the
event id is claimed in processed_events, the order confirmed and the e-mail sent in one
transaction. A second delivery finds the claim and does nothing; a concurrent one waits
on the claim's unique key and then does nothing; an SES failure rolls the claim back, so
the redelivery tries again. (Only a crash between SES accepting the mail and the commit
could send it twice: the unavoidable window of any non-transactional side effect.)
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.log import logger
from shared.models import Order, ProcessedEvent, User
from shared.schemas.orders import OrderPlaced
from shared.services import mail, orders


def handle_order_placed(session: Session, event: OrderPlaced) -> str:
    """Apply one order.placed event, and commit; returns what happened, for the logs."""
    try:
        session.execute(insert(ProcessedEvent).values(event_id=event.event_id))
        session.flush()
    except IntegrityError:
        session.rollback()
        return "duplicate"
    if not orders.confirm_order(session, event.order_id):
        # Cancelled (or otherwise past pending) before the event arrived: nothing to confirm,
        # no mail; the claim is kept so redeliveries stop here too.
        session.commit()
        return "not pending"
    order = session.get(Order, event.order_id)
    user = session.get(User, order.user_id)
    message_id = mail.send(mail.order_confirmation(order, user))
    session.commit()
    logger.info("order confirmed", order_id=order.id, event_id=event.event_id, mail=message_id)
    return "confirmed"
