"""The migrate function: it brings the database schema to the newest migration."""

from __future__ import annotations

from handlers.migrate import handler as migrate


def test_migrate_is_safe_to_run_twice(engine):
    first, second = migrate({}, None), migrate({}, None)

    assert first == second == {"status": "ok", "revision": "0005"}
