"""The catalogue's CSV format, read as a stream."""

from __future__ import annotations

import io

import pytest

from shared.services.catalog_csv import HEADER, MAX_BYTES, UnreadableFile, read_products


def csv_of(size: int) -> bytes:
    """A well-formed products CSV of exactly `size` bytes."""
    head = (",".join(HEADER) + "\nSKU-1,Pen,,,100,1\n").encode()
    return head + b"\n" * (size - len(head))


def test_a_stream_of_exactly_10_mib_is_read_to_the_end():
    records = list(read_products(io.BytesIO(csv_of(MAX_BYTES))))

    assert [(r.line, r.product["sku"]) for r in records] == [(2, "SKU-1")]


def test_reading_stops_at_the_first_byte_past_10_mib_whatever_length_was_declared():
    # S3 reports ContentLength before the body is read; the count while reading is what holds.
    stream = io.BytesIO(csv_of(MAX_BYTES + 1))

    with pytest.raises(UnreadableFile, match=r"larger than 10 MiB"):
        list(read_products(stream))
