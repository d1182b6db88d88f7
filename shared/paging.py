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

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, tuple_
from sqlalchemy.orm import Session

from shared.errors import InvalidInput
from shared.signing_keys import signing_keys


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this listing issued.",
        errors=[{"field": "cursor", "message": "invalid, tampered or for another query"}],
    )


def contains(column: ColumnElement, pattern: BindParameter) -> ColumnElement:
    """Case-insensitive match of `column` against a `substring_pattern` bound as `pattern`."""
    return column.ilike(pattern, escape="\\")


def substring_pattern(text: str) -> str:
    """The LIKE pattern of `text` as a substring, with %, _ and \\ in it taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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


class Listing:
    """A keyset-paged SELECT of plain columns, built once and run with bound parameters.

    A service keeps one per combination of filters and sort: SQLAlchemy then neither
    rebuilds the statement nor recomputes its cache key on each request, and rows come back
    as tuples, not ORM objects (list pages are read-only). `statement` selects columns
    of a table (not entities), including the sort's id column, and binds each filter's
    value by name.
    """

    def __init__(self, statement: Select, sort: SortKey) -> None:
        self.sort = sort
        key = tuple_(sort.expression, sort.id_column)
        after = tuple_(
            bindparam("page_after_value", type_=sort.expression.type),
            bindparam("page_after_id", type_=sort.id_column.type),
        )
        if sort.descending:
            order = (sort.expression.desc(), sort.id_column.desc())
        else:
            order = (sort.expression.asc(), sort.id_column.asc())
        selected = list(statement.selected_columns)
        self._width = len(selected)
        # The cursor's sort value: a selected column if the sort is one, else one more.
        self._sort_at = next((i for i, c in enumerate(selected) if c is sort.expression), None)
        if self._sort_at is None:
            statement = statement.add_columns(sort.expression.label("_sort_value"))
            self._sort_at = self._width
        self.first_page = statement.order_by(*order).limit(bindparam("page_size"))
        self.later_page = self.first_page.where(key < after if sort.descending else key > after)
        self._id_key = sort.id_column.key

    def fetch(
        self,
        session: Session,
        *,
        params: dict[str, Any],
        scope: dict[str, Any],
        limit: int,
        cursor: str | None,
    ) -> Page:
        """One page after `cursor`: each item a dict of the selected columns, by name.

        `scope` is everything besides the sort that decides which rows are listed (filters,
        the caller's own id): a cursor only continues the listing it was issued for.
        `params` are the filters' bound values; None means not given (its statement has
        no such parameter).
        """
        fingerprint = _fingerprint(scope)
        params = {name: value for name, value in params.items() if value is not None}
        params["page_size"] = limit + 1
        statement = self.first_page
        if cursor:
            value, last_id = _read(cursor, sort=self.sort.name, fingerprint=fingerprint)
            params["page_after_value"], params["page_after_id"] = value, last_id
            statement = self.later_page
        result = session.execute(statement, params)
        names = list(result.keys())[: self._width]
        rows = result.all()
        items = [dict(zip(names, row, strict=False)) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = _write(
                self.sort.name, fingerprint, last[self._sort_at], items[-1][self._id_key]
            )
        return Page(items, next_cursor)


def _fingerprint(scope: dict[str, Any]) -> str:
    canonical = json.dumps(scope, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _cursor_keys() -> Sequence[bytes]:
    return [
        hmac.new(k, b"shop-api/cursor", hashlib.sha256).digest() for k in signing_keys().verifying
    ]


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
