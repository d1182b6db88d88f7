"""Operator-side account administration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.emails import normalize_email
from shared.models import User
from shared.services import passwords


def create_admin(session: Session, *, email: str, password: str, name: str) -> dict:
    """Create an admin, or promote (and reactivate) an existing account; safe twice.

    An existing account keeps its password: promoting someone never resets it.
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
        outcome = "created"
    elif user.role == "admin" and user.is_active:
        outcome = "unchanged"
    else:
        user.role, user.is_active = "admin", True
        outcome = "promoted"
    session.commit()
    return {"status": outcome, "user_id": user.id, "email": user.email}
