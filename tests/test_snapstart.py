"""SnapStart's runtime hooks (shared/snapstart.py): a restored environment shares nothing.

Lambda calls `before_snapshot` once, after a published version's cold start, and
`after_restore` in every environment resumed from that snapshot; the tests call them the
same way, on the database of the `engine` fixture (SQLite and PostgreSQL).
"""

from __future__ import annotations

import random
import subprocess
import sys
import types
from pathlib import Path

import pytest

from shared import db, snapstart
from shared.log import logger
from shared.services import tokens
from shared.signing_keys import signing_keys

ROOT = Path(__file__).resolve().parents[1]
HANDLERS = sorted(p.stem for p in (ROOT / "handlers").glob("*.py") if p.stem != "__init__")


def pooled_dbapi_connection(engine):
    """Open a connection through the pool, as a request does, and leave it pooled."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
    assert engine.pool.checkedin() >= 1
    return raw


def is_open(engine, raw) -> bool:
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        return True
    except engine.dialect.loaded_dbapi.Error:
        return False


@pytest.fixture
def random_state():
    state = random.getstate()
    yield state
    random.setstate(state)


def test_before_the_snapshot_the_pooled_connections_are_closed(engine):
    raw = pooled_dbapi_connection(engine)
    snapstart.before_snapshot()
    assert engine.pool.checkedin() == 0
    assert not is_open(engine, raw)


def test_after_a_restore_the_pool_is_empty_and_the_next_request_opens_its_own(engine, meta_api):
    raw = pooled_dbapi_connection(engine)
    snapstart.after_restore()
    assert engine.pool.checkedin() == 0
    # Abandoned, not closed: a goodbye on a socket shared with other restored copies
    # would end their server session too.
    assert is_open(engine, raw)
    raw.close()

    reply = meta_api.get("/health")
    assert reply.status == 200, reply.text
    assert reply.json["database"] == "ok"
    assert engine.pool.checkedin() == 1  # its own connection, pooled for the next request


def test_the_hooks_build_no_engine_where_none_was_built(monkeypatch):
    # Building one would read the database secret during the restore, for nothing.
    monkeypatch.setattr(db, "_engine", None)
    snapstart.before_snapshot()
    snapstart.after_restore()
    assert db._engine is None


def test_environments_restored_from_one_snapshot_draw_different_random_numbers(random_state):
    draws = []
    for _environment in range(2):
        random.setstate(random_state)
        snapstart.after_restore()
        draws.append(random.random())
    assert draws[0] != draws[1]


def test_after_a_restore_the_signing_keys_are_read_again_and_old_tokens_still_verify():
    token = tokens.issue(
        user_id=7, token_type="access", generation=0, ttl=60, now=tokens.datetime.now(tokens.UTC)
    )
    assert signing_keys.cache_info().currsize == 1
    snapstart.after_restore()
    assert signing_keys.cache_info().currsize == 0
    assert tokens.decode(token, token_type="access").user_id == 7


def test_each_restored_environment_draws_its_own_debug_log_sampling(monkeypatch):
    level = logger.log_level
    monkeypatch.setattr(logger, "sampling_rate", 1.0)
    try:
        snapstart.after_restore()
        assert logger.log_level == 10  # DEBUG: sampled in, with certainty at rate 1.0
    finally:
        logger.setLevel(level)


def test_the_hooks_are_registered_with_lambdas_runtime_library(monkeypatch):
    registered = {"before": [], "after": []}
    library = types.ModuleType("snapshot_restore_py")
    library.register_before_snapshot = registered["before"].append
    library.register_after_restore = registered["after"].append
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", library)
    assert snapstart.register_hooks()
    assert registered == {"before": [snapstart.before_snapshot], "after": [snapstart.after_restore]}


def test_without_lambdas_runtime_library_registering_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails
    assert not snapstart.register_hooks()


COLD_STARTS = """
import importlib, os, random, sys, uuid
import snapshot_restore_py

drawn = []

def watch(module, name):
    original = getattr(module, name)
    def watched(*args, **kwargs):
        drawn.append(f"{module.__name__}.{name}")
        return original(*args, **kwargs)
    setattr(module, name, watched)

watch(os, "urandom")
watch(random, "_urandom")
watch(uuid, "uuid1")
watch(uuid, "uuid4")
for name in ("seed", "random", "getrandbits", "randbytes", "randrange", "randint", "choice",
             "choices", "shuffle", "sample", "uniform"):
    watch(random, name)

for handler in sys.argv[1:]:
    for module in [m for m in sys.modules if m.split(".")[0] in ("shared", "handlers")]:
        del sys.modules[module]
    del snapshot_restore_py._before_snapshot_registry[:]
    del snapshot_restore_py._after_restore_registry[:]
    importlib.import_module(f"handlers.{handler}")

    from shared import aws, db
    from shared.signing_keys import signing_keys
    registered = snapshot_restore_py.get_before_snapshot() + snapshot_restore_py.get_after_restore()
    hooks = [f"{hook.__module__}.{hook.__name__}" for hook, _, _ in registered]
    assert hooks == ["shared.snapstart.before_snapshot", "shared.snapstart.after_restore"], hooks
    assert db._engine is None, (handler, "built the database engine")
    assert aws._client.cache_info().currsize == 0, (handler, "created a boto3 client")
    assert signing_keys.cache_info().currsize == 0, (handler, "read the signing keys")
    assert "shared.secrets" not in sys.modules, (handler, "read a secret")
    assert not drawn, (handler, drawn)
"""


def test_every_cold_start_registers_the_hooks_and_leaves_nothing_unique_in_the_snapshot(
    tmp_path,
):
    # A cold start of each function, in a fresh interpreter: everything it leaves in memory
    # would be in the snapshot, shared by every environment restored from it.
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path}/shop.db",
        "JWT_SECRET": "a-signing-key-that-is-long-enough-for-hs256",
        "IMPORTS_BUCKET": "shop-api-test-imports",
        "SHOP_LOCAL_DIR": str(tmp_path),
        "AWS_REGION": "eu-west-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", COLD_STARTS, *HANDLERS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
