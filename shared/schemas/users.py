"""Bodies and answers of the users routes (admins only)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.schemas.auth import Name, Role, UserOut
from shared.schemas.base import (
    QueryBool,
    QueryLimit,
    QueryModel,
    RequestModel,
    ResponseModel,
    Text,
)


class UserQuery(QueryModel):
    q: Annotated[Text, Field(max_length=254)] | None = None
    role: Role | None = None
    is_active: QueryBool | None = None
    limit: QueryLimit = 20
    cursor: Annotated[str, Field(max_length=2000)] | None = None


class UserPatch(RequestModel):
    name: Name = None
    role: Role = None
    is_active: bool = None


class UserPage(ResponseModel):
    """One page of users, oldest first, and the cursor of the next, if any"""

    items: list[UserOut]
    next_cursor: str | None
