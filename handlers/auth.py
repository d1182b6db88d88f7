"""auth function: accounts and tokens (the Auth section of the contract)."""

from __future__ import annotations

import serverless_wsgi
from flask import Response, g, request

from handlers import init_done
from shared import metrics
from shared.auth import auth_required
from shared.errors import NotAuthenticated, TooManyAttempts
from shared.openapi import operation
from shared.schemas.auth import LoginIn, LogoutIn, RefreshIn, RegisterIn, TokenPair, UserOut
from shared.web import create_app, json_body, respond, session

app = create_app(__name__)
UNAUTHENTICATED = "Wrong credentials, or a token that is invalid, expired or revoked"
THROTTLED = "Too many failed logins for this address or from this client; see Retry-After"
# A token must not be kept by a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store"}


def _source_ip() -> str | None:
    """The client's address: serverless-wsgi takes REMOTE_ADDR from API Gateway's sourceIp."""
    return request.remote_addr or None


@app.post("/auth/register")
@operation(
    summary="Register a customer account",
    tag="auth",
    body=RegisterIn,
    responses={
        201: UserOut,
        409: "An account with this e-mail address exists",
        429: "Too many new accounts from this client; see Retry-After",
    },
    headers={429: "Retry-After"},
)
def register() -> Response:
    # The account service (rate limits, refresh tokens) loads with the first route that
    # needs it: /auth/me, a common first call of a container, only reads the caller.
    from shared.services import auth

    body = json_body(RegisterIn)
    try:
        user = auth.register(session(), **body.model_dump(), source_ip=_source_ip())
    except TooManyAttempts:
        metrics.count(metrics.REGISTRATIONS_THROTTLED)
        raise
    return respond(UserOut, user, 201)


@app.post("/auth/login")
@operation(
    summary="Log in: a new access and refresh token pair",
    tag="auth",
    body=LoginIn,
    responses={200: TokenPair, 401: UNAUTHENTICATED, 429: THROTTLED},
    headers={200: "Cache-Control", 429: "Retry-After"},
)
def login() -> Response:
    from shared.services import auth

    body = json_body(LoginIn)
    try:
        pair = auth.login(session(), **body.model_dump(), source_ip=_source_ip())
    except NotAuthenticated:
        metrics.count(metrics.LOGINS_FAILED)
        raise
    except TooManyAttempts:
        metrics.count(metrics.LOGINS_THROTTLED)
        raise
    return respond(TokenPair, pair, headers=NO_STORE)


@app.post("/auth/refresh")
@operation(
    summary="Rotate a refresh token; a reused one revokes its whole login chain",
    tag="auth",
    body=RefreshIn,
    responses={200: TokenPair, 401: UNAUTHENTICATED},
    headers={200: "Cache-Control"},
)
def refresh() -> Response:
    from shared.services import auth

    body = json_body(RefreshIn)
    pair = auth.refresh(session(), refresh_token=body.refresh_token)
    return respond(TokenPair, pair, headers=NO_STORE)


@app.post("/auth/logout")
@operation(
    summary="Log out everywhere: refresh tokens and earlier access tokens stop working",
    tag="auth",
    body=LogoutIn,
    body_required=False,
    responses={204: "Logged out"},
)
@auth_required
def logout() -> Response:
    from shared.services import auth

    json_body(LogoutIn, optional=True)
    auth.logout(session(), user=g.user)
    return Response(status=204)


@app.get("/auth/me")
@operation(summary="The caller's own account", tag="auth", responses={200: UserOut})
@auth_required
def me() -> Response:
    return respond(UserOut, g.user)


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)


init_done()  # last: everything above lives as long as the container
