"""How a resource declares its routes: one Blueprint per resource, and the path converters.

A resource's path prefix and its OpenAPI tag are said once, on its `Resource`; every route
of the resource inherits both (as flaskr's `auth` blueprint and the FastAPI template's
`APIRouter(prefix=, tags=)` do).
"""

from __future__ import annotations

from typing import ClassVar

from flask import Blueprint
from werkzeug.routing import BaseConverter

from shared.limits import MAX_INTEGER


class Resource(Blueprint):
    """A resource's routes under one path prefix, documented under one OpenAPI tag.

    The tag is the resource's name; `description` is what the document says it holds.
    """

    def __init__(
        self, name: str, import_name: str, *, description: str, url_prefix: str | None = None
    ) -> None:
        super().__init__(name, import_name, url_prefix=url_prefix)
        self.description = description


def _decimal_up_to(limit: int) -> str:
    """A regex of the decimal numbers 1..`limit`, without leading zeros."""
    digits = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(digits) - 2}}}"
    same_length = []
    for i, digit in enumerate(digits):
        lowest = "1" if i == 0 else "0"
        if digit > lowest:
            below = f"[{lowest}-{int(digit) - 1}]"
            same_length.append(f"{digits[:i]}{below}[0-9]{{{len(digits) - i - 1}}}")
    return "|".join([shorter, *same_length, digits])


class IdConverter(BaseConverter):
    """`<id:...>`: a positive 32-bit integer; anything else does not match (a 404).

    The range lives in the regex, not in `to_python`: werkzeug tries converters after
    methods, so a value refused there would turn PATCH /orders/0 into a 405.
    """

    regex = f"(?:{_decimal_up_to(MAX_INTEGER)})"
    part_isolating = True
    openapi: ClassVar[dict] = {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class UuidConverter(BaseConverter):
    """`<uuid:...>`: a UUID in its 8-4-4-4-12 hex form, as text in lower case."""

    regex = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    part_isolating = True
    openapi: ClassVar[dict] = {"type": "string", "format": "uuid"}

    def to_python(self, value: str) -> str:
        return value.lower()


CONVERTERS = {"id": IdConverter, "uuid": UuidConverter}
