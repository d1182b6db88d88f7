"""A request's SQL round trips and AWS calls, timed as they happen, and the plans of its SQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scripts.bench_report import Report, ms


@contextmanager
def statements(engine: Any) -> Iterator[list[tuple[str, Any, float]]]:
    """Every (SQL, parameters, start time) the engine runs in the block, and its COMMITs."""
    from sqlalchemy import event

    captured: list[tuple[str, Any, float]] = []

    def execute(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        captured.append((statement, parameters, time.perf_counter()))

    def commit(_conn: Any) -> None:
        captured.append(("COMMIT", None, time.perf_counter()))

    def rollback(_conn: Any) -> None:
        captured.append(("ROLLBACK", None, time.perf_counter()))

    hooks = [("before_cursor_execute", execute), ("commit", commit), ("rollback", rollback)]
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield captured
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


def explain(engine: Any, statement: str, parameters: Any) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of a statement as the service ran it."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters
        ).all()
        connection.rollback()
    return [row[0] for row in rows]


def short_sql(statement: str) -> str:
    """The first words of a statement, with its table: enough to name a round trip."""
    words = " ".join(statement.split())
    if words in ("COMMIT", "ROLLBACK"):
        return words
    head = words.split(" WHERE ")[0].split(" VALUES ")[0]
    if head.startswith("SELECT"):
        table_name = head.split(" FROM ")[1].split()[0] if " FROM " in head else "?"
        suffix = " FOR UPDATE SKIP LOCKED" if "SKIP LOCKED" in words else ""
        return f"SELECT ... FROM {table_name}{suffix}"  # noqa: S608 - a label, never run
    if head.startswith("UPDATE"):
        returning = " RETURNING ..." if " RETURNING " in words else ""
        return " ".join(head.split()[:2]) + " SET ..." + returning
    if head.startswith("INSERT"):
        return " ".join(head.split()[:3]) + " ..."
    return head[:60]


def print_trace(
    report: Report,
    captured: list[tuple[str, Any, float]],
    started: float,
    ended: float,
    *,
    locks: str,
    what: str,
) -> None:
    """A request's round trips (and AWS calls) on a timeline, marking a row lock's span."""
    round_trips = sum(1 for sql, _, _ in captured if not sql.startswith(("SQS", "SES")))
    report.line(
        f"{what}: {round_trips} round trips seen by SQLAlchemy, {ms(ended - started)} in "
        "all; each starts at (not shown: the pool's pre-ping SELECT 1 and pg8000's own "
        "BEGIN before each transaction's first statement, one round trip each):"
    )
    locked_at = None
    for number, (statement, _params, at) in enumerate(captured, 1):
        name = short_sql(statement)
        note = ""
        if name.startswith(locks):
            locked_at, note = at, f"   <- {locks.split()[1]} row locked"
        elif name == "COMMIT" and locked_at is not None:
            note = f"   <- released after {ms(at - locked_at)} + the COMMIT"
            locked_at = None
        elif locked_at is not None:
            note = "   (row lock held)"
        report.line(f"  {number:2d}. +{(at - started) * 1e3:6.2f} ms  {name}{note}")
    report.line(f"      +{(ended - started) * 1e3:6.2f} ms  done")
    report.line()


@contextmanager
def aws_marks(captured: list[tuple[str, Any, float]]) -> Iterator[None]:
    """Put the outbox's SQS sends and the consumer's SES sends on a trace's timeline."""
    from shared.services import mail, outbox

    original_aws, original_send = outbox.aws, mail.send

    class Marked:
        def __init__(self, client: Any) -> None:
            self.client = client

        def send_message(self, **kwargs: Any) -> Any:
            captured.append(("SQS send_message (moto)", None, time.perf_counter()))
            return self.client.send_message(**kwargs)

    def send(message: dict) -> str:
        captured.append(("SES send_email (moto)", None, time.perf_counter()))
        return original_send(message)

    def marked(service: str, **options: Any) -> Marked:
        return Marked(original_aws.client(service, **options))

    outbox.aws = ClientsOf(marked)
    mail.send = send
    try:
        yield
    finally:
        outbox.aws, mail.send = original_aws, original_send


class ClientsOf:
    """What the outbox reaches AWS through (shared.aws), its clients made by `make` instead."""

    def __init__(self, make: Any) -> None:
        self.client = make
