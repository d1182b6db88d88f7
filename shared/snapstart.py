"""Lambda SnapStart's runtime hooks: what a snapshot must not hand to its restored copies.

With SnapStart on (README, "SnapStart"), Lambda runs a function's cold start once, when a
deploy publishes its version, snapshots the process, and resumes every new execution
environment of that version from the snapshot, possibly weeks later. Whatever the cold
start left in memory is then shared by all of them: an open socket, a random generator's
state, a sampling decision, a value read from Secrets Manager.

The shop's cold start opens no connection, creates no boto3 client, reads no secret and
draws nothing random (tests/test_snapstart.py checks each), so the hooks are a safety
net for what a later change might add, and they cost nothing where nothing is there.

`snapshot_restore_py` comes with Lambda's Python runtime and must not be bundled in the
layer; elsewhere (tests, local runs) it may be absent, and then there is nothing to do.
"""

from __future__ import annotations

import random
import sys


def register_hooks() -> bool:
    """Hand the hooks to Lambda's runtime; False where the runtime has no SnapStart."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


def before_snapshot() -> None:
    """Close pooled database connections: a socket frozen in a snapshot never comes back."""
    from shared import db

    db.drop_pooled_connections(close=True)


def after_restore() -> None:
    """Make this environment its own: no shared socket, seed or cached secret."""
    from shared import db

    # Sockets that reached the snapshot after all belong to the environment that was
    # snapshotted: here they are dead, or shared with every other restored copy. They are
    # abandoned unclosed: a goodbye on a dead one waits for its timeout, and on a shared
    # one it would end the server session of every copy.
    db.drop_pooled_connections(close=False)
    # The random module's generator was seeded once, at import: every restored copy would
    # draw the same numbers (botocore's retry jitter, for one). uuid4 and secrets ask the
    # kernel on each call, and Lambda gives each restored environment fresh kernel entropy.
    random.seed()
    _redraw_log_sampling()
    _forget_secrets()


def _redraw_log_sampling() -> None:
    # Powertools draws whether an environment logs at DEBUG (POWERTOOLS_LOGGER_SAMPLE_RATE)
    # when the logger is made; drawn in the snapshot, it would hold for every copy.
    from shared.log import logger

    if logger.sampling_rate:
        logger.refresh_sample_rate_calculation()


def _forget_secrets() -> None:
    # JWT signing keys and the database secret are read from Secrets Manager on first use,
    # never during the cold start, so no snapshot holds them. Were one to, it would hand
    # every environment restored from it the keys of the day the version was published,
    # however often they have been rotated since: read again instead, as a cold start
    # would. Modules not loaded yet are left alone (importing jwt costs a cold path).
    keys = sys.modules.get("shared.signing_keys")
    if keys is not None:
        keys.signing_keys.cache_clear()
    secrets = sys.modules.get("shared.secrets")
    if secrets is not None:
        secrets.clear()
