"""Accounts and sessions: register, log in, rotate refresh tokens, log out."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.config import settings
from shared.errors import Conflict, NotAuthenticated
from shared.models import RefreshToken, User
from shared.models.base import utcnow
from shared.services import passwords, rate_limits, tokens

if TYPE_CHECKING:
    from shared.services.users import Caller

from shared.services.rate_limits import (
    LOGIN_FAILURES_PER_EMAIL,
    LOGIN_FAILURES_PER_SOURCE,
    REGISTRATIONS_PER_SOURCE,
)

# One detail for every failed login, so the answer does not tell which part was wrong.
BAD_LOGIN = "The e-mail address or password is incorrect."
BAD_REFRESH = "The refresh token is invalid, expired or revoked."


def register(
    session: Session, *, email: str, password: str, name: str, source_ip: str | None = None
) -> User:
    """Create a customer, and commit; a `role` is never taken from the caller.

    `source_ip` is the client's address (None for local tools, which are not limited).
    """
    limits = [(REGISTRATIONS_PER_SOURCE, source_ip)] if source_ip else []
    reserved = rate_limits.reserve(session, limits=limits)
    # Committed before the password is hashed, so the counter row stays locked for one
    # statement rather than for an argon2 hash, and a throttled client costs no hash.
    session.commit()
    user = User(
        email=email.lower(),
        name=name,
        password_hash=passwords.hash_password(password),
        role="customer",
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        # The limit is on new accounts, and an address already taken made none.
        rate_limits.release(session, reservations=reserved)
        session.commit()
        raise Conflict("An account with this e-mail address already exists.") from None
    return user


def login(session: Session, *, email: str, password: str, source_ip: str | None = None) -> dict:
    """A new access and refresh token pair, starting a new refresh chain; commits.

    Failed logins are limited per address (known or not, so a 429 reveals nothing) and per
    `source_ip` (None for local tools, which skip that limit); past a limit even the right
    password is refused.
    """
    address = email.lower()
    limits = [(LOGIN_FAILURES_PER_EMAIL, address)]
    if source_ip:
        limits.append((LOGIN_FAILURES_PER_SOURCE, source_ip))
    # Counted as a failure before the password is checked, so a throttled attempt costs
    # no argon2 hash, and committed at once, so the count stands although this request
    # then fails, and the counter rows are locked for one statement, not for a hash.
    reserved = rate_limits.reserve(session, limits=limits)
    session.commit()
    user = session.scalar(select(User).where(User.email == address))
    if user is None:
        # Hash anyway, so an unknown address takes as long as a wrong password.
        passwords.verify_password(passwords.dummy_hash(), password)
        raise NotAuthenticated(BAD_LOGIN)
    if not passwords.verify_password(user.password_hash, password) or not user.is_active:
        raise NotAuthenticated(BAD_LOGIN)
    # A success is not a failed login; it does not wipe the failures counted before it.
    rate_limits.release(session, reservations=reserved)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    pair = _issue_pair(session, user, chain_id=str(uuid.uuid4()))
    session.commit()
    return pair


def refresh(session: Session, *, refresh_token: str) -> dict:
    """Rotate a refresh token, and commit; a token presented twice revokes its whole chain."""
    claims = tokens.decode(refresh_token, token_type="refresh")
    now = utcnow()
    # Claiming the token is one conditional UPDATE, so two concurrent refreshes with the
    # same token cannot both win: the loser is treated as reuse.
    claimed = session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == claims.jti,
            RefreshToken.user_id == claims.user_id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        stored = session.get(RefreshToken, claims.jti)
        if stored is not None and stored.used_at is not None:
            _revoke(session, RefreshToken.chain_id == stored.chain_id)
            session.commit()
        raise NotAuthenticated(BAD_REFRESH)
    stored = session.get(RefreshToken, claims.jti)
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active or user.token_generation != claims.generation:
        session.rollback()
        raise NotAuthenticated(BAD_REFRESH)
    pair = _issue_pair(session, user, chain_id=stored.chain_id)
    session.commit()
    return pair


def logout(session: Session, *, user: Caller) -> None:
    """End every session of `user`, and commit: refresh tokens revoked, access tokens invalid."""
    end_sessions(session, user_id=user.id)
    session.commit()


def end_sessions(session: Session, *, user_id: int) -> None:
    """Revoke the user's refresh tokens and invalidate their access tokens; no commit."""
    session.execute(
        update(User).where(User.id == user_id).values(token_generation=User.token_generation + 1)
    )
    _revoke(session, RefreshToken.user_id == user_id)


def _revoke(session: Session, which) -> None:
    session.execute(
        update(RefreshToken)
        .where(which, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _issue_pair(session: Session, user: User, *, chain_id: str) -> dict:
    config = settings()
    now = utcnow()
    jti = str(uuid.uuid4())
    session.add(
        RefreshToken(
            id=jti,
            user_id=user.id,
            chain_id=chain_id,
            issued_at=now,
            expires_at=now + timedelta(seconds=config.refresh_token_ttl),
        )
    )
    common = {"user_id": user.id, "generation": user.token_generation, "now": now}
    return {
        "access_token": tokens.issue(token_type="access", ttl=config.access_token_ttl, **common),
        "refresh_token": tokens.issue(
            token_type="refresh",
            ttl=config.refresh_token_ttl,
            jti=jti,
            chain_id=chain_id,
            **common,
        ),
        "token_type": "Bearer",
        "expires_in": config.access_token_ttl,
    }
