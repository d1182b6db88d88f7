"""users function: user administration, for admins only."""

from __future__ import annotations

import serverless_wsgi
from flask import Response

from handlers import init_done
from shared.auth import auth_required, current_user
from shared.openapi import operation
from shared.request_input import json_body, query
from shared.routing import Resource
from shared.schemas.auth import UserOut
from shared.schemas.users import UserPage, UserPatch, UserQuery
from shared.services import users
from shared.web import create_app, db_session, respond

routes = Resource(
    "users",
    __name__,
    url_prefix="/users",
    description="User administration, for admins only",
)


@routes.get("")
@operation(
    summary="List users: q matches e-mail or name, case-insensitively",
    query=UserQuery,
    responses={200: UserPage},
)
@auth_required(role="admin")
def list_users() -> Response:
    """Every account, oldest first, a page at a time; `q` matches a substring of the e-mail address
    or the name, case-insensitively.
    """
    args = query(UserQuery)
    page = users.list_users(
        db_session(),
        q=args.q,
        role=args.role,
        is_active=args.is_active,
        limit=args.limit,
        cursor=args.cursor,
    )
    return respond(UserPage, page)


@routes.get("/<id:user_id>")
@operation(
    summary="One user",
    responses={200: UserOut, 404: "No such user"},
)
@auth_required(role="admin")
def get_user(user_id: int) -> Response:
    """One account by id."""
    return respond(UserOut, users.get_user(db_session(), user_id))


@routes.patch("/<id:user_id>")
@operation(
    summary="Change a user's name, role or active flag",
    body=UserPatch,
    responses={
        200: UserOut,
        404: "No such user",
        409: "An admin cannot demote or deactivate themselves, nor the last active admin",
    },
)
@auth_required(role="admin")
def update_user(user_id: int) -> Response:
    """Change any of `name`, `role` and `is_active`. An admin cannot demote or deactivate
    themselves, and the shop always keeps an active admin: a change that would leave none is a
    409.
    """
    changes = json_body(UserPatch).model_dump(exclude_unset=True)
    return respond(
        UserOut, users.update_user(db_session(), user_id, changes=changes, acting=current_user())
    )


app = create_app(routes)


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)


init_done()  # last: everything above lives as long as the container
