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
    # An existing account keeps its password unless this asks for the new one.
    reset_password: bool = False


class SeedDemo(RequestModel):
    command: Literal["seed-demo"]


Command = Annotated[CreateAdmin | SeedDemo, Field(discriminator="command")]
