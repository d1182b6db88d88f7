"""Bodies of the auth routes and the user as clients see it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from shared.emails import InvalidEmail, canonical_email, normalize_email
from shared.schemas.base import RequestModel, ResponseModel, UTCTimestamp, named_enum, text

Role = named_enum("Role", ("customer", "admin"))


def _email(value: str) -> str:
    try:
        return canonical_email(value)
    except InvalidEmail as error:
        raise ValueError(f"must be a valid e-mail address: {error}") from None


EMAIL_DESCRIPTION = (
    "Stored and compared in one form per mailbox: Unicode NFC, an internationalized domain "
    "in Unicode (its punycode form is the same address), lower-cased"
)
Email = Annotated[
    text(max_length=320, strip=True),
    AfterValidator(_email),
    Field(description=EMAIL_DESCRIPTION),
]
# Login looks any text up: a malformed address is simply an unknown account (401).
LoginEmail = Annotated[text(max_length=320, strip=True), AfterValidator(normalize_email)]
Password = text(min_length=10, max_length=256)
Name = text(min_length=1, max_length=100, strip=True)
Token = text(min_length=1, max_length=4096)


class RegisterIn(RequestModel):
    email: Email
    password: Password
    name: Name


class LoginIn(RequestModel):
    email: LoginEmail
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
    role: Role
    is_active: bool
    created_at: UTCTimestamp
