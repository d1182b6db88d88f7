"""Keyset pagination for every collection: stable under inserts, with signed cursors.

A cursor carries the sort, a fingerprint of the filters and the last row's (sort value, id);
it is HMAC-signed with a key derived from the JWT signing key, so a tampered cursor, or one
replayed against another sort or other filters, is refused (422) instead of paging wrongly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, tuple_
from sqlalchemy.orm import Session

from shared.errors import InvalidInput
from shared.services.tokens import signing_keys


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this listing issued.",
        errors=[{"field": "cursor", "message": "invalid, tampered or for another query"}],
    )


def contains(column: ColumnElement, text: str) -> ColumnElement:
    """Case-insensitive substring match, with %, _ and \\ in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


@dataclass(frozen=True)
class SortKey:
    """An order of a listing: an expression, its direction, and the id column breaking ties."""

    name: str
    expression: ColumnElement
    id_column: ColumnElement
    descending: bool = False


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def fetch_page(
    session: Session,
    statement: Select,
    *,
    sort: SortKey,
    scope: dict[str, Any],
    limit: int,
    cursor: str | None,
) -> Page:
    """One page of `statement` (a select of one entity) in `sort` order, after `cursor`.

    `scope` is everything besides the sort that decides which rows are listed (filters,
    the caller's own id): a cursor only continues the listing it was issued for.
    """
    fingerprint = _fingerprint(scope)
    key = tuple_(sort.expression, sort.id_column)
    if cursor:
        value, last_id = _read(cursor, sort=sort.name, fingerprint=fingerprint)
        after = tuple_(literal(value, type_=sort.expression.type), literal(last_id))
        statement = statement.where(key < after if sort.descending else key > after)
    if sort.descending:
        order = (sort.expression.desc(), sort.id_column.desc())
    else:
        order = (sort.expression.asc(), sort.id_column.asc())
    rows = session.execute(
        statement.add_columns(sort.expression.label("_sort_value"))
        .order_by(*order)
        .limit(limit + 1)
    ).all()
    items = [row[0] for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = _write(sort.name, fingerprint, last._sort_value, last[0].id)
    return Page(items, next_cursor)


def _fingerprint(scope: dict[str, Any]) -> str:
    canonical = json.dumps(scope, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _cursor_keys() -> Sequence[bytes]:
    return [hmac.new(k, b"shop-api/cursor", hashlib.sha256).digest() for k in signing_keys()[1]]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        # Unused low bits, padding or stray characters would let a changed cursor decode
        # to the same signed bytes: only the exact encoding issued is accepted.
        raise ValueError("not the canonical base64url encoding")
    return raw


def _write(sort: str, fingerprint: str, value: Any, last_id: Any) -> str:
    if isinstance(value, datetime):
        encoded = {"t": "dt", "v": value.isoformat()}
    else:
        encoded = {"t": "raw", "v": value}
    payload = json.dumps(
        {"s": sort, "f": fingerprint, "k": encoded, "i": last_id},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    signature = hmac.new(_cursor_keys()[0], payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(signature)}"


def _read(cursor: str, *, sort: str, fingerprint: str) -> tuple[Any, Any]:
    try:
        payload_part, signature_part = cursor.split(".")
        payload, signature = _unb64(payload_part), _unb64(signature_part)
    except ValueError:
        raise _bad_cursor() from None
    if not any(
        hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).digest()[:16], signature)
        for key in _cursor_keys()
    ):
        raise _bad_cursor()
    data = json.loads(payload)
    if data["s"] != sort or data["f"] != fingerprint:
        raise _bad_cursor()
    value = data["k"]["v"]
    if data["k"]["t"] == "dt":
        value = datetime.fromisoformat(value)
    return value, data["i"]
