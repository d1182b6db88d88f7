"""Operator-side account administration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.emails import normalize_email
from shared.models import User
from shared.services import auth, passwords


def create_admin(
    session: Session, *, email: str, password: str, name: str, reset_password: bool = False
) -> dict:
    """Create an admin, or promote (and reactivate) an existing account, and commit; safe twice.

    An existing account keeps its password unless `reset_password` is given: promoting
    someone never changes how they log in by accident. `password` in the result says
    which happened ("set", "kept" or "reset"). A reset ends the account's sessions, as a
    password changed because it leaked must also lock out whoever holds its tokens.
    """
    email = normalize_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name,
            role="admin",
            password_hash=passwords.hash_password(password),
        )
        session.add(user)
        session.commit()
        return _account(user, status="created", password="set")
    outcome = "unchanged" if user.role == "admin" and user.is_active else "promoted"
    user.role, user.is_active = "admin", True
    if reset_password:
        user.password_hash = passwords.hash_password(password)
        session.flush()
        auth.end_sessions(session, user_id=user.id)
    session.commit()
    return _account(user, status=outcome, password="reset" if reset_password else "kept")


def _account(user: User, *, status: str, password: str) -> dict:
    return {"status": status, "user_id": user.id, "email": user.email, "password": password}
