"""The catalogue's CSV format, read as a stream: one checked record at a time.

Imported only by the import run (shared/services/import_rows.py), never at a cold start.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

from pydantic import ValidationError

from shared.schemas.base import field_errors
from shared.schemas.products import ProductIn

HEADER = ["sku", "name", "description", "category", "price_cents", "stock"]
MAX_BYTES = 10 * 1024 * 1024
TOO_LARGE = f"the file is larger than 10 MiB ({MAX_BYTES} bytes)"
INT32_MAX = 2_147_483_647
WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")
# Enough of a bad value to recognise it in the report, not enough to bloat it.
SHOWN_CHARACTERS = 40
# csv's default field_size_limit. Past it the csv module raises an error that would fail
# the whole file, so the reader is given a limit no field of a MAX_BYTES file can reach,
# and a field longer than this rejects only its own row. (No column takes over 5000.)
FIELD_MAX_CHARACTERS = 131_072


class UnreadableFile(Exception):
    """The file as a whole cannot be imported; the message is the reason for the report."""


class Record(NamedTuple):
    """One record of the file: the line it starts on, and its product or why it is rejected."""

    line: int
    product: dict[str, Any] | None
    error: str | None


def read_products(stream: IO[bytes]) -> Iterator[Record]:
    """Each record after the header, checked as a product; a SKU seen before is rejected.

    Raises UnreadableFile, possibly after some records, when the file is over MAX_BYTES,
    not UTF-8 (a BOM is fine), not CSV, or does not start with the exact header.
    """
    text = io.TextIOWrapper(
        io.BufferedReader(_SizeLimited(stream, MAX_BYTES)), encoding="utf-8-sig", newline=""
    )
    # The limit is process-wide; it is only ever raised, and the file size bounds memory.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    # strict: a stray quote (`"a"b`) or a quote left open at the end is an error, not data.
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, None)
        if header != HEADER:
            raise UnreadableFile(f"the first line must be the header {','.join(HEADER)}")
        first_line_of_sku: dict[str, int] = {}
        starts = reader.line_num + 1
        for fields in reader:
            if fields:  # a blank line is no record
                record = _checked(starts, fields, first_line_of_sku)
                if record.product is not None:
                    first_line_of_sku[record.product["sku"]] = starts
                yield record
            starts = reader.line_num + 1
    except UnicodeDecodeError:
        raise UnreadableFile("the file is not UTF-8 text") from None
    except csv.Error as error:
        raise UnreadableFile(
            f"the file is not valid CSV: line {reader.line_num}: {error}"
        ) from None


def _checked(line: int, fields: list[str], first_line_of_sku: dict[str, int]) -> Record:
    if len(fields) != len(HEADER):
        return Record(line, None, f"expected {len(HEADER)} fields, found {len(fields)}")
    values = dict(zip(HEADER, fields, strict=True))
    too_long = [name for name, value in values.items() if len(value) > FIELD_MAX_CHARACTERS]
    if too_long:
        return Record(
            line,
            None,
            "; ".join(
                f"{name}: longer than {FIELD_MAX_CHARACTERS} characters" for name in too_long
            ),
        )
    errors = []
    for name in ("price_cents", "stock"):
        raw = values[name]
        if WHOLE_NUMBER.fullmatch(raw) and int(raw) <= INT32_MAX:
            values[name] = int(raw)
        else:
            errors.append(
                f"{name}: must be a whole number from 0 to {INT32_MAX}, not {_shown(raw)}"
            )
            values[name] = 0  # so that the other fields are still checked
    for name in ("description", "category"):
        if not values[name].strip():
            values[name] = None
    try:
        product = ProductIn.model_validate(values).model_dump()
    except ValidationError as error:
        errors[:0] = [f"{e['field']}: {e['message']}" for e in field_errors(error)]
        product = None
    if errors:
        return Record(line, None, "; ".join(errors))
    if (earlier := first_line_of_sku.get(product["sku"])) is not None:
        return Record(line, None, f"sku: {product['sku']} is already on line {earlier}")
    return Record(line, product, None)


def _shown(value: str) -> str:
    if len(value) > SHOWN_CHARACTERS:
        value = value[:SHOWN_CHARACTERS] + "…"
    return repr(value)


class _SizeLimited(io.RawIOBase):
    """A binary stream that refuses to deliver more than `limit` bytes."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # Read one byte past what is left, so a file of exactly `limit` bytes passes.
        data = self._stream.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise UnreadableFile(TOO_LARGE)
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)
