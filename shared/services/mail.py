"""E-mails to customers, sent through SES."""

from __future__ import annotations

from shared import aws, metrics
from shared.config import settings
from shared.emails import mail_address
from shared.models import Order, User


def order_confirmation(order: Order, user: User) -> dict:
    """The confirmation e-mail of `order`, as SES's send_email arguments."""
    lines = "\n".join(
        f"  {line.quantity} x {line.name} ({line.sku}): {_money(line.line_total_cents)}"
        for line in order.items
    )
    body = (
        f"Hello {user.name},\n\nyour order {order.id} is confirmed:\n\n{lines}\n\n"
        f"Total: {_money(order.total_cents)}\n\nThank you for shopping with us.\n"
    )
    return {
        "Source": settings().mail_from,
        "Destination": {"ToAddresses": [mail_address(user.email)]},
        "Message": {
            "Subject": {"Data": f"Your order {order.id} is confirmed", "Charset": "UTF-8"},
            "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
        },
    }


def send(message: dict) -> str:
    """Send through SES; returns its message id. Failures propagate to the caller.

    One attempt, bounded by AWS_CALL_TIMEOUT. SendEmail is not idempotent: an attempt
    whose answer was lost may have sent the mail all the same, and each botocore retry
    could send one more. So the consumer's record fails instead, and the queue's
    redelivery, minutes later, is the retry: at most one mail per delivery.
    """
    message_id = aws.client("ses", retries=0).send_email(**message)["MessageId"]
    metrics.count(metrics.EMAILS_SENT)
    return message_id


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
