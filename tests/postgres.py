"""A throwaway PostgreSQL database: created on a server for one run, dropped after it.

Used by the test suite's PostgreSQL half and by the data benchmarks (scripts/bench_data.py,
scripts/bench_import.py), each run in a database of its own.
"""

from __future__ import annotations

import uuid

from sqlalchemy import URL, create_engine, make_url, text

DEFAULT_SERVER = "postgresql+pg8000://postgres@127.0.0.1:5432/test"


class ServerUnavailable(Exception):
    """The server cannot be reached or refuses CREATE DATABASE; the message says which."""


class ThrowawayDatabase:
    """A new, empty database `<prefix>_<random>` on the server of `server_url`."""

    def __init__(self, server_url: str | URL = DEFAULT_SERVER, *, prefix: str) -> None:
        server = make_url(server_url)
        self.name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self._admin = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with self._admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as error:
            self._admin.dispose()
            where = server.render_as_string(hide_password=True)
            raise ServerUnavailable(f"PostgreSQL at {where} unreachable: {error}") from error
        self.url = server.set(database=self.name)

    def drop(self) -> None:
        """Drop the database, ending any connection still open on it."""
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()
