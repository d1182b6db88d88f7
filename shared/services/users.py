"""Users as the rest of the shop sees them: who a token speaks for, and user admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotAuthenticated, NotFound
from shared.models import User
from shared.paging import Listing, Page, SortKey, contains, substring_pattern
from shared.services import tokens
from shared.signing_keys import signing_keys

_users = User.__table__


@dataclass(frozen=True, slots=True)
class Caller:
    """Who an access token speaks for, as they were when the request began: read-only.

    Not a User: nothing a route does to it could reach the database, and it costs a
    request a tuple's worth of work instead of an ORM instance's.
    """

    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime


# Built once, and of plain columns: the lookup behind every authenticated request costs
# SQLAlchemy no statement building, no cache-key computation and no ORM loading.
_CALLER_BY_ID = select(
    *(_users.c[name] for name in Caller.__slots__), _users.c.token_generation
).where(_users.c.id == bindparam("user_id"))
OLDEST_FIRST = SortKey(name="created_at", expression=_users.c.created_at, id_column=_users.c.id)
# What a listing shows of a user: the columns of UserOut.
_LISTED = [_users.c[name] for name in ("id", "email", "name", "role", "is_active", "created_at")]


def authenticate(session: Session, *, access_token: str) -> Caller:
    """The active user an access token speaks for; revoked or stale tokens are refused.

    Reads only. A service that changes the account loads it itself (get_user).
    """
    claims = _verified_access_claims(access_token, signing_keys().verifying)
    if claims.expires_at <= datetime.now(UTC):
        raise NotAuthenticated("The token has expired.")
    row = session.execute(_CALLER_BY_ID, {"user_id": claims.user_id}).one_or_none()
    if row is None or not row.is_active:
        raise NotAuthenticated("The account is unknown or deactivated.")
    *caller, generation = row
    if generation != claims.generation:
        raise NotAuthenticated("The token has been revoked.")
    return Caller(*caller)


@lru_cache(maxsize=256)
def _verified_access_claims(access_token: str, keys: tuple[bytes, ...]) -> tokens.Claims:
    """An access token's claims, verified once per token and set of verification keys.

    A warm container serves a client's token request after request, and verifying it
    again (~50 µs of PyJWT) would give the same answer but for expiry, which authenticate
    checks each time; `keys` is part of the cache key, so a token is verified afresh when
    the keys change (after a SnapStart restore). A refused token is never kept.
    """
    return tokens.decode(access_token, token_type="access")


def list_users(
    session: Session,
    *,
    q: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """Users matching every given filter, oldest first, one keyset page at a time; reads only.

    Each item is a dict of UserOut's fields.
    """
    params = {"q": substring_pattern(q) if q else None, "role": role}
    scope = {"q": q, "role": role, "is_active": is_active}
    return _listing(q=bool(q), role=role is not None, is_active=is_active).fetch(
        session,
        params=params,
        scope=scope,
        limit=limit,
        cursor=cursor,
    )


@cache
def _listing(*, q: bool, role: bool, is_active: bool | None) -> Listing:
    """The listing of one combination of filters (which are given, not their values)."""
    statement = select(*_LISTED)
    if q:
        pattern = bindparam("q")
        statement = statement.where(
            contains(_users.c.email, pattern) | contains(_users.c.name, pattern)
        )
    if role:
        statement = statement.where(_users.c.role == bindparam("role"))
    if is_active is not None:
        statement = statement.where(_users.c.is_active.is_(is_active))
    return Listing(statement, OLDEST_FIRST)


def get_user(session: Session, user_id: int) -> User:
    """The user, or NotFound; reads only."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    return user


def update_user(session: Session, user_id: int, *, changes: dict[str, Any], acting: Caller) -> User:
    """Change name, role or is_active, and commit; the shop always keeps one active admin.

    An admin may not demote or deactivate themselves, nor the last active admin, also when
    several admins change each other at the same moment.
    """
    user = get_user(session, user_id)
    demotes_or_deactivates = (
        changes.get("role", "admin") != "admin" or changes.get("is_active") is False
    )
    if user.id == acting.id and demotes_or_deactivates:
        raise Conflict("An admin cannot demote or deactivate their own account.")
    if demotes_or_deactivates and _lock_active_admins(session) == [user.id]:
        raise Conflict("The shop must keep at least one active admin.")
    if changes.get("is_active") is False and user.is_active:
        # Deactivation must end every session at once, refresh tokens included.
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(token_generation=User.token_generation + 1)
        )
        session.refresh(user)
    for field, value in changes.items():
        setattr(user, field, value)
    session.commit()
    return user


def _lock_active_admins(session: Session) -> list[int]:
    """The ids of the active admins, their rows locked until the transaction ends.

    Two admins demoting each other at once would each still see the other as active and
    both succeed; with the rows locked, in id order so that they cannot deadlock, the
    second waits for the first and then counts what it left. (SQLite ignores FOR UPDATE;
    there the second writer fails on its stale read instead of committing it.)
    """
    return list(
        session.scalars(
            select(User.id)
            .where(User.role == "admin", User.is_active.is_(True))
            .order_by(User.id)
            .with_for_update()
        )
    )
