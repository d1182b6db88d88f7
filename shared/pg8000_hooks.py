"""pg8000 as a Lambda function needs it: every wait bounded, network failures seen as
disconnects, timestamps read fast. shared.db attaches these to each PostgreSQL engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, event


@dataclass(frozen=True)
class Timeouts:
    """Every wait on PostgreSQL bounded, so a hung server costs a request seconds, not minutes.

    The server cancels a statement after `statement` seconds (lock waits too), which leaves
    the connection usable; the socket's own timeout is the backstop for a server or network
    that stops answering altogether: `connect` while the connection opens, a little over
    `statement` while a session uses it (so the server's cancel arrives first), and half of
    `connect` while it sits in the pool, for the pre-ping: a dead pooled connection and
    then a hung new one cost 1.5 times `connect` (7.5 s by default), within the 10 s promised.
    """

    connect: float
    statement: float

    def connect_args(self) -> dict[str, Any]:
        milliseconds = str(round(self.statement * 1000))
        return {
            "timeout": self.connect,
            # Startup parameters rather than SET statements: they cost no round trip.
            "startup_params": {"statement_timeout": milliseconds, "lock_timeout": milliseconds},
        }

    def while_in_use(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection._usock.settimeout(self.statement + 1)

    def while_pooled(self, dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None and dbapi_connection._usock is not None:
            dbapi_connection._usock.settimeout(self.connect / 2)


def attach(engine: Engine, timeouts: Timeouts) -> None:
    """Hook `engine`, built with `timeouts.connect_args()`, and its pool to pg8000's quirks."""
    _first_reads_raise_network_errors()
    event.listen(engine, "do_connect", _connect_or_network_error)
    event.listen(engine, "connect", _fast_timestamps)
    event.listen(engine.pool, "checkout", timeouts.while_in_use)
    event.listen(engine.pool, "checkin", timeouts.while_pooled)


def _connect_or_network_error(dialect, _record, cargs, cparams):
    # pg8000 lets some failures of a half-open connection escape as bare socket, struct
    # or lookup errors (a reset during the SSL or startup exchange). As a DBAPI error
    # they get SQLAlchemy's usual handling: wrapped, and counted as a disconnect.
    try:
        return dialect.connect(*cargs, **cparams)
    except dialect.loaded_dbapi.Error:
        raise
    except Exception as error:
        raise dialect.loaded_dbapi.InterfaceError("network error") from error


def _first_reads_raise_network_errors() -> None:
    # pg8000 (1.31.6) turns a socket failure into InterfaceError("network error"), which
    # SQLAlchemy counts as a disconnect, except on the first read of a message: a reset
    # or timed-out connection there escapes as a bare OSError, so the pre-ping cannot
    # replace it and a request fails on a connection the pool should have renewed.
    from pg8000 import core

    if getattr(core._read, "wraps_socket_errors", False):
        return
    read = core._read

    def _read(sock, size):
        try:
            return read(sock, size)
        except OSError as error:
            raise core.InterfaceError("network error") from error

    _read.wraps_socket_errors = True
    core._read = _read


def _fast_timestamps(dbapi_connection, _record) -> None:
    # pg8000 parses every timestamptz with strptime, a quarter of a listing page's time;
    # fromisoformat reads PostgreSQL's output format (Python 3.11+) several times faster.
    from pg8000.converters import TIMESTAMPTZ, timestamptz_in

    def read(text: str):
        try:
            return datetime.fromisoformat(text)
        except ValueError:  # infinity, or beyond Python's range: pg8000's own rules
            return timestamptz_in(text)

    dbapi_connection.register_in_adapter(TIMESTAMPTZ, read)
