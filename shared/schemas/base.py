"""Strict building blocks shared by every request and response model."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import CoreSchema

from shared.limits import MAX_INTEGER


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


Int32 = Annotated[int, Field(ge=0, le=MAX_INTEGER)]


class _OwnSchema:
    """Puts a type's JSON Schema in components under `name`, with `extra` keywords.

    Client generators name a class after a component; an enum written inline in each
    model becomes a class per field (`OrderOutStatus`, `GetListOrdersStatus`) instead.
    """

    def __init__(self, name: str, **extra: Any) -> None:
        self.name = name
        self.extra = extra

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # A core schema with a `ref` is one definition: pydantic's JSON Schema references it.
        return {**handler(source), "ref": f"{self.name}:shop"}

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        reference = handler(core_schema)
        handler.resolve_ref_schema(reference).update(title=self.name, **self.extra)
        return reference


def named_enum(name: str, values: tuple[str, ...], *, varnames: tuple[str, ...] = ()) -> type[str]:
    """One of `values`, a plain str in Python, and the enum `name` in the OpenAPI document.

    `varnames` names the members where a value is no identifier (`-price_cents`);
    generators read them from `x-enum-varnames`.
    """
    extra = {"x-enum-varnames": list(varnames)} if varnames else {}
    return Annotated[Literal[values], _OwnSchema(name, **extra)]  # type: ignore[valid-type]


def utc_text(moment: datetime) -> str:
    """`moment` in UTC as 2026-01-01T00:00:00.000000Z: microseconds always, then Z."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # Called for every timestamp of every page: isoformat() without arguments is the
    # cheapest form, and leaves the microseconds out only when they are zero.
    text = moment.isoformat()[:-6]  # without "+00:00"
    return f"{text}Z" if moment.microsecond else f"{text}.000000Z"


UTCTimestamp = Annotated[
    datetime,
    PlainSerializer(utc_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


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


def query_int(*, ge: int, le: int) -> type[int]:
    """A whole number from the query string, `ge`..`le`.

    The bounds come before the text is read: pydantic applies the ones after a
    BeforeValidator in a wrapper, and documents those as `ge`/`le`, words no JSON Schema
    reader knows.
    """
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_query_int)]


QueryInt32 = query_int(ge=0, le=MAX_INTEGER)
QueryLimit = query_int(ge=1, le=100)
QueryBool = Annotated[bool, BeforeValidator(_query_bool)]


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, defer_build=True)


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Each failure as {"field": "items[0].quantity", "message": ...}."""
    errors = []
    for item in error.errors(include_url=False):
        field = ""
        for part in item["loc"]:
            field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else str(part)
        errors.append({"field": field or "body", "message": _message(item)})
    return errors


def _message(item: dict[str, Any]) -> str:
    """The failure in the shop's words: its own message for each kind of failure pydantic
    reports, and a validator's own message without pydantic's "Value error, " prefix."""
    kind, context = item["type"], item.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        return str(context["error"])
    if kind in ("string_too_short", "too_short") and context.get("min_length") == 1:
        return "must not be empty"
    template = _MESSAGES.get(kind)
    if template is None:
        # A kind the shop's schemas are not known to produce: pydantic's sentence, lower-cased
        # to read like the rest (tests/schemas/test_base.py lists the kinds that do occur).
        return item["msg"][:1].lower() + item["msg"][1:]
    return template.format(**context)


_WHOLE_NUMBER = "must be a whole number"
_OBJECT = "must be a JSON object"
_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "int_type": _WHOLE_NUMBER,
    "int_parsing": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "string_too_short": "must be at least {min_length} characters long",
    "string_too_long": "must be at most {max_length} characters long",
    "string_pattern_mismatch": "is not in the expected format",
    "list_type": "must be a JSON array",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be more than {gt}",
    "less_than": "must be less than {lt}",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "uuid_type": "must be a UUID",
    "uuid_parsing": "must be a UUID",
}
