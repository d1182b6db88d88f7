"""users function: user administration, for admins only."""

from __future__ import annotations

import serverless_wsgi
from flask import Response

from handlers import init_done
from shared.auth import auth_required, current_user
from shared.openapi import Tag, operation
from shared.schemas.auth import UserOut
from shared.schemas.users import UserPage, UserPatch, UserQuery
from shared.services import users
from shared.web import create_app, db_session, json_body, query, respond

app = create_app(__name__)
TAG = Tag("users", "User administration, for admins only")


@app.get("/users")
@operation(
    summary="List users: q matches e-mail or name, case-insensitively",
    tag=TAG,
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


@app.get("/users/<id:user_id>")
@operation(
    summary="One user",
    tag=TAG,
    responses={200: UserOut, 404: "No such user"},
)
@auth_required(role="admin")
def get_user(user_id: int) -> Response:
    """One account by id."""
    return respond(UserOut, users.get_user(db_session(), user_id))


@app.patch("/users/<id:user_id>")
@operation(
    summary="Change a user's name, role or active flag",
    tag=TAG,
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


def handler(event: dict, context: object) -> dict:
    return serverless_wsgi.handle_request(app, event, context)


init_done()  # last: everything above lives as long as the container
