"""`@auth_required` and `current_user()`: the bearer token's caller, loaded once per request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from shared.errors import NotAllowed, NotAuthenticated
from shared.services import users
from shared.services.users import Caller
from shared.web import db_session


def auth_required(view: Callable | None = None, *, role: str | None = None) -> Callable:
    """Require a valid access token, and `role` if given: 401 without one, 403 if wrong."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            caller = current_user()
            if role is not None and caller.role != role:
                raise NotAllowed(f"This route is for the {role} role only.")
            return view(*args, **kwargs)

        # Read by the OpenAPI builder to document the security requirement.
        wrapper.auth_role = role or "any"
        return wrapper

    return decorate(view) if view is not None else decorate


def current_user() -> Caller:
    """Who the bearer access token speaks for: a 401 without a valid one."""
    if "user" not in g:
        g.user = users.authenticate(db_session(), access_token=bearer_token())
    return g.user


def optional_user() -> Caller | None:
    """The caller when a bearer token is sent (a bad one is still a 401), else None."""
    if "user" not in g and not request.headers.get("Authorization"):
        return None
    return current_user()


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("A bearer access token is required.")
    return token.strip()
