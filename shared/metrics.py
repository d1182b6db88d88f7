"""The shop's business metrics: CloudWatch embedded metric format lines on standard output.

Powertools Metrics writes them; CloudWatch Logs turns each line into data points of the
namespace `ShopApi`, with one dimension, `service` (POWERTOOLS_SERVICE_NAME). Counts add up
during an invocation and go out together at its end: an HTTP app after every request
(shared.web), an event function through `@flushed`. A count is made once its effect is
committed, so what a failed request had already done is published all the same.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

from shared.log import logger

# isort: split
# Only after shared.log, which loads Powertools (metrics included) without botocore: by
# then this import costs a cold start nothing.
from aws_lambda_powertools.metrics import Metrics, MetricUnit

NAMESPACE = "ShopApi"

ORDERS_PLACED = "OrdersPlaced"
ORDERS_CONFIRMED = "OrdersConfirmed"
ORDERS_CANCELLED = "OrdersCancelled"
EMAILS_SENT = "EmailsSent"
IMPORT_ROWS_CREATED = "ImportRowsCreated"
IMPORT_ROWS_UPDATED = "ImportRowsUpdated"
IMPORT_ROWS_REJECTED = "ImportRowsRejected"
IMPORTS_FAILED = "ImportsFailed"
LOGINS_FAILED = "LoginsFailed"
LOGINS_THROTTLED = "LoginsThrottled"
REGISTRATIONS_THROTTLED = "RegistrationsThrottled"

_metrics = Metrics(
    namespace=NAMESPACE,
    service=os.environ.get("POWERTOOLS_SERVICE_NAME") or logger.service,
)


def count(name: str, value: int = 1) -> None:
    """Add `value` to the metric `name` of this invocation."""
    _metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush() -> None:
    """Write this invocation's counts as one line, and forget them; no line without any."""
    if not _metrics.metric_set:
        return
    try:
        _metrics.flush_metrics()
    finally:
        # With POWERTOOLS_METRICS_DISABLED, Powertools writes nothing and keeps the counts,
        # which would then pile up from one invocation to the next.
        _metrics.clear_metrics()


def flushed[**P, R](handler: Callable[P, R]) -> Callable[P, R]:
    """`handler`, writing its invocation's counts when it ends, whether it returns or raises."""

    @functools.wraps(handler)
    def invocation(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        finally:
            flush()

    return invocation
