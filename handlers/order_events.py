"""order_events function: the orders queue's consumer (SQS, partial batch responses)."""

from __future__ import annotations

import json
from functools import partial

from handlers import init_done
from shared import db, deadline, metrics
from shared.config import settings
from shared.log import logger
from shared.schemas.orders import OrderPlaced
from shared.services.order_events import handle_order_placed
from shared.sqs_batch import BatchProcessor, EventType, SQSRecord, process_partial_response

settings()
# A batch whose every record failed is reported like any other partial failure, rather
# than as an invocation error: SQS retries exactly the records listed either way.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord, *, time_left: deadline.Deadline = deadline.NEVER) -> str:
    # A record not started because time is short raises: it is reported as a batch item
    # failure and SQS delivers it again, instead of the function timing out mid-batch.
    if time_left.passed():
        logger.warning("out of time: record left for redelivery", message_id=record.message_id)
        raise deadline.OutOfTime(record.message_id)
    # A body that does not parse raises here: the record is reported as a batch item
    # failure and, after the queue's retries, lands in the dead-letter queue.
    event = OrderPlaced.model_validate(json.loads(record.body))
    with db.session_scope() as session:
        outcome = handle_order_placed(session, event)
    if outcome == "confirmed":
        metrics.count(metrics.ORDERS_CONFIRMED)
    logger.info("order event handled", event_id=event.event_id, outcome=outcome)
    return outcome


@metrics.flushed
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> dict:
    time_left = deadline.of_invocation(context)
    return process_partial_response(
        event=event,
        record_handler=partial(record_handler, time_left=time_left),
        processor=processor,
        context=context,
    )


init_done()  # last: everything above lives as long as the container
