"""What a request sends, validated: its JSON body and its query string (400, 415, 422)."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from flask import request
from pydantic import BaseModel
from pydantic import ValidationError as ModelValidationError

from shared.errors import BadRequest, InvalidInput, UnsupportedMediaType
from shared.schemas.base import field_errors

# RFC 8259 lets a parser limit nesting; ours recurses per level, and no body of the shop
# nests deeper than 3, so anything past this is refused before it is parsed.
MAX_BODY_DEPTH = 32


def json_body[Model: BaseModel](model: type[Model], *, optional: bool = False) -> Model | None:
    """The request body validated as `model`: 415, 400 and 422 as the contract says.

    An `optional` body may be left out, whatever the request says its type is: generated
    clients send `Content-Type: application/json` on every request of an operation that
    takes JSON, with a body or without.
    """
    raw = request.get_data(cache=True)
    if not raw and optional:
        return None
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("The body must be sent as application/json.")
    if _nests_deeper_than(raw, MAX_BODY_DEPTH):
        raise BadRequest(f"The body nests arrays and objects deeper than {MAX_BODY_DEPTH} levels.")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return validate(model, data)


def query[Model: BaseModel](model: type[Model]) -> Model:
    """The query string validated as `model`; empty values count as absent (422 if bad)."""
    data = {}
    for name in request.args:
        values = [v for v in request.args.getlist(name) if v != ""]
        if values:
            data[name] = ",".join(values)
    return validate(model, data)


def validate[Model: BaseModel](model: type[Model], data: Any) -> Model:
    """`data` as `model`, or InvalidInput naming every field at fault."""
    try:
        return model.model_validate(data)
    except ModelValidationError as error:
        raise InvalidInput("The request has invalid fields.", errors=field_errors(error)) from None


def _reject_constant(token: str) -> None:
    raise ValueError(f"{token} is not JSON")


# A JSON string, or an unterminated one up to the end; unrolled, so it never backtracks.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = [0] * 256
_DEPTH_STEP[ord("[")] = _DEPTH_STEP[ord("{")] = 1
_DEPTH_STEP[ord("]")] = _DEPTH_STEP[ord("}")] = -1


def _nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects in `raw` nest deeper than `limit`, strings left out.

    It counts as json.loads would recurse before succeeding or failing; every step runs
    in C, and a body with few brackets needs no more than two counts.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > limit
