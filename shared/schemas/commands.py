"""Operator commands taken by the manage function."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shared.schemas.auth import Email, Name, Password
from shared.schemas.base import RequestModel


class CreateAdmin(RequestModel):
    """Create an admin account, or make an existing account an active admin."""

    command: Literal["create-admin"]
    email: Email
    password: Password
    name: Name
    reset_password: bool = Field(
        default=False,
        description="give an existing account the password given (else it keeps its own)",
    )


class SeedDemo(RequestModel):
    """Load the demo catalogue (safe to repeat)."""

    command: Literal["seed-demo"]


Command = Annotated[CreateAdmin | SeedDemo, Field(discriminator="command")]
