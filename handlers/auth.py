"""auth function: accounts and tokens (the Auth section of the contract)."""

from __future__ import annotations

import serverless_wsgi
from flask import Response, g

from shared.auth import auth_required
from shared.openapi import operation
from shared.schemas.auth import LoginIn, LogoutIn, RefreshIn, RegisterIn, TokenPair, UserOut
from shared.services import auth
from shared.web import create_app, json_body, respond, session

app = create_app(__name__)
UNAUTHENTICATED = "Wrong credentials, or a token that is invalid, expired or revoked"


@app.post("/auth/register")
@operation(
    summary="Register a customer account",
    tag="auth",
    body=RegisterIn,
    responses={201: UserOut, 409: "An account with this e-mail address exists"},
)
def register() -> Response:
    body = json_body(RegisterIn)
    return respond(UserOut, auth.register(session(), **body.model_dump()), 201)


@app.post("/auth/login")
@operation(
    summary="Log in: a new access and refresh token pair",
    tag="auth",
    body=LoginIn,
    responses={200: TokenPair, 401: UNAUTHENTICATED},
)
def login() -> Response:
    body = json_body(LoginIn)
    return respond(TokenPair, auth.login(session(), **body.model_dump()))


@app.post("/auth/refresh")
@operation(
    summary="Rotate a refresh token; a reused one revokes its whole login chain",
    tag="auth",
    body=RefreshIn,
    responses={200: TokenPair, 401: UNAUTHENTICATED},
)
def refresh() -> Response:
    body = json_body(RefreshIn)
    return respond(TokenPair, auth.refresh(session(), refresh_token=body.refresh_token))


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
