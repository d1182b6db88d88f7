"""Bodies of the auth routes and the user as clients see it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from shared.schemas.base import RequestModel, ResponseModel, UTCTimestamp, text


def _email(value: str) -> str:
    # Lengths per RFC 5321; syntax by email-validator, imported only when an address is
    # actually checked because it is needed only by register and login.
    from email_validator import EmailNotValidError, validate_email

    local = value.rpartition("@")[0]
    if len(value) > 254 or len(local) > 64:
        raise ValueError("is longer than RFC 5321 allows")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
    return value.lower()


Email = Annotated[text(max_length=320, strip=True), AfterValidator(_email)]
Password = text(min_length=10, max_length=256)
Name = text(min_length=1, max_length=100, strip=True)
Token = text(min_length=1, max_length=4096)


class RegisterIn(RequestModel):
    email: Email
    password: Password
    name: Name


class LoginIn(RequestModel):
    email: text(max_length=320)
    password: text(max_length=256)


class RefreshIn(RequestModel):
    refresh_token: Token


class LogoutIn(RequestModel):
    refresh_token: Token | None = None


class TokenPair(ResponseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class UserOut(ResponseModel):
    id: int
    email: str
    name: str
    role: Literal["customer", "admin"]
    is_active: bool
    created_at: UTCTimestamp
