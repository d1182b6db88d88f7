"""When an event function must stop taking new work: a margin before its own timeout.

Lambda ends a function at its timeout wherever it is; work it had started is lost and
the whole event comes again. So an event function asks `passed()` before each unit of
work (a record, a batch, an order) and leaves the rest for the next delivery or run once
less than `margin` seconds remain: the margin is the longest one unit may take.
The time left is read from the context every time, never computed once from the clock,
so a fake context in a test decides when time runs out.
"""

from __future__ import annotations

import os

from shared import aws
from shared.config import settings


class OutOfTime(Exception):
    """Too little of the invocation is left to start the next unit of work."""


class Deadline:
    """`margin` seconds before the end of the invocation `context` belongs to.

    Made when the invocation starts. Without a context (tests and local tools may pass
    None, or an object without `get_remaining_time_in_millis`) it never passes.
    """

    def __init__(self, context: object | None, *, margin: float) -> None:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        self._remaining_ms = remaining if callable(remaining) else None
        if self._remaining_ms is not None:
            # At most half the invocation is held back: a margin as long as the function's
            # timeout (AWS_CALL_TIMEOUT raised, the timeout not) would stop it before its
            # first unit, every time, and a consumer would send every message to the DLQ.
            margin = min(margin, self._remaining_ms() / 1000 / 2)
        self.margin = margin

    def remaining(self) -> float | None:
        """Seconds left before the timeout itself; None when unknown (no context)."""
        if self._remaining_ms is None:
            return None
        return self._remaining_ms() / 1000

    def passed(self) -> bool:
        """True once less than `margin` seconds are left: take no new work."""
        left = self.remaining()
        return left is not None and left < self.margin


NEVER = Deadline(None, margin=0)


def of_invocation(context: object | None) -> Deadline:
    """The deadline of an event function's invocation: room for one more unit of work.

    The margin is the longest one unit may take: an AWS call that times out on every
    attempt (shared.aws.longest_call, 15 s with the defaults) and one SQL statement at its
    statement timeout (5 s). A healthy unit takes milliseconds; only a function already
    struggling gets near it.
    """
    if os.environ.get("IS_OFFLINE"):
        # serverless-offline hands its Python runner a context without the function's
        # timeout, which then reports a made-up 6 s: locally the time left is unknown.
        context = None
    return Deadline(context, margin=aws.longest_call() + settings().db_statement_timeout)
