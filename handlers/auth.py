"""auth function: accounts and tokens (the Auth section of the contract)."""

from __future__ import annotations

import serverless_wsgi
from flask import Response, request

from handlers import init_done
from shared import metrics
from shared.auth import auth_required, current_user
from shared.errors import NotAuthenticated, TooManyAttempts
from shared.openapi import operation
from shared.request_input import json_body
from shared.routing import Resource
from shared.schemas.auth import LoginIn, LogoutIn, RefreshIn, RegisterIn, TokenPair, UserOut
from shared.web import create_app, db_session, respond

routes = Resource(
    "auth",
    __name__,
    url_prefix="/auth",
    description="Accounts and tokens: register, log in, refresh, log out",
)
UNAUTHENTICATED = "Wrong credentials, or a token that is invalid, expired or revoked"
THROTTLED = "Too many failed logins for this address or from this client; see Retry-After"
# A token must not be kept by a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store"}


def _source_ip() -> str | None:
    """The client's address: serverless-wsgi takes REMOTE_ADDR from API Gateway's sourceIp."""
    return request.remote_addr or None


@routes.post("/register")
@operation(
    summary="Register a customer account",
    body=RegisterIn,
    responses={
        201: UserOut,
        409: "An account with this e-mail address exists",
        429: "Too many new accounts from this client; see Retry-After",
    },
    headers={429: "Retry-After"},
)
def register() -> Response:
    """Create a customer account, its e-mail address stored in one form per mailbox. A `role` field
    is refused (no one registers as an admin); one client may create 20 accounts an hour.
    """
    # The account service (rate limits, refresh tokens) loads with the first route that
    # needs it: /auth/me, a common first call of a container, only reads the caller.
    from shared.services import auth

    body = json_body(RegisterIn)
    try:
        user = auth.register(db_session(), **body.model_dump(), source_ip=_source_ip())
    except TooManyAttempts:
        metrics.count(metrics.REGISTRATIONS_THROTTLED)
        raise
    return respond(UserOut, user, 201)


@routes.post("/login")
@operation(
    summary="Log in: a new access and refresh token pair",
    body=LoginIn,
    responses={200: TokenPair, 401: UNAUTHENTICATED, 429: THROTTLED},
    headers={200: "Cache-Control", 429: "Retry-After"},
)
def login() -> Response:
    """Trade an e-mail address and password for an access token (15 minutes by default) and a
    refresh token (14 days). An unknown address, a wrong password and a deactivated account get
    the same 401; 10 failures for one address, or 100 from one client, within 15 minutes are a
    429 until the window passes.
    """
    from shared.services import auth

    body = json_body(LoginIn)
    try:
        pair = auth.login(db_session(), **body.model_dump(), source_ip=_source_ip())
    except NotAuthenticated:
        metrics.count(metrics.LOGINS_FAILED)
        raise
    except TooManyAttempts:
        metrics.count(metrics.LOGINS_THROTTLED)
        raise
    return respond(TokenPair, pair, headers=NO_STORE)


@routes.post("/refresh")
@operation(
    summary="Rotate a refresh token; a reused one revokes its whole login chain",
    body=RefreshIn,
    responses={200: TokenPair, 401: UNAUTHENTICATED},
    headers={200: "Cache-Control"},
)
def refresh() -> Response:
    """Trade a refresh token for a new pair; the old one stops working. A refresh token that was
    already rotated is taken as stolen: 401, and every refresh token of its login chain is
    revoked.
    """
    from shared.services import auth

    body = json_body(RefreshIn)
    pair = auth.refresh(db_session(), refresh_token=body.refresh_token)
    return respond(TokenPair, pair, headers=NO_STORE)


@routes.post("/logout")
@operation(
    summary="Log out everywhere: refresh tokens and earlier access tokens stop working",
    body=LogoutIn,
    body_required=False,
    responses={204: "Logged out"},
)
@auth_required
def logout() -> Response:
    """Revoke every refresh token of the caller and every access token issued before now. The body
    is optional: none at all, or an empty one sent as `application/json`, is the same as `{}`.
    """
    from shared.services import auth

    json_body(LogoutIn, optional=True)
    auth.logout(db_session(), user=current_user())
    return Response(status=204)


@routes.get("/me")
@operation(summary="The caller's own account", responses={200: UserOut})
@auth_required
def me() -> Response:
    """The account the access token belongs to."""
    return respond(UserOut, current_user())


app = create_app(routes)


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)


init_done()  # last: everything above lives as long as the container
