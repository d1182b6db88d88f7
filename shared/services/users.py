"""Users as the rest of the shop sees them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.errors import NotAuthenticated
from shared.models import User
from shared.services import tokens


def authenticate(session: Session, *, access_token: str) -> User:
    """The active user an access token speaks for; revoked or stale tokens are refused."""
    claims = tokens.decode(access_token, token_type="access")
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("The account is unknown or deactivated.")
    if user.token_generation != claims.generation:
        raise NotAuthenticated("The token has been revoked.")
    return user
