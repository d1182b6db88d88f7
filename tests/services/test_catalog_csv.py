"""The catalogue's CSV format, read as a stream."""

from __future__ import annotations

import io

import pytest

from shared.services.catalog_csv import HEADER, MAX_BYTES, UnreadableFile, read_products


def csv_of(size: int) -> bytes:
    """A well-formed products CSV of exactly `size` bytes."""
    head = (",".join(HEADER) + "\nSKU-1,Pen,,,100,1\n").encode()
    return head + b"\n" * (size - len(head))


@pytest.mark.slow
def test_a_stream_of_exactly_10_mib_is_read_to_the_end():
    records = list(read_products(io.BytesIO(csv_of(MAX_BYTES))))

    assert [(r.line, r.product["sku"]) for r in records] == [(2, "SKU-1")]


@pytest.mark.slow
def test_reading_stops_at_the_first_byte_past_10_mib_whatever_length_was_declared():
    # S3 reports ContentLength before the body is read; the count while reading is what holds.
    stream = io.BytesIO(csv_of(MAX_BYTES + 1))

    with pytest.raises(UnreadableFile, match=r"larger than 10 MiB"):
        list(read_products(stream))


def test_a_field_past_csvs_default_limit_rejects_only_its_row():
    huge = "x" * (131_072 + 1)
    content = "\n".join(
        [
            ",".join(HEADER),
            "SKU-1,Pen,,,100,1",
            f'SKU-2,Ink,"{huge}\n{huge}",,100,1',  # one field over two lines
            f"SKU-3,{huge},,,1,1",
            "SKU-4,Nib,,,5,1\n",
        ]
    ).encode()

    records = list(read_products(io.BytesIO(content)))

    assert [(r.line, r.product and r.product["sku"], r.error) for r in records] == [
        (2, "SKU-1", None),
        (3, None, "description: longer than 131072 characters"),
        (5, None, "name: longer than 131072 characters"),
        (6, "SKU-4", None),
    ]


def test_a_field_of_only_spaces_past_the_limit_is_rejected_not_emptied():
    content = (",".join(HEADER) + f"\nSKU-1,Pen,{' ' * 200_000},,100,1\n").encode()

    [record] = read_products(io.BytesIO(content))

    assert record.product is None
    assert record.error == "description: longer than 131072 characters"


@pytest.mark.slow
def test_a_field_that_fills_most_of_a_10_mib_file_is_rejected_without_failing_the_file():
    content = (",".join(HEADER) + "\nSKU-1,Pen,").encode()
    content += b"d" * (MAX_BYTES - len(content) - len(b",,1,1\n")) + b",,1,1\n"
    assert len(content) == MAX_BYTES

    [record] = read_products(io.BytesIO(content))

    assert (record.line, record.error) == (2, "description: longer than 131072 characters")
