"""The database engine and sessions: created once per container, reused while warm."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from shared import pg8000_hooks, snapstart
from shared.config import settings

_engine: Engine | None = None
# The pool logs a dead connection's failed goodbye as a multi-line traceback; the fault
# itself is already reported once, as one JSON line, by whoever met it.
logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)
# Every function's cold path imports this module, and the hooks look after its pool.
snapstart.register_hooks()


def database_url() -> URL:
    """The configured URL: DATABASE_URL, else the RDS secret named by DB_SECRET_ARN."""
    config = settings()
    if config.database_url:
        return make_url(config.database_url)
    from shared.secrets import database_url_from_secret

    return database_url_from_secret(config.db_secret_arn)


def build_engine(
    url: URL | str,
    *,
    pool_size: int = 1,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
) -> Engine:
    """An engine tuned for Lambda: one warm connection, checked before use, every wait bounded.

    A container serves one request at a time, so one pooled connection is enough;
    benchmarks that mimic N containers with N threads ask for a pool of N. Timeouts
    default to DB_CONNECT_TIMEOUT and DB_STATEMENT_TIMEOUT.
    """
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    config = settings()
    timeouts = pg8000_hooks.Timeouts(
        connect=connect_timeout or config.db_connect_timeout,
        statement=statement_timeout or config.db_statement_timeout,
    )
    pg8000 = url.get_driver_name() == "pg8000"
    # Overflow only matters to in-process tests with threads.
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        pool_recycle=300,
        connect_args=timeouts.connect_args() if pg8000 else {},
    )
    if pg8000:
        pg8000_hooks.attach(engine, timeouts)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the local function processes read while another writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# SQLSTATE classes and codes that say "the database cannot serve this now", not "this
# request is wrong": connection exceptions, insufficient resources (53300: too many
# connections), operator intervention (57014: statement timeout; shutdowns), system
# errors, transaction rollbacks (deadlocks, serialization), lock timeouts.
UNAVAILABLE_CLASSES = ("08", "53", "57", "58", "40")
UNAVAILABLE_CODES = ("55P03",)


def sqlstate(error: DBAPIError) -> str | None:
    """The SQLSTATE code of a driver error (pg8000 keeps it under "C"), if any."""
    args = getattr(error.orig, "args", ())
    if args and isinstance(args[0], dict):
        return args[0].get("C")
    return getattr(error.orig, "sqlstate", None)


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says the database is down, unreachable, full or too slow."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    code = sqlstate(error) or ""
    return (
        error.connection_invalidated
        or code[:2] in UNAVAILABLE_CLASSES
        or (code in UNAVAILABLE_CODES)
    )


def engine() -> Engine:
    """The process-wide engine, created on first use."""
    global _engine
    if _engine is None:
        _engine = build_engine(database_url())
    return _engine


def drop_pooled_connections(*, close: bool) -> None:
    """Empty the pool of the engine, if one was built; `close=False` leaves the sockets unclosed."""
    # Never engine(): building one here would read the database secret for nothing.
    if _engine is not None:
        _engine.dispose(close=close)


def use_engine(new_engine: Engine) -> None:
    """Point the process at another database (tests, benchmarks, local commands)."""
    global _engine
    if _engine is not None and _engine is not new_engine:
        _engine.dispose()
    _engine = new_engine


class _PinnedSession(Session):
    """A session that keeps one pooled connection across its transactions.

    A request or an event often runs several transactions (an order, then its outbox
    publish); holding the connection saves a pool checkout and its liveness check each.
    """

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.bind.close()


def new_session() -> Session:
    """A fresh session on a connection of its own; the caller closes it."""
    return _PinnedSession(bind=engine().connect(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one event or command, rolled back on error and always closed."""
    session = new_session()
    try:
        yield session
    except BaseException as error:
        discard(session, broken=is_unavailable(error))
        raise
    else:
        discard(session)


def discard(session: Session, *, broken: bool = False) -> None:
    """Roll back and close `session` without ever raising: its connection may be dead.

    A `broken` session's connection is thrown away rather than pooled, so the next
    request or event starts on a new one.
    """
    try:
        if broken:
            session.bind.invalidate()
        session.close()
    except Exception as error:
        from shared.log import logger

        logger.warning("database session not closed cleanly", error_type=type(error).__name__)
