"""The orders queue as Lambda's SQS trigger sees it: receive messages, hand them over as a batch."""

from __future__ import annotations

import copy
import json

from tests.apigw import EVENTS, LambdaContext

RECORD = json.loads((EVENTS / "sqs_record.json").read_text())


def sqs_event(bodies: list[str], *, receive_count: int = 1) -> dict:
    records = []
    for number, body in enumerate(bodies):
        record = copy.deepcopy(RECORD)
        record["messageId"] = f"message-{number}"
        record["body"] = body
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    return {"Records": records}


def receive_all(sqs, queue_url: str) -> list[str]:
    """Every message waiting on the queue (deleted, as the trigger would after success)."""
    bodies = []
    while True:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = reply.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def deliver(bodies: list[str]) -> dict:
    """Run the order_events function on one batch; returns its batchItemFailures answer."""
    from handlers.order_events import handler

    return handler(sqs_event(bodies), LambdaContext())


def sent_mails() -> list[dict]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"]
    return [
        {"to": m.destinations["ToAddresses"], "subject": m.subject, "body": m.body}
        for m in backend.sent_messages
    ]
