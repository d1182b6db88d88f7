"""The database engine and sessions: created once per container, reused while warm."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session

from shared.config import settings

_engine: Engine | None = None


def database_url() -> URL:
    """The configured URL: DATABASE_URL, else the RDS secret named by DB_SECRET_ARN."""
    config = settings()
    if config.database_url:
        return make_url(config.database_url)
    from shared.secrets import database_url_from_secret

    return database_url_from_secret(config.db_secret_arn)


def build_engine(url: URL | str, *, pool_size: int = 1) -> Engine:
    """An engine tuned for Lambda: one warm connection, checked before use.

    A container serves one request at a time, so one pooled connection is enough;
    benchmarks that mimic N containers with N threads ask for a pool of N.
    """
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Overflow only matters to in-process tests with threads.
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        pool_recycle=300,
    )
    if url.get_driver_name() == "pg8000":
        event.listen(engine, "connect", _fast_timestamps)
    return engine


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


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the local function processes read while another writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def engine() -> Engine:
    """The process-wide engine, created on first use."""
    global _engine
    if _engine is None:
        _engine = build_engine(database_url())
    return _engine


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
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
