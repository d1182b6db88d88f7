"""The rows of an uploaded file into the catalogue: checked, upserted in batches, tallied."""

from __future__ import annotations

import io

import pytest

from shared.deadline import NEVER, Deadline, OutOfTime
from shared.services import import_rows
from tests.catalog_files import HEADER, products, rows
from tests.faults.lambda_time import TimeRunningOut


def load(session, content: str | bytes, *, deadline: Deadline = NEVER) -> import_rows.Tally:
    """Load `content` as the rows of an uploaded file, in the session's open transaction."""
    body = content.encode() if isinstance(content, str) else content
    return import_rows.load(session, io.BytesIO(body), deadline=deadline)


def test_good_rows_are_imported_even_when_other_rows_are_bad(engine, session):
    content = (
        HEADER
        + "MUG-1,Mug,A white mug,kitchen,1250,10\n"  # 2
        + "MUG-2,Mug,,,twelve,10\n"  # 3: price not a number
        + "MUG-3,Mug,,,-5,10\n"  # 4: negative price
        + "MUG-4,Mug,,,12.50,10\n"  # 5: a float price
        + "MUG-5,Mug,,,1250\n"  # 6: a column missing
        + ",Nameless sku,,,100,1\n"  # 7: empty sku
        + "MUG-1,Mug again,,,999,1\n"  # 8: SKU already on line 2
        + "MUG-6,,,,100,1e3\n"  # 9: empty name and a stock in exponent notation
        + "MUG-7,Mug,,,2147483648,1\n"  # 10: price beyond 32 bits
        + "MUG-8,Mug,,,100,1,extra\n"  # 11: a column too many
        + "MUG-9,Tea mug, ,  ,0,0\n"  # 12: blank description and category are none
    )

    tally = load(session, content)

    assert (tally.created, tally.updated) == (2, 0)
    assert products(session) == {
        "MUG-1": ("Mug", "A white mug", "kitchen", 1250, 10),
        "MUG-9": ("Tea mug", None, None, 0, 0),
    }
    errors = {row["line"]: row["error"] for row in tally.listed_rejections()}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert errors[3] == "price_cents: must be a whole number from 0 to 2147483647, not 'twelve'"
    assert "price_cents" in errors[4] and "'-5'" in errors[4]
    assert "price_cents" in errors[5] and "'12.50'" in errors[5]
    assert errors[6] == "expected 6 fields, found 5"
    assert errors[7].startswith("sku: ")
    assert errors[8] == "sku: MUG-1 is already on line 2"
    assert errors[9].startswith("name: ") and "stock: " in errors[9]
    assert "price_cents" in errors[10]
    assert errors[11] == "expected 6 fields, found 7"


def test_past_a_limit_rejected_rows_are_counted_instead_of_listed(engine, session, monkeypatch):
    monkeypatch.setattr(import_rows, "LISTED_REJECTIONS", 3)
    content = HEADER + "OK-1,Fine,,,1,1\n" + "".join(f"BAD-{i},Bad,,,x,1\n" for i in range(6))

    tally = load(session, content)

    assert (tally.created, tally.rows_rejected) == (1, 6)
    assert [row["line"] for row in tally.listed_rejections()] == [3, 4, 5, 6]
    assert tally.listed_rejections()[-1]["error"] == (
        "3 rejected rows from this line on are not listed"
    )


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(engine, session):
    content = "\ufeff" + (HEADER + "CUP-1,Cup,,,300,3\n" + "CUP-2,Cup,,,x,3\n").replace(
        "\n", "\r\n"
    )

    tally = load(session, content)

    assert tally.created == 1
    assert products(session) == {"CUP-1": ("Cup", None, None, 300, 3)}
    assert [row["line"] for row in tally.listed_rejections()] == [3]


def test_quoted_commas_and_line_breaks_stay_in_their_field_and_later_lines_keep_their_numbers(
    engine, session
):
    content = (
        HEADER
        + 'LAMP-1,"Lamp, brass","Two lines:\r\nbright, then dim","home, office",4500,2\r\n'
        + 'LAMP-2,"He said ""hi""","one\ntwo\nthree",,100,1\n'  # lines 4-6
        + "LAMP-3,Lamp,,,oops,1\n"  # line 7
    )

    tally = load(session, content)

    assert tally.created == 2
    assert products(session) == {
        "LAMP-1": ("Lamp, brass", "Two lines:\r\nbright, then dim", "home, office", 4500, 2),
        "LAMP-2": ('He said "hi"', "one\ntwo\nthree", None, 100, 1),
    }
    assert [row["line"] for row in tally.listed_rejections()] == [7]


def test_blank_lines_are_skipped_and_a_nul_character_rejects_only_its_row(engine, session):
    content = HEADER + "\nPEN-1,Pen,,,100,1\n\nPEN-2,Pen\x00,,,100,1\n\n"

    tally = load(session, content)

    assert tally.created == 1
    assert [row["line"] for row in tally.listed_rejections()] == [5]
    assert "U+0000" in tally.listed_rejections()[0]["error"]


def test_a_row_with_a_field_past_csvs_default_limit_is_rejected_and_the_others_imported(
    engine, session
):
    huge = "d" * 200_000

    tally = load(session, HEADER + f"SKU-1,Pen,,,100,1\nSKU-2,Ink,{huge},,100,1\nSKU-3,Nib,,,5,2\n")

    assert tally.created == 2
    assert tally.listed_rejections() == [
        {"line": 3, "error": "description: longer than 131072 characters"}
    ]
    assert set(products(session)) == {"SKU-1", "SKU-3"}


def test_an_existing_sku_is_updated_and_counted_as_updated(engine, session):
    load(session, HEADER + "BOX-1,Box,Small,storage,500,5\n")

    tally = load(session, HEADER + "BOX-1,Big box,,storage,900,50\nBOX-2,Crate,,,1500,2\n")

    assert (tally.created, tally.updated) == (1, 1)
    assert products(session) == {
        "BOX-1": ("Big box", None, "storage", 900, 50),
        "BOX-2": ("Crate", None, None, 1500, 2),
    }


def test_an_import_of_many_rows_is_upserted_in_batches(engine, session):
    load(session, HEADER + rows(700))

    tally = load(session, HEADER + rows(1200, price=250))

    assert (tally.created, tally.updated, tally.listed_rejections()) == (500, 700, [])
    stored = products(session)
    assert len(stored) == 1200
    assert {price for *_, price, _ in stored.values()} == {250}


def test_loaded_rows_are_undone_with_the_transaction_they_were_loaded_in(engine, session):
    # The run commits the products with the import's report, or rolls both back.
    load(session, HEADER + rows(3))

    session.rollback()

    assert products(session) == {}


def test_a_load_past_its_deadline_stops_before_its_next_batch_and_names_the_line_reached(
    engine, session, monkeypatch
):
    monkeypatch.setattr(import_rows, "BATCH_ROWS", 2)
    # A minute left at the first full batch, then a second: less than the margin.
    deadline = Deadline(TimeRunningOut(300_000, 60_000, 1_000), margin=20)

    with pytest.raises(OutOfTime, match=r"it had reached line 5\)"):
        load(session, HEADER + rows(5), deadline=deadline)

    assert sorted(products(session)) == ["SKU-0", "SKU-1"]
