"""Operator commands taken by the manage function."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shared.schemas.auth import Email, Name, Password
from shared.schemas.base import RequestModel


class CreateAdmin(RequestModel):
    command: Literal["create-admin"]
    email: Email
    password: Password
    name: Name


Command = Annotated[CreateAdmin, Field(discriminator="command")]
