"""Strict building blocks shared by every request and response model."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
)


def _clean_text(value: str) -> str:
    # JSON can carry U+0000 and lone surrogates; neither is text a database should keep.
    if "\x00" in value:
        raise ValueError("must not contain U+0000")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain unpaired surrogates") from None
    return value


Text = Annotated[str, AfterValidator(_clean_text)]


def text(*, min_length: int = 0, max_length: int, strip: bool = False) -> type[str]:
    """Clean text of `min_length`..`max_length` characters (after stripping, if `strip`)."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length),
        AfterValidator(_clean_text),
    ]


Int32 = Annotated[int, Field(ge=0, le=2_147_483_647)]


def _utc_text(moment: datetime) -> str:
    """`moment` in UTC as 2026-01-01T00:00:00.000000Z: microseconds always, then Z."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # Called for every timestamp of every page: isoformat() without arguments is the
    # cheapest form, and leaves the microseconds out only when they are zero.
    text = moment.isoformat()[:-6]  # without "+00:00"
    return f"{text}Z" if moment.microsecond else f"{text}.000000Z"


UTCTimestamp = Annotated[datetime, PlainSerializer(_utc_text, return_type=str, when_used="json")]


class RequestModel(BaseModel):
    """A request body: strict types (no "1" for 1, no true for 1), unknown fields rejected."""

    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)


class QueryModel(BaseModel):
    """Query parameters: unknown names rejected, numbers only as plain digits."""

    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)


def _query_int(value: object) -> object:
    # Query strings are text: accept "42" but not "4.2", "1e3", " 42" or "+42".
    if isinstance(value, str):
        if not re.fullmatch(r"-?[0-9]{1,18}", value):
            raise ValueError("must be a whole number")
        return int(value)
    return value


def _query_bool(value: object) -> object:
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("must be true or false")


QueryInt = Annotated[int, BeforeValidator(_query_int)]
QueryInt32 = Annotated[QueryInt, Field(ge=0, le=2_147_483_647)]
QueryLimit = Annotated[QueryInt, Field(ge=1, le=100)]
QueryBool = Annotated[bool, BeforeValidator(_query_bool)]


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, defer_build=True)


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Each failure as {"field": "items[0].quantity", "message": ...}."""
    errors = []
    for item in error.errors(include_url=False, include_context=False):
        field = ""
        for part in item["loc"]:
            field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else str(part)
        message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
        errors.append({"field": field or "body", "message": message})
    return errors
