"""Shop data for tests, made through the services the handlers use."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from shared.models import User
from shared.services import admins, auth

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def customer(session: Session, *, email: str | None = None, name: str = "Ada Customer") -> User:
    email = email or f"customer{next(_numbers)}@example.com"
    return auth.register(session, email=email, password=PASSWORD, name=name)


def admin(session: Session, *, email: str | None = None) -> User:
    email = email or f"admin{next(_numbers)}@example.com"
    admins.create_admin(session, email=email, password=PASSWORD, name="Grace Admin")
    return session.query(User).filter_by(email=email).one()


def tokens_for(session: Session, user: User) -> dict:
    return auth.login(session, email=user.email, password=PASSWORD)
